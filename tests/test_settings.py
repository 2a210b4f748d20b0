"""Settings come from the environment; production settings pass ``check --deploy``."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

# The session's reference-data fixture reads the test database, which pytest-django builds only
# when a collected test asks for it: alone on a worker, these tests must ask too.
pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent
OUR_VARIABLES = (
    "DJANGO_DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "REDIS_URL",
    "SMS_BACKEND",
    "CACHE_KEY_PREFIX",
    "RATELIMIT_STORAGE_URI",
    "RATELIMIT_KEY_PREFIX",
    "TRUSTED_PROXY_COUNT",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "MEDIA_STORAGE",
    "S3_BUCKET",
    "S3_ENDPOINT_URL",
    "S3_REGION",
    "S3_ACCESS_KEY_ID",
    "S3_SECRET_ACCESS_KEY",
    "S3_CUSTOM_DOMAIN",
    "S3_QUERYSTRING_AUTH",
    "S3_ADDRESSING_STYLE",
)
PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "SECRET_KEY": "k" * 20 + "-production-secret-for-the-check-0123456789",
    "ALLOWED_HOSTS": "kepuri.example.org",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}

PRINT_SETTINGS = """
import json, django
django.setup()
from django.conf import settings as s
from kepuri.celery import app
print(json.dumps({
    "DEBUG": s.DEBUG,
    "ENGINE": s.DATABASES["default"]["ENGINE"],
    "CACHE": s.CACHES["default"]["BACKEND"],
    "SESSION_ENGINE": s.SESSION_ENGINE,
    "EAGER": app.conf.task_always_eager,
    "BROKER": app.conf.broker_url,
    "SMS_BACKEND": s.SMS_BACKEND,
    "RATELIMIT_STORAGE_URI": s.RATELIMIT_STORAGE_URI,
    "MEDIA": s.STORAGES["default"]["BACKEND"],
}))
"""


def run(args, **env):
    clean = {k: v for k, v in os.environ.items() if k not in OUR_VARIABLES}
    clean["DJANGO_SETTINGS_MODULE"] = "kepuri.settings"
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=60
    )


def settings_with(**env):
    result = run(["-c", PRINT_SETTINGS], **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_nothing_set_means_development():
    assert settings_with() == {
        "DEBUG": True,
        "ENGINE": "django.db.backends.sqlite3",
        "CACHE": "django.core.cache.backends.locmem.LocMemCache",
        "SESSION_ENGINE": "django.contrib.sessions.backends.cached_db",
        "EAGER": True,
        "BROKER": "memory://",
        "SMS_BACKEND": "console",
        "RATELIMIT_STORAGE_URI": "memory://",
        "MEDIA": "django.core.files.storage.FileSystemStorage",
    }


def test_database_url_selects_postgresql_and_redis_url_the_cache_and_broker():
    found = settings_with(
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/kepuri", REDIS_URL="redis://127.0.0.1:6379/0"
    )
    assert found["ENGINE"] == "django.db.backends.postgresql"
    assert found["CACHE"] == "django_redis.cache.RedisCache"
    assert found["SESSION_ENGINE"] == "django.contrib.sessions.backends.cached_db"
    assert found["EAGER"] is False
    assert found["BROKER"] == "redis://127.0.0.1:6379/0"
    assert found["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"


PRINT_MEDIA = """
import json, django
django.setup()
from django.conf import settings as s
from django.core.files.storage import default_storage
from django.urls import Resolver404, resolve
try:
    resolve("/media/activities/a1b2c3/poster-page.jpg")
    media_view = True
except Resolver404:
    media_view = False
print(json.dumps({
    "BACKEND": s.STORAGES["default"]["BACKEND"],
    "OPTIONS": s.STORAGES["default"].get("OPTIONS", {}),
    "MEDIA_URL": s.MEDIA_URL,
    "url": default_storage.url("activities/a1b2c3/poster-page.jpg"),
    "media_view": media_view,
    "img-src": s.CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"],
}))
"""


def media_with(**env):
    result = run(["-c", PRINT_MEDIA], **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_media_are_local_files_served_by_the_media_view_by_default():
    found = media_with()
    assert (found["BACKEND"], found["MEDIA_URL"], found["url"]) == (
        "django.core.files.storage.FileSystemStorage",
        "/media/",
        "/media/activities/a1b2c3/poster-page.jpg",
    )
    assert found["media_view"] is True
    assert found["img-src"] == ["'self'", "data:"]


S3 = {"MEDIA_STORAGE": "s3", "S3_BUCKET": "kepuri-media"}


def test_media_storage_s3_puts_uploads_on_a_bucket_and_links_to_it():
    found = media_with(
        **S3,
        S3_ENDPOINT_URL="https://minio.example.org:9000/",
        S3_REGION="us-east-1",
        S3_ACCESS_KEY_ID="kepuri",
        S3_SECRET_ACCESS_KEY="a-secret",
    )
    assert found["BACKEND"] == "kepuri.storage.MediaStorage"
    assert found["OPTIONS"] == {
        "bucket_name": "kepuri-media",
        "endpoint_url": "https://minio.example.org:9000",
        "region_name": "us-east-1",
        "access_key": "kepuri",
        "secret_key": "a-secret",
        "querystring_auth": False,
        "file_overwrite": False,
        "default_acl": None,
        "object_parameters": {"CacheControl": "public, max-age=604800"},
    }
    assert found["MEDIA_URL"] == "https://minio.example.org:9000/kepuri-media/"
    assert found["url"] == "https://minio.example.org:9000/kepuri-media/activities/a1b2c3/poster-page.jpg"
    assert found["media_view"] is False  # the bucket serves them, not Django
    assert found["img-src"] == ["'self'", "data:", "https://minio.example.org:9000/kepuri-media/"]


@pytest.mark.parametrize(
    ("env", "media_url"),
    [
        ({}, "https://kepuri-media.s3.amazonaws.com/"),
        (
            {"S3_ENDPOINT_URL": "https://oss-cn-beijing.aliyuncs.com", "S3_ADDRESSING_STYLE": "virtual"},
            "https://kepuri-media.oss-cn-beijing.aliyuncs.com/",
        ),
        (
            {
                "S3_ENDPOINT_URL": "https://cos.ap-beijing.myqcloud.com",
                "S3_CUSTOM_DOMAIN": "img.kepuri.example.org",
            },
            "https://img.kepuri.example.org/",
        ),
    ],
)
def test_media_url_is_where_the_storage_links_to(env, media_url):
    """MEDIA_URL (the page's CSP, the media route left out) is the prefix of every link the storage writes."""
    found = media_with(**S3, **env)
    assert found["MEDIA_URL"] == media_url
    assert found["url"] == f"{media_url}activities/a1b2c3/poster-page.jpg"
    assert found["media_view"] is False


def test_media_storage_s3_needs_a_bucket_and_no_other_storage_is_known():
    assert "S3_BUCKET" in run(["-c", PRINT_MEDIA], MEDIA_STORAGE="s3").stderr
    assert "MEDIA_STORAGE" in run(["-c", PRINT_MEDIA], MEDIA_STORAGE="oss").stderr


def test_language_and_time():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ is True


def test_check_deploy_is_clean_in_production_with_nothing_silenced():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."
    assert not getattr(settings, "SILENCED_SYSTEM_CHECKS", [])


def test_check_deploy_warns_when_rate_limits_would_not_be_shared():
    without_redis = {k: v for k, v in PRODUCTION.items() if k != "REDIS_URL"}
    result = run(["manage.py", "check", "--deploy"], **without_redis)
    assert "kepuri.W001" in result.stderr + result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = run(["manage.py", "check"], DJANGO_DEBUG="0", ALLOWED_HOSTS="kepuri.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_collects_the_static_files(tmp_path):
    """Hashed, compressed names: any file that refers to a missing one (a source map) stops the deploy."""
    result = run(["manage.py", "collectstatic", "--noinput", "-v0"], STATIC_ROOT=str(tmp_path), **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    assert {"vendor/chartjs/chart.umd.min.js", "js/activity-actions.js", "css/site.css"} <= manifest.keys()


PROBE = """
import json, django
django.setup()
from django.conf import settings as s
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
https = Client().get("/accounts/login/", secure=True, HTTP_HOST="kepuri.example.org")
plain = Client().get("/accounts/login/", HTTP_HOST="kepuri.example.org")
print(json.dumps({
    "status": https.status_code,
    "headers": dict(https.headers),
    "cookies": {name: dict(morsel) for name, morsel in https.cookies.items()},
    "plain": [plain.status_code, plain.get("Location")],
    "session": [s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE],
}))
"""


def test_production_answers_with_the_security_headers_and_secure_cookies(tmp_path):
    """A page as production serves it: HSTS, nosniff, a CSP without unsafe-inline, secure cookies, HTTPS only."""
    env = {**PRODUCTION, "STATIC_ROOT": str(tmp_path / "static"), "DATABASE_URL": f"sqlite:///{tmp_path}/db"}
    collected = run(["manage.py", "collectstatic", "--noinput", "-v0"], **env)
    assert collected.returncode == 0, collected.stderr
    result = run(["-c", PROBE], **env)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    headers = found["headers"]
    assert found["status"] == 200
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "unsafe-eval" not in policy
    csrf = found["cookies"]["csrftoken"]
    assert csrf["secure"] is True and csrf["samesite"] == "Lax"  # read by the page's script: not HttpOnly
    assert found["session"] == [True, True, "Lax"]  # the session cookie: Secure, HttpOnly
    assert found["plain"] == [301, "https://kepuri.example.org/accounts/login/"]
