"""Test set-up shared by the whole suite.

- Every run gets its own cache and rate-limit key prefix, flushed before each
  test, so runs sharing one Redis (CI and a developer, or xdist workers) never
  see each other's counts.
- Celery tasks run eagerly, except in the wiring test that starts a worker.
- SMS goes to the locmem outbox (``sms.outbox``).
- ``REQUIRE_SERVICES=1`` turns every skip for a missing PostgreSQL, Redis,
  worker or browser into a failure, and fails a run with any skip at all.
"""

import os
import uuid

import pytest
import redis
from django.core.cache import cache
from django.db import connections

import sms
from accounts import ratelimits
from kepuri.celery import app as celery_app

from .support import CLOCK_START, REQUIRE_SERVICES, require

# Playwright's sync API runs an event loop in the main thread; Django's ORM
# refuses to run beside one unless told it is safe (it is: one thread drives it).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_configure(config):
    from django.conf import settings

    prefix = f"test-{uuid.uuid4().hex[:12]}"
    settings.CACHES["default"]["KEY_PREFIX"] = prefix
    settings.RATELIMIT_KEY_PREFIX = f"{prefix}:limits"
    settings.SMS_BACKEND = "locmem"
    # Static files come from the finders, as in development; nothing is collected.
    settings.STATIC_ROOT = None
    settings.WHITENOISE_USE_FINDERS = True
    # Hashing with PBKDF2 costs ~0.3 s a password; tests check behaviour, not strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    celery_app.conf.task_always_eager = True


def pytest_sessionfinish(session, exitstatus):
    if not REQUIRE_SERVICES:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if skipped:
        reporter.write_line(f"REQUIRE_SERVICES=1: {skipped} test(s) skipped, which fails the run.", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(autouse=True)
def _fresh_shared_state():
    """Empty outbox, cache and rate-limit counts before every test."""
    sms.outbox.clear()
    if hasattr(cache, "delete_pattern"):  # django-redis: only our prefix, never FLUSHDB
        cache.delete_pattern("*")
    else:
        cache.clear()
    ratelimits.reset_all()
    yield


@pytest.fixture
def clock(time_machine):
    """Time stopped at ``CLOCK_START`` (Asia/Shanghai); move it with ``shift`` and ``move_to``."""
    time_machine.move_to(CLOCK_START, tick=False)
    return time_machine


@pytest.fixture
def redis_url():
    """The REDIS_URL of a reachable Redis server."""
    from django.conf import settings

    url = settings.REDIS_URL
    reachable = False
    if url:
        try:
            reachable = redis.Redis.from_url(url, socket_connect_timeout=2).ping()
        except redis.RedisError:
            reachable = False
    require(reachable, f"Redis is not reachable (REDIS_URL={url!r})")
    return url


@pytest.fixture
def postgres():
    """Asserts the tests run on PostgreSQL (DATABASE_URL=postgres://...)."""
    from django.db import connection

    require(connection.vendor == "postgresql", "PostgreSQL is not configured (set DATABASE_URL)")
    return connection


@pytest.fixture(scope="session", autouse=True)
def _serialized_rollback_in_every_context(django_db_setup):
    """Let ``serialized_rollback`` restore the migrated reference data after Playwright starts.

    Once Playwright's sync API runs, an asyncio loop counts as running in the
    main thread, so Django keeps its connections per context instead of per
    thread: the test gets a new connection object without the serialized
    contents Django attached to the first one, and a transactional test would
    flush the regions and units without loading them back. Putting the
    contents on the connection class makes every connection object carry them.
    """
    connection = connections["default"]
    contents = getattr(connection, "_test_serialized_contents", None)
    if contents is not None:
        type(connection)._test_serialized_contents = contents
