"""Health for load balancers, the request id, and JSON log lines."""

import io
import json
import logging

import pytest
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client

from kepuri.logs import MaskingJsonFormatter
from kepuri.settings import redis_cache

pytestmark = pytest.mark.django_db

DEAD_REDIS = "redis://127.0.0.1:1/0"


def probe(path, **extra):
    """As a load balancer asks: by address, over plain HTTP."""
    return Client().get(path, HTTP_HOST="10.0.0.5", **extra)


def test_liveness_answers_by_address_over_http_even_in_production(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["kepuri.example.org"]
    response = probe("/health/live/")
    assert response.status_code == 200 and response.json() == {"ok": True}
    assert response["Cache-Control"] == "no-store"
    assert Client().get("/", HTTP_HOST="10.0.0.5").status_code == 400  # the rest of the site: host checked


def test_readiness_checks_the_database_the_cache_and_the_migrations():
    response = probe("/health/ready/")
    assert response.status_code == 200
    assert response.json() == {"ok": True, "checks": {"database": "ok", "cache": "ok", "migrations": "ok"}}


@pytest.mark.services
def test_readiness_fails_when_redis_is_down_and_says_nothing_more(settings, redis_url):
    settings.CACHES = {**settings.CACHES, "default": redis_cache(DEAD_REDIS, "health")}
    response = probe("/health/ready/")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "cache": "failed", "migrations": "ok"}
    assert b"127.0.0.1" not in response.content and b"Error" not in response.content


def test_readiness_fails_while_a_migration_is_not_applied():
    MigrationRecorder(connection).migration_qs.filter(app="accounts").order_by("-id").first().delete()
    response = probe("/health/ready/")
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == "failed"


def test_every_response_carries_a_request_id_and_a_proxys_is_kept_if_it_is_a_plain_token(client):
    made = client.get("/agreement/")["X-Request-ID"]
    assert len(made) == 32 and made != client.get("/agreement/")["X-Request-ID"]
    assert client.get("/agreement/", HTTP_X_REQUEST_ID="lb-7f3a9c21")["X-Request-ID"] == "lb-7f3a9c21"
    for forged in ("a b c d e f g h", "x" * 65, "<script>", "short"):
        assert client.get("/agreement/", HTTP_X_REQUEST_ID=forged)["X-Request-ID"] != forged


def test_a_log_line_is_json_with_the_request_id_and_no_whole_mobile_number(client):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(
        MaskingJsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        )
    )
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        client.get("/no-such-page-13800138000/", HTTP_X_REQUEST_ID="lb-12345678")
    finally:
        logger.removeHandler(handler)
    line = json.loads(stream.getvalue().splitlines()[0])
    assert (
        line["request_id"] == "lb-12345678"
        and line["level"] == "WARNING"
        and line["logger"] == "django.request"
    )
    assert "138****8000" in line["message"] and "13800138000" not in stream.getvalue()
    assert line["time"]
