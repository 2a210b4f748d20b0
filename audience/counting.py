"""Counting page views and shares: an addition in memory on the request, nothing else.

Each view of an activity page, the list or the home page (``counted``) and each share
(``count_share``) adds one, within a second, to a field of a single Redis hash, ``audience:pending``:
``HINCRBY audience:pending <day>:<kind>:<target> 1``, the day in Asia/Shanghai, the
kind ``v`` (view) or ``s`` (share), the target an activity's public code or ``@home`` /
``@list``. Pages served from the page cache are counted too: the decorator sits outside
it. No query, no lookup of the activity: the flush (``audience.flush``) maps codes to
activities every few minutes and drops codes that match none.

Not counted: requests whose User-Agent matches ``AUDIENCE_BOT_PATTERN`` (crawlers,
link previews, command-line clients; README, "Page views and shares") or carries none,
and answers other than 200 and 304.

With the cache in Redis, the counts live there until the flush takes them; otherwise
(a development machine: one process, tasks in-process) in this process's memory.

The request itself does not talk to Redis: it adds to this process's tally (``Tally``),
which a thread of the process sends once a second, one HINCRBY per field in one
pipeline. A round trip on the request cost the page about a tenth of its throughput
(bench/RESULTS.md, issue 20). What a process holds when it is killed outright (at most
a second's counts) is lost, as what Redis holds when it restarts; a process that stops
normally sends its tally first. When Redis is down the tally's counts are dropped,
never the page.
"""

import atexit
import logging
import os
import re
import threading
import time
from datetime import datetime
from functools import lru_cache, wraps

from django.conf import settings
from django.core.cache import cache
from redis.exceptions import RedisError

from activities.deadlines import SHANGHAI

logger = logging.getLogger(__name__)

VIEW, SHARE = "v", "s"
HOME, LIST = "@home", "@list"
PENDING = "audience:pending"
BATCHES = "audience:batches"


def batch_key(batch: str) -> str:
    return f"audience:batch:{batch}"


@lru_cache(maxsize=1)
def _bots(pattern: str) -> re.Pattern:
    return re.compile(pattern, re.IGNORECASE)


def is_bot(request) -> bool:
    agent = request.META.get("HTTP_USER_AGENT", "")
    return not agent or _is_bot_agent(agent, settings.AUDIENCE_BOT_PATTERN)


@lru_cache(maxsize=4096)
def _is_bot_agent(agent: str, pattern: str) -> bool:
    """Whether ``agent`` matches the pattern: a search costs ~20 µs, and readers share a few agents."""
    return bool(_bots(pattern).search(agent))


def field(kind: str, target: str, day=None) -> str:
    day = day or datetime.now(SHANGHAI).date()
    return f"{day:%Y%m%d}:{kind}:{target}"


def count(request, kind: str, target: str) -> None:
    """Add one ``kind`` for ``target`` today, unless the request comes from a bot."""
    if is_bot(request):
        return
    name = field(kind, target)
    if _shared():
        TALLY.add(name)
    else:
        store().add(name)


def count_share(request, code: str) -> None:
    count(request, SHARE, code)


def counted(target):
    """Count a GET of the decorated view as a view of ``target(request, *args, **kwargs)``.

    Put it outside the page cache's decorator, so that cached pages are counted too; a
    304 (a phone that kept the page) is a view, an error or a redirect is not.
    """

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            if request.method == "GET" and response.status_code in (200, 304):
                count(request, VIEW, target(request, *args, **kwargs))
            return response

        return wrapper

    return decorate


# --- where the counts wait for the flush -------------------------------------------------------


class RedisStore:
    """The pending hash and the batches taken from it, in Redis (shared by every app server)."""

    # Moves the pending hash to a batch and notes the batch, atomically; nothing when none is pending.
    TAKE = """
    if redis.call('exists', KEYS[1]) == 1 then
      redis.call('rename', KEYS[1], KEYS[2])
      redis.call('sadd', KEYS[3], ARGV[1])
      return 1
    end
    return 0
    """

    def __init__(self, client, key):
        self.client, self.key = client, key

    def add(self, name: str, amount: int = 1) -> None:
        self.client.hincrby(self.key(PENDING), name, amount)

    def add_many(self, counts: dict[str, int]) -> None:
        key = self.key(PENDING)
        with self.client.pipeline(transaction=False) as pipe:
            for name, amount in counts.items():
                pipe.hincrby(key, name, amount)
            pipe.execute()

    def take(self, batch: str) -> bool:
        keys = [self.key(PENDING), self.key(batch_key(batch)), self.key(BATCHES)]
        return bool(self.client.eval(self.TAKE, len(keys), *keys, batch))

    def batches(self) -> list[str]:
        found = self.client.smembers(self.key(BATCHES))
        return sorted(b.decode() if isinstance(b, bytes) else b for b in found)

    def read(self, batch: str) -> dict[str, int]:
        found = self.client.hgetall(self.key(batch_key(batch)))
        return {(k.decode() if isinstance(k, bytes) else k): int(v) for k, v in found.items()}

    def drop(self, batch: str) -> None:
        with self.client.pipeline(transaction=True) as pipe:
            pipe.delete(self.key(batch_key(batch)))
            pipe.srem(self.key(BATCHES), batch)
            pipe.execute()

    def clear(self) -> None:
        """Everything counted and not flushed gone, as when Redis restarts (it keeps nothing on disk)."""
        TALLY.send()  # what this process counted until now went there first
        for batch in self.batches():
            self.client.delete(self.key(batch_key(batch)))
        self.client.delete(self.key(PENDING), self.key(BATCHES))


class MemoryStore:
    """The same in this process's memory, for a machine without Redis."""

    def __init__(self):
        self.lock = threading.Lock()
        self.pending: dict[str, int] = {}
        self.taken: dict[str, dict[str, int]] = {}

    def add(self, name: str, amount: int = 1) -> None:
        with self.lock:
            self.pending[name] = self.pending.get(name, 0) + amount

    def add_many(self, counts: dict[str, int]) -> None:
        for name, amount in counts.items():
            self.add(name, amount)

    def take(self, batch: str) -> bool:
        with self.lock:
            if not self.pending:
                return False
            self.taken[batch], self.pending = self.pending, {}
            return True

    def batches(self) -> list[str]:
        with self.lock:
            return sorted(self.taken)

    def read(self, batch: str) -> dict[str, int]:
        with self.lock:
            return dict(self.taken.get(batch, {}))

    def drop(self, batch: str) -> None:
        with self.lock:
            self.taken.pop(batch, None)

    def clear(self) -> None:
        with self.lock:
            self.pending, self.taken = {}, {}


MEMORY = MemoryStore()


class Tally:
    """What this process counted in the last second, sent to Redis by a thread of its own.

    ``add`` costs the request a dictionary update under a lock. The thread starts with
    the first count of each process (gunicorn forks its workers after the import) and
    sends every ``SECONDS``; ``send`` does the same at once (the flush and the tests
    call it, so that what this process counted is in Redis before it is taken).
    """

    SECONDS = 1.0

    def __init__(self):
        self.lock = threading.Lock()
        self.counts: dict[str, int] = {}
        self.pid = None
        self.automatic = True  # the tests send by hand, so that no count crosses from one test to the next

    def add(self, name: str, amount: int = 1) -> None:
        with self.lock:
            self.counts[name] = self.counts.get(name, 0) + amount
            if self.pid != os.getpid() and self.automatic:
                self._start()

    def _start(self) -> None:
        self.pid = os.getpid()
        threading.Thread(target=self._run, name="audience-tally", daemon=True).start()

    def _run(self) -> None:
        while self.automatic:
            time.sleep(self.SECONDS)
            self.send()
        with self.lock:
            self.pid = None

    def send(self) -> None:
        with self.lock:
            counts, self.counts = self.counts, {}
        if not counts:
            return
        try:
            store().add_many(counts)
        except RedisError as exc:  # the page never waits for this; the counts are gone
            logger.warning("%s counts were dropped: %s", sum(counts.values()), exc)

    def discard(self) -> None:
        with self.lock:
            self.counts = {}


TALLY = Tally()
atexit.register(TALLY.send)


def _shared() -> bool:
    """Whether the cache is Redis (django-redis): what ``store`` decides, read from the settings."""
    return settings.CACHES["default"]["BACKEND"].startswith("django_redis.")


def store():
    """Redis when the cache is there (django-redis), else this process's memory."""
    client = getattr(cache, "client", None)
    if hasattr(client, "get_client"):
        return RedisStore(client.get_client(write=True), lambda name: cache.make_key(name))
    return MEMORY
