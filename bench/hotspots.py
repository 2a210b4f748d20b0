#!/usr/bin/env python
"""Where a path's time goes, in-process: milliseconds a request against the baseline, and a profile.

    .venv/bin/python bench/hotspots.py [--only NAME] [--requests 1000] [--profile NAME] [--top 40]

Uses the data set and request mixes of ``bench/load.py`` (same database, same
settings) but calls Django's WSGI handler directly, without gunicorn, wrk or the
test Client (whose template instrumentation would inflate the rendering paths).
Each mix is first sent once through (caches warm), then timed; ``--profile``
runs cProfile over one mix and prints its costliest functions, the evidence
for what limits a path.
"""

import argparse
import cProfile
import pstats
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from django.core.handlers.wsgi import WSGIHandler
from django.test import RequestFactory

from bench import load  # the bench's environment, settings and request mixes; sets Django up


def request_of(factory, item):
    headers = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in item["headers"].items()}
    if item["method"] == "POST":
        content_type = item["headers"]["Content-Type"]
        return factory.post(item["path"], item["body"], content_type=content_type, **headers)
    return factory.generic(item["method"], item["path"], **headers)


def mix(path, count, rng) -> list:
    """``count`` requests of a path's mix, its caches warmed first (unless the path says not): at
    random, by its groups (a page and its me), or, for requests that can be sent once, the next ones
    in order."""
    requests, group = path["requests"], path.get("group", 1)
    if path.get("once"):
        taken = path.setdefault("taken", 0)
        path["taken"] = taken + count
        return requests[taken : taken + count]
    if path.get("warm", True):  # not the pages a reviewer opens once each (审核页面)
        send_all(requests[:3000])
    starts = rng.choices(range(0, len(requests), group), k=max(1, count // group))
    return [item for start in starts for item in requests[start : start + group]]


def send_all(items):
    factory, handler = RequestFactory(), WSGIHandler()
    for request in [request_of(factory, item) for item in items]:
        handler.get_response(request).close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--activities", type=int, default=100_000)
    parser.add_argument(
        "--only",
        help="time only the paths whose name contains this, or one of these: 审核,统计 (and the baseline)",
    )
    parser.add_argument("--requests", type=int, default=1000, help="timed requests per path")
    parser.add_argument("--profile", help="profile the path whose name contains this")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--sort", default="cumulative", help="cProfile sort key: cumulative, tottime…")
    args = parser.parse_args()

    from bench.dataset import generate

    paths = load.scenarios(generate(args.activities))
    handler, factory, rng = WSGIHandler(), RequestFactory(), random.Random(2020)

    timed = load.select(paths, args.only)
    baseline = None
    for path in timed:
        sample = mix(path, args.requests, rng)
        requests = [request_of(factory, item) for item in sample]
        began = time.perf_counter()
        for request in requests:
            handler.get_response(request).close()
        ms = (time.perf_counter() - began) / len(sample) * 1000 * path.get("group", 1)  # a page view: its two
        baseline = baseline or ms
        print(
            f"{path['name']}: {ms:.2f} ms a request, {baseline / ms:.0%} of the baseline's rate", flush=True
        )

    if args.profile:
        path = next(p for p in paths if args.profile in p["name"])
        requests = [request_of(factory, item) for item in mix(path, 500, rng)]
        profiler = cProfile.Profile()
        profiler.enable()
        for request in requests:
            handler.get_response(request).close()
        profiler.disable()
        print(f"\ncProfile of 500 requests: {path['name']}")
        pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()
