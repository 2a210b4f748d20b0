"""Redis as the shared cache in front of database sessions, and what an outage does."""

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache

from accounts import ratelimits
from kepuri.settings import redis_cache
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

DEAD_REDIS = "redis://127.0.0.1:1/0"


def test_a_redis_outage_logs_nobody_out_and_pages_keep_working(client, settings):
    client.force_login(UserFactory(phone="13800138000"))
    settings.CACHES = {"default": redis_cache(DEAD_REDIS, "outage")}

    assert client.get("/accounts/me/").status_code == 200
    client.logout()
    assert client.get("/").status_code == 200
    response = client.post("/accounts/login/", {"phone": "13800138000", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/accounts/me/").status_code == 200


@pytest.mark.services
def test_sessions_are_cached_in_redis_under_this_runs_prefix(client, redis_url):
    assert django_settings.CACHES["default"]["BACKEND"] == "django_redis.cache.RedisCache"
    client.force_login(UserFactory())
    client.get("/accounts/me/")
    key = f"django.contrib.sessions.cached_db{client.session.session_key}"
    assert cache.get(key) is not None
    raw_keys = cache.client.get_client().keys(f"{django_settings.CACHES['default']['KEY_PREFIX']}:*")
    assert any(k.decode().endswith(key) for k in raw_keys)


@pytest.mark.services
def test_rate_limits_are_counted_in_redis(client, redis_url):
    assert django_settings.RATELIMIT_STORAGE_URI.startswith("redis://")
    client.post("/accounts/sms-code/", {"phone": "13800138000", "purpose": "register"})
    storage = ratelimits.limiter().storage
    assert storage.storage.keys(f"{django_settings.RATELIMIT_KEY_PREFIX}:*")
