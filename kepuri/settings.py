"""Settings for 云上科普日, read from the environment.

With nothing set the site runs for development: DEBUG on, SQLite, local media,
Celery tasks run in-process, SMS codes printed to the console, rate limits in
process memory. Production is switched on by the environment:

- ``DJANGO_DEBUG=0`` with ``SECRET_KEY`` and ``ALLOWED_HOSTS``; HTTPS settings
  default to strict values and can be relaxed one by one (see the README).
- ``DATABASE_URL`` selects PostgreSQL (``postgres://user:pass@host:5432/name``).
- ``REDIS_URL`` turns on the Redis cache (in front of database-backed sessions),
  the Celery broker and the shared store of the rate limits.
- ``MEDIA_STORAGE=s3`` with ``S3_BUCKET`` puts uploads on an S3-compatible bucket.

Every variable is listed in the README.
"""

from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from xstatic.pkg import bootstrap as xstatic_bootstrap

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=True)

if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="django-insecure-dev-only-never-use-in-production")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
else:
    SECRET_KEY = env.str("SECRET_KEY")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")

CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "kepuri.apps.KepuriAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sitemaps",  # its templates, for public/seo.py
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "csp",
    "kepuri",
    "sms",
    "accounts",
    "directory",
    "organizations",
    "activities",
    "summaries",
    "audience",
    "notifications",
    "reviews",
    "public",
    "api",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "demo",
]

MIDDLEWARE = [
    "kepuri.logs.request_id_middleware",
    "kepuri.health.health_middleware",  # load balancers' probes, ahead of the host check and HTTPS
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "accounts.middleware.reader_cookie",  # before the sessions: it sees the cookie they set
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "api.middleware.refuse_nul_in_query",
    "kepuri.http.refuse_nul_in_address",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "api.middleware.sunset",
]

ROOT_URLCONF = "kepuri.urls"
WSGI_APPLICATION = "kepuri.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "notifications.context_processors.unread_messages",
                "reviews.context_processors.reviewer",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, sessions, Celery, rate limits ----------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
CACHE_KEY_PREFIX = env.str("CACHE_KEY_PREFIX", default="kepuri")


def redis_cache(location: str, key_prefix: str) -> dict:
    """A django-redis cache that degrades to misses when Redis is down.

    Pages keep working through an outage; sessions (``cached_db``) fall back
    to the database, so nobody is logged out.
    """
    return {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": location,
        "KEY_PREFIX": key_prefix,
        "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
    }


if REDIS_URL:
    CACHES = {"default": redis_cache(REDIS_URL, CACHE_KEY_PREFIX)}
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "KEY_PREFIX": CACHE_KEY_PREFIX,
        }
    }

# A second or so of this process's memory in front of the shared cache (kepuri.microcache). Its
# copies expire after a second and leave as new ones come in (SecondCache): a process holds about
# the last second's distinct pages; 1,000 (some 30 MB) is the bound for a burst.
CACHES["local"] = {
    "BACKEND": "kepuri.microcache.SecondCache",
    "LOCATION": "kepuri-local",
    "OPTIONS": {"MAX_ENTRIES": 1000},
}

SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=14 * 24 * 3600)

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A web request that queues a task while Redis is down fails fast (the callers record the work
# for later or say so); it does not hang on the broker.
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 2}
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Two sites sharing one Redis keep their tasks apart by queue name.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_BEAT_SCHEDULER = "notifications.beat.HeartbeatScheduler"
CELERY_BEAT_SCHEDULE_FILENAME = env.str(
    "CELERY_BEAT_SCHEDULE_FILENAME", default=str(BASE_DIR / "celerybeat-schedule")
)
# Reminders and reviewers' digests go out daily at this time, Asia/Shanghai.
REMINDER_HOUR = env.int("REMINDER_HOUR", default=9)
REMINDER_MINUTE = env.int("REMINDER_MINUTE", default=0)
# The reviewers' 统计 are recomputed this often (a page finding them twice as old recomputes first).
STATS_REFRESH_MINUTES = env.int("STATS_REFRESH_MINUTES", default=5)
# Page views and shares wait in Redis this long before they are added to the daily rows.
AUDIENCE_FLUSH_SECONDS = env.int("AUDIENCE_FLUSH_SECONDS", default=120)
# User agents not counted as views or shares: crawlers, link previews, command-line clients.
AUDIENCE_BOT_PATTERN = env.str(
    "AUDIENCE_BOT_PATTERN",
    default=(
        r"bot|spider|crawl|slurp|baiduspider|sogou|yisou|bytespider|360spider|facebookexternalhit"
        r"|embedly|preview|lighthouse|pagespeed|headlesschrome|curl|wget|python-requests|httpx"
        r"|aiohttp|go-http-client|java/|okhttp|scrapy|wrk"
    ),
)
# The daily jobs are asked for every minute and run from REMINDER_HOUR:MINUTE until one run of the day
# has finished (notifications.services.run_daily): a worker killed in the middle of one, or beat
# down at the hour, is made good a minute later.
CELERY_BEAT_SCHEDULE = {
    "deadline-reminders": {
        "task": "activities.tasks.send_reminders",
        "schedule": 60.0,
        "kwargs": {"scheduled": True},
        "options": {"expires": 60.0},
    },
    "review-digests": {
        "task": "reviews.tasks.send_review_digests",
        "schedule": 60.0,
        "kwargs": {"scheduled": True},
        "options": {"expires": 60.0},
    },
    "deliver-sms": {"task": "notifications.tasks.deliver_sms", "schedule": 60.0},
    "worker-heartbeat": {"task": "notifications.tasks.heartbeat", "schedule": 60.0},
    "purge-expired-sms-codes": {"task": "accounts.tasks.purge_expired_sms_codes", "schedule": 3600.0},
    "purge-expired-api-tokens": {"task": "accounts.tasks.purge_expired_api_tokens", "schedule": 3600.0},
    "delete-unused-files": {"task": "activities.tasks.delete_unused_files", "schedule": 3600.0},
    "flush-views-and-shares": {
        "task": "audience.tasks.flush_counts",
        "schedule": float(AUDIENCE_FLUSH_SECONDS),
        "options": {"expires": float(AUDIENCE_FLUSH_SECONDS)},
    },
    "refresh-statistics": {
        "task": "reviews.tasks.refresh_statistics",
        "schedule": STATS_REFRESH_MINUTES * 60.0,
        "options": {"expires": STATS_REFRESH_MINUTES * 60.0},
    },
}
# What the admin's front page and /health/tasks/ report on the background tasks (beat, the workers,
# stuck SMS, daily jobs): a callable returning an object with ok, problems, in_process, beat_at,
# worker_at, stuck and late_jobs. Named here so that the platform imports no product app.
TASK_HEALTH = "notifications.services.task_health"

# Rate limits are counted with the `limits` library in Redis when it is there
# (shared by every app server), otherwise in this process's memory.
RATELIMIT_STORAGE_URI = env.str("RATELIMIT_STORAGE_URI", default=REDIS_URL or "memory://")
RATELIMIT_KEY_PREFIX = env.str("RATELIMIT_KEY_PREFIX", default=f"{CACHE_KEY_PREFIX}:limits")

# --- Auth ---------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "accounts.oidc.Backend",  # 科普中国账号登录: answers only the provider's callback
]

# 科普中国账号登录 (OpenID Connect, mozilla-django-oidc): on when an issuer and a client are set.
# The endpoints come from the issuer's discovery document (accounts/oidc.py).
OIDC_ISSUER = env.str("OIDC_ISSUER", default="")
OIDC_RP_CLIENT_ID = env.str("OIDC_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_CLIENT_SECRET", default="")
OIDC_RP_SCOPES = env.str("OIDC_SCOPES", default="openid phone")
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_USE_PKCE = True
OIDC_TIMEOUT = env.float("OIDC_TIMEOUT", default=5.0)
# The client apps (the 科普中国 mobile client) whose ID tokens the API accepts, besides this site's own.
OIDC_API_AUDIENCES = env.list("OIDC_API_AUDIENCES", default=[])
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:sso_callback"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "accounts.validators.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Client addresses for the per-IP limits: behind N reverse proxies that append
# to X-Forwarded-For, set TRUSTED_PROXY_COUNT=N; with 0 (default) only the
# socket address counts, so that a client cannot choose its own address.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# The site's public address, for links that leave it: QR codes, SMS messages.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
# A CJK font for the QR code's caption; empty: the first usual system font found.
QR_FONT_PATH = env.str("QR_FONT_PATH", default="")
QR_FONT_INDEX = env.int("QR_FONT_INDEX", default=0)

# --- SMS ------------------------------------------------------------------
# "console", "locmem", "database", or a dotted path to a backend class.
SMS_BACKEND = env.str("SMS_BACKEND", default="console")
SMS_SIGN_NAME = env.str("SMS_SIGN_NAME", default="云上科普日")
# How many delivery sweeps a batch of new messages starts; each claims five at a time, so
# they share the queue. More than the workers' concurrency gains nothing.
SMS_DELIVERY_TASKS = env.int("SMS_DELIVERY_TASKS", default=2)
# SMS_BACKEND=aliyun: Aliyun SMS through its SDK. Templates map our message kinds to the
# template codes approved in the Aliyun console: "verification_code=SMS_1,decision=SMS_2,...".
ALIYUN_SMS = {
    "access_key_id": env.str("ALIYUN_SMS_ACCESS_KEY_ID", default=""),
    "access_key_secret": env.str("ALIYUN_SMS_ACCESS_KEY_SECRET", default=""),
    "sign_name": env.str("ALIYUN_SMS_SIGN_NAME", default=SMS_SIGN_NAME),
    "endpoint": env.str("ALIYUN_SMS_ENDPOINT", default="dysmsapi.aliyuncs.com"),
    "protocol": env.str("ALIYUN_SMS_PROTOCOL", default="https"),
    "templates": env.dict("ALIYUN_SMS_TEMPLATES", default={}),
    "timeout_ms": env.int("ALIYUN_SMS_TIMEOUT_MS", default=5000),
    "retries": env.int("ALIYUN_SMS_RETRIES", default=2),
    "backoff_seconds": env.float("ALIYUN_SMS_BACKOFF_SECONDS", default=1.0),
}

# --- The client API (/api/v1/, the ``api`` app) ----------------------------------
# Bearer tokens (accounts.tokens): an access token lives this many seconds, a refresh token days.
API_ACCESS_TOKEN_SECONDS = env.int("API_ACCESS_TOKEN_SECONDS", default=15 * 60)
API_REFRESH_TOKEN_DAYS = env.int("API_REFRESH_TOKEN_DAYS", default=30)
# Requests per minute, counted in the rate-limit store (shared by every app server): per signed-in
# account, and per client address for everyone (a venue's Wi-Fi puts many phones behind one address).
API_RATE_PER_ACCOUNT = env.int("API_RATE_PER_ACCOUNT", default=600)
API_RATE_PER_ADDRESS = env.int("API_RATE_PER_ADDRESS", default=6000)
# Once /api/v2/ exists: the last day of v1 (YYYY-MM-DD); v1 then sends Deprecation and Sunset headers.
API_V1_SUNSET = env.str("API_V1_SUNSET", default="")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["api.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttles.AddressThrottle", "api.throttles.AccountThrottle"],
    "DEFAULT_SCHEMA_CLASS": "api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "云上科普日 API",
    "DESCRIPTION": "",  # written by api.schema.postprocess
    "VERSION": "1.0.0",
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"persistAuthorization": False, "displayOperationId": False},
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "api.schema.postprocess"],
}

# --- Language, time ---------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and media files -------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", xstatic_bootstrap.BASE_DIR),
]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Django serves MEDIA_URL itself only when this is on (development); in production the reverse
# proxy does, with the same headers (README). Either way only the stored types go out, never run.
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=DEBUG)
# Files that must never be served as they are (exports with phone numbers): a view checks access.
# They stay on this disk with either MEDIA_STORAGE (web and workers must share the folder).
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=BASE_DIR / "private")
# A poster replaced, or an activity deleted (删除), keeps its files this long; then beat deletes them
# from the storage (activities/files.py).
MEDIA_GRACE_DAYS = env.int("MEDIA_GRACE_DAYS", default=30)
# Where posters, photos and attachments go: "local" (MEDIA_ROOT) or "s3", an S3-compatible
# bucket (AWS, MinIO, Aliyun OSS, Tencent COS) through django-storages (kepuri/storage.py).
MEDIA_STORAGE = env.str("MEDIA_STORAGE", default="local")
if MEDIA_STORAGE == "local":
    MEDIA_STORAGE_BACKEND = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
elif MEDIA_STORAGE == "s3":
    S3_BUCKET = env.str("S3_BUCKET")
    S3_ENDPOINT_URL = env.str("S3_ENDPOINT_URL", default="").rstrip("/")
    S3_CUSTOM_DOMAIN = env.str("S3_CUSTOM_DOMAIN", default="")
    S3_ADDRESSING_STYLE = env.str("S3_ADDRESSING_STYLE", default="")
    MEDIA_STORAGE_BACKEND = {
        "BACKEND": "kepuri.storage.MediaStorage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            # Those not set are left to django-storages and boto3 (AWS_* variables, an instance role).
            **{
                option: value
                for option, value in {
                    "endpoint_url": S3_ENDPOINT_URL,
                    "region_name": env.str("S3_REGION", default=""),
                    "access_key": env.str("S3_ACCESS_KEY_ID", default=""),
                    "secret_key": env.str("S3_SECRET_ACCESS_KEY", default=""),
                    "custom_domain": S3_CUSTOM_DOMAIN,
                    "addressing_style": S3_ADDRESSING_STYLE,
                }.items()
                if value
            },
            # Public media: plain links that pages and caches can keep (the bucket allows reading).
            "querystring_auth": env.bool("S3_QUERYSTRING_AUTH", default=False),
            "file_overwrite": False,
            "default_acl": None,
            # Every name is new (random, never overwritten): a copy may be kept for a week.
            "object_parameters": {"CacheControl": "public, max-age=604800"},
        },
    }
    # The objects' address, as django-storages writes it into pages: the route of Django's media
    # view is then left out (kepuri/urls.py) and pages may show images from there (the CSP below).
    if S3_CUSTOM_DOMAIN:
        MEDIA_URL = f"https://{S3_CUSTOM_DOMAIN}/"
    elif S3_ENDPOINT_URL and S3_ADDRESSING_STYLE == "virtual":
        scheme, _, host = S3_ENDPOINT_URL.partition("://")
        MEDIA_URL = f"{scheme}://{S3_BUCKET}.{host}/"
    elif S3_ENDPOINT_URL:
        MEDIA_URL = f"{S3_ENDPOINT_URL}/{S3_BUCKET}/"
    else:
        MEDIA_URL = f"https://{S3_BUCKET}.s3.amazonaws.com/"
else:
    raise ImproperlyConfigured(f"MEDIA_STORAGE is “local” or “s3”, not “{MEDIA_STORAGE}”.")
STORAGES = {
    "default": MEDIA_STORAGE_BACKEND,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Security ---------------------------------------------------------------
# Strict by default once DEBUG is off; each can be relaxed by its variable.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

# No inline script or style anywhere: every page holds under this policy.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *([MEDIA_URL] if "://" in MEDIA_URL else [])],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# --- Logging ----------------------------------------------------------------
# JSON lines in production (one object a line, for the log collector), plain text in development;
# mobile numbers masked and the request id on every line either way (kepuri/logs.py).
LOG_FORMAT = env.str("LOG_FORMAT", default="plain" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {
            "()": "kepuri.logs.MaskingFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s",
        },
        "json": {
            "()": "kepuri.logs.MaskingJsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
# Workers log through the same handlers (JSON, masked, with the queuing request's id).
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
