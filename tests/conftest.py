"""Test set-up shared by the whole suite.

- Every run gets its own cache and rate-limit key prefix, flushed before each
  test, so runs sharing one Redis (CI and a developer, or xdist workers) never
  see each other's counts.
- Celery tasks run eagerly, except in the wiring test that starts a worker.
- SMS goes to the locmem outbox (``sms.outbox``).
- ``REQUIRE_SERVICES=1`` turns every skip for a missing PostgreSQL, Redis,
  worker or browser into a failure, and fails a run with any skip at all.
"""

import itertools
import os
import shutil
import tempfile
import uuid

import pytest
import redis
from django.apps import apps
from django.core import serializers
from django.core.cache import cache, caches
from django.core.management.color import no_style
from django.db import connection, connections, transaction
from pytest_django.plugin import blocking_manager_key

import sms
from accounts import ratelimits
from audience import counting as audience_counting
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
    # Uploads go to a throw-away folder of this run.
    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="kepuri-test-media-")
    # Static files come from the finders, as in development; nothing is collected.
    settings.STATIC_ROOT = None
    settings.WHITENOISE_USE_FINDERS = True
    # Hashing with PBKDF2 costs ~0.3 s a password; tests check behaviour, not strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    celery_app.conf.task_always_eager = True


def pytest_sessionfinish(session, exitstatus):
    from django.conf import settings

    if "kepuri-test-media-" in str(settings.MEDIA_ROOT):
        shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)
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
    audience_counting.TALLY.automatic = False  # sent by the flush, not a thread (tests/audience starts one)
    audience_counting.TALLY.discard()  # views and shares counted with Redis, not yet sent
    if hasattr(cache, "delete_pattern"):  # django-redis: only our prefix, never FLUSHDB
        cache.delete_pattern("*")
    else:
        cache.clear()
    caches["local"].clear()  # this process's copies (kepuri.microcache)
    audience_counting.MEMORY.clear()  # views and shares counted without Redis
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
def provider(settings):
    """A 科普中国 OpenID Connect provider on 127.0.0.1 (tests/oidc_provider.py), configured as the site's."""
    from .oidc_provider import CLIENT_ID, CLIENT_SECRET, FakeProvider

    fake = FakeProvider().start()
    settings.OIDC_ISSUER = fake.issuer
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    yield fake
    fake.stop()


@pytest.fixture
def postgres():
    """Asserts the tests run on PostgreSQL (DATABASE_URL=postgres://...)."""
    from django.db import connection

    require(connection.vendor == "postgresql", "PostgreSQL is not configured (set DATABASE_URL)")
    return connection


REFERENCE_MODELS = (
    "directory.Region",
    "directory.SupervisingUnit",
    "activities.Campaign",
    "activities.ActivityCategory",
    "activities.ProvinceTheme",
)
REFERENCE_DATA: dict[str, str] = {}


@pytest.fixture(scope="session", autouse=True)
def _reference_data(django_db_setup, django_db_blocker):
    """The rows the data migrations load (regions, units, the 2020 campaign), as migrated."""
    with django_db_blocker.unblock():
        rows = itertools.chain.from_iterable(
            apps.get_model(name)._default_manager.order_by("pk") for name in REFERENCE_MODELS
        )
        REFERENCE_DATA["json"] = serializers.serialize("json", rows)
    # Once Playwright runs, Django keeps connections per context rather than per
    # thread; close the one opened before it too, or the test database stays in use.
    first_connection = connections["default"]
    yield
    first_connection.close()
    connection = connections["default"]
    if connection.vendor == "postgresql":  # and any other left by the live server's threads
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
    connection.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """Load the reference data back after a transactional test has flushed every table.

    Django restores it at the start of the next transactional test only, and
    pytest-xdist may run an ordinary database test next; so it is restored here,
    after the flush, for whatever comes next.
    """
    yield
    marker = item.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction") or "json" not in REFERENCE_DATA:
        return
    if nextitem is None:  # the last test: the test database is gone already
        return
    rows = list(serializers.deserialize("json", REFERENCE_DATA["json"]))
    by_model = {}
    for row in rows:
        by_model.setdefault(type(row.object), []).append(row.object)
    with item.config.stash[blocking_manager_key].unblock(), transaction.atomic():
        for model, objects in by_model.items():  # one INSERT per model; foreign keys are checked at commit
            model._default_manager.bulk_create(objects)
        for row in rows:
            for name, values in (row.m2m_data or {}).items():
                getattr(row.object, name).set(values)
        # As loaddata does: ids were given, so the sequences must move past them (a flush may
        # have restarted them, and the next test's new campaign would take id 1 again).
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), list(by_model)):
                cursor.execute(sql)
