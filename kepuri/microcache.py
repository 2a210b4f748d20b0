"""Reads through this process's memory for a second, then the shared cache (Redis when set).

The busiest answers (an activity page for visitors, a list page, an autocomplete)
are read from Redis thousands of times a second; a copy kept in the process for
``SECONDS`` saves the round trip. Values that change are kept under a generation
(``generation``), read from the shared cache each time, so a change shows at once
in every process; what a process lets go otherwise is gone from it at once, and
from the others within ``SECONDS``.
"""

import logging
import time

from django.core.cache import cache, caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

SECONDS = 1


class SecondCache(LocMemCache):
    """The process's own cache (``CACHES["local"]``): Django's LocMemCache, whose expired copies leave
    as new ones come in, not only once it is full.

    LocMemCache lets an expired copy go when it is read again or when the cache is full; with copies
    that live a second, a process that served many distinct pages held MAX_ENTRIES of them, nearly
    all expired (the soak saw app servers grow by a tenth over half an hour). Each write first drops
    the expired copies at the least recently used end: what is held is about the last second or two's
    distinct values; MAX_ENTRIES stays the bound for a burst.
    """

    def _set(self, key, value, timeout=DEFAULT_TIMEOUT):  # called with the lock held
        now = time.time()
        while self._cache:
            oldest = next(reversed(self._cache))  # LocMemCache moves each read and write to the front
            expires = self._expire_info.get(oldest)
            if expires is None or expires > now:
                break
            self._delete(oldest)
        super()._set(key, value, timeout)


def get(key: str, default=None):
    local = caches["local"]
    value = local.get(key)
    if value is None:
        value = cache.get(key)
        if value is None:
            return default
        local.set(key, value, SECONDS)
    return value


def get_or_make(key: str, make, timeout: int):
    """``get(key)``, or ``make()`` kept in the shared cache for ``timeout`` seconds when missing."""
    value = get(key)
    if value is None:
        value = make()
        cache.set(key, value, timeout)
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


def get_current(key: str, generation_key: str):
    """(the counter ``generation_key`` now, what ``set_current`` kept under ``key`` at that very
    generation or None), in one round trip to the shared cache whether this process holds a copy or not.

    The other way to keep a value under a generation (``generation`` inside the key) reads the
    counter, then the value: two round trips when the process has no copy. Here the value carries
    the generation it was made at, and one that is older than the counter is not used: a value made
    before a change and stored after it is never served, as with the counter in the key.
    """
    local = caches["local"]
    copy = local.get(key)
    if copy is not None:
        current = cache.get(generation_key)
        found = {generation_key: current} if current is not None else {}
    else:
        found = cache.get_many([generation_key, key])
        copy = found.get(key)
    current = found.get(generation_key)
    if current is None:
        current = generation(generation_key)
    if copy is None or copy[0] != current:
        return current, None
    local.set(key, copy, SECONDS)
    return current, copy[1]


def set_current(key: str, at_generation: int, value, timeout: int) -> None:
    """Keep ``value``, made at the counter's ``at_generation``, for ``get_current``."""
    cache.set(key, (at_generation, value), timeout)


def next_generation(key: str) -> None:
    """Move the counter on: every key built with the old value is left to expire."""
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, None)
    forget(key)


def next_generations(keys) -> None:
    """``next_generation`` of each of ``keys``, in one round trip when the shared cache is Redis."""
    keys = list(keys)
    client = getattr(cache, "client", None)
    if not hasattr(client, "get_client"):  # not django-redis: one by one
        for key in keys:
            next_generation(key)
        return
    try:
        with client.get_client(write=True).pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.incr(client.make_key(key))  # a missing counter starts at 1, as above
            pipe.execute()
    except RedisError as exc:  # the cache degrades to misses when Redis is down (settings.redis_cache)
        logger.warning("Generations not moved on: %s", exc)
    forget(*keys)
