"""Reads through this process's memory for a second, then the shared cache (Redis when set).

The busiest answers (an activity page for visitors, a list page, an autocomplete)
are read from Redis thousands of times a second; a copy kept in the process for
``SECONDS`` saves the round trip. What a process lets go is gone from it at once;
other processes follow within ``SECONDS``.
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
    """A counter that moves on each change of what it guards (a part of cache keys); 0 at first."""
    value = get(key)
    if value is None:
        cache.add(key, 0, None)
        value = get(key, 0)
    return value


def next_generation(key: str) -> None:
    """Move the counter on: every key built with the old value is left to expire."""
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, None)
    forget(key)
