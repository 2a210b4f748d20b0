"""A process's one-second copies of shared values (kepuri.microcache) leave its memory a second or so
after they expire, and never number more than the local cache's MAX_ENTRIES: however many distinct
pages it serves, it holds about the last second's (the soak under faults saw app servers grow by a
tenth while Django's LocMemCache kept every expired copy until it was full)."""

import tracemalloc
from datetime import datetime, timedelta

import pytest
from django.core.cache import cache, caches

from kepuri import microcache
from tests.support import SHANGHAI

pytestmark = pytest.mark.django_db

PAGE = 20_000  # bytes: an activity page's HTML is of this order
BOUND = 1000  # pages a process keeps at most (settings.CACHES["local"])
PAGES = 3 * BOUND


@pytest.fixture
def shared_pages(settings):
    """PAGES distinct pages in the shared cache, none yet in this process."""
    if "LocMemCache" in settings.CACHES["default"]["BACKEND"]:  # no Redis: a shared cache that holds them all
        settings.CACHES = {
            **settings.CACHES,
            "default": {**settings.CACHES["default"], "OPTIONS": {"MAX_ENTRIES": 10_000}},
        }
    for n in range(PAGES):
        cache.set(f"bound-test:{n}", bytes([n % 256]) * PAGE, 3600)
    caches["local"].clear()
    yield
    cache.delete_many([f"bound-test:{n}" for n in range(PAGES)])


def held_after_reading(pages_per_second: int, time_machine=None) -> int:
    """Bytes this process holds after reading every page, ``pages_per_second`` each second."""
    tracemalloc.start()
    try:
        for n in range(PAGES):
            if time_machine is not None and n % pages_per_second == 0:
                time_machine.shift(timedelta(seconds=1))
            assert microcache.get(f"bound-test:{n}") is not None
        held, _peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return held


def test_copies_of_many_distinct_pages_in_a_burst_stay_within_the_bound(shared_pages, time_machine):
    time_machine.move_to(datetime(2020, 9, 15, 10, 0, tzinfo=SHANGHAI), tick=False)  # all in one second
    held = held_after_reading(PAGES)
    # At most ``BOUND`` copies (and the pickles' overhead): far below the pages read.
    assert held < 1.3 * BOUND * PAGE, f"{held / 1e6:.1f} MB held for {PAGES} pages read"


def test_expired_copies_leave_as_new_ones_come_in(shared_pages, time_machine):
    time_machine.move_to(datetime(2020, 9, 15, 10, 0, tzinfo=SHANGHAI), tick=False)
    held = held_after_reading(100, time_machine)  # 100 distinct pages a second for 30 seconds
    # The last second's copies and the one before (expiring as the clock moves on), not 1,000.
    assert held < 1.3 * 200 * PAGE, f"{held / 1e6:.1f} MB held for 100 pages a second"
