"""The production settings, plus one URL: the load benchmark's baseline (bench/load.py)."""

from kepuri.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
