"""Reads through this process's memory for a second, then the shared cache (Redis when set).

The busiest answers (an activity page for visitors, a list page, an autocomplete)
are read from Redis thousands of times a second; a copy kept in the process for
``SECONDS`` saves the round trip. Values that change are kept under a generation
(``generation``), read from the shared cache each time, so a change shows at once
in every process; what a process lets go otherwise is gone from it at once, and
from the others within ``SECONDS``.
"""

from django.core.cache import cache, caches

SECONDS = 1


def get(key: str, default=None):
    local = caches["local"]
    value = local.get(key)
    if value is None:
        value = cache.get(key)
        if value is None:
            return default
        local.set(key, value, SECONDS)
    return value


def forget(*keys: str) -> None:
    """Drop this process's copies (the caller changes or deletes the shared values)."""
    caches["local"].delete_many(keys)


def generation(key: str) -> int:
    """A counter that moves on each change of what it guards (a part of cache keys); 0 at first.

    Read from the shared cache each time, never from this process's copy: a change made through
    any process shows at once through all of them, while what the counter guards (a page under
    ``key:generation``) is still read through the process's copy.
    """
    value = cache.get(key)
    if value is None:
        cache.add(key, 0, None)
        value = cache.get(key, 0)
    return value


def next_generation(key: str) -> None:
    """Move the counter on: every key built with the old value is left to expire."""
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, None)
    forget(key)
