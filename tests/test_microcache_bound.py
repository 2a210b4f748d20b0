"""A process's one-second copies of shared values (kepuri.microcache) are bounded: however many
distinct pages it serves, it keeps at most the local cache's MAX_ENTRIES of them, not every page of
the last minutes (the soak under faults saw app servers grow with the 5,000 kept before)."""

import tracemalloc

import pytest
from django.core.cache import cache, caches

from kepuri import microcache

pytestmark = pytest.mark.django_db

PAGE = 20_000  # bytes: an activity page's HTML is of this order
BOUND = 1000  # pages a process keeps at most (settings.CACHES["local"])


def test_copies_of_many_distinct_pages_stay_within_the_bound(settings):
    if "LocMemCache" in settings.CACHES["default"]["BACKEND"]:  # no Redis: a shared cache that holds them all
        settings.CACHES = {
            **settings.CACHES,
            "default": {**settings.CACHES["default"], "OPTIONS": {"MAX_ENTRIES": 10_000}},
        }
    pages = 3 * BOUND
    for n in range(pages):
        cache.set(f"bound-test:{n}", bytes([n % 256]) * PAGE, 60)
    caches["local"].clear()
    tracemalloc.start()
    try:
        for n in range(pages):
            assert microcache.get(f"bound-test:{n}") is not None
        held, _peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        cache.delete_many([f"bound-test:{n}" for n in range(pages)])
    # At most ``bound`` copies (and the pickles' overhead): far below the pages read.
    assert held < 1.3 * BOUND * PAGE, f"{held / 1e6:.1f} MB held for {pages} pages read"
