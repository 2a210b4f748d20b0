"""The limits of SPEC §2 on SMS codes and logins, counted with the `limits` library.

Counts live in ``settings.RATELIMIT_STORAGE_URI``: Redis when ``REDIS_URL`` is
set, so that every app server shares them, process memory otherwise. Windows
are moving windows over the application clock (``time.time()``), so each rule
means exactly what it says ("at most 5 in any hour") and a refusal can tell the
user when the oldest counted event leaves the window.

When the store cannot be reached, sending SMS is refused (fail closed: an
unmetered sender is a cost and an abuse vector) while logins go on without
counting (fail open: a cache outage on deadline day must not lock everyone out);
the outage is logged either way.
"""

import functools
import logging
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.utils import timezone
from limits import (
    RateLimitItem,
    RateLimitItemPerDay,
    RateLimitItemPerHour,
    RateLimitItemPerMinute,
    RateLimitItemPerSecond,
)
from limits.errors import StorageError
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

logger = logging.getLogger(__name__)


class LimitExceeded(Exception):
    """Refused by a limit; ``message`` says why and when to retry."""

    def __init__(self, message: str, retry_at: datetime):
        super().__init__(message)
        self.message = message
        self.retry_at = retry_at

    @property
    def retry_after(self) -> int:
        """Whole seconds until a retry can succeed."""
        return max(1, math.ceil((self.retry_at - timezone.now()).total_seconds()))


class LimiterUnavailable(Exception):
    """The shared count cannot be read or written."""


@dataclass(frozen=True)
class Rule:
    name: str
    item: RateLimitItem
    reason: str  # why the user is refused; the retry time is appended


SMS_RESEND_SECONDS = 60  # the page counts down this long after each code

SMS_PHONE_RULES = (
    Rule("sms-phone-60s", RateLimitItemPerSecond(1, SMS_RESEND_SECONDS), "验证码发送过于频繁"),
    Rule("sms-phone-hour", RateLimitItemPerHour(5), "该手机号1小时内获取验证码已达5次"),
    Rule("sms-phone-day", RateLimitItemPerDay(10), "该手机号24小时内获取验证码已达10次"),
)
SMS_IP_RULE = Rule("sms-ip-hour", RateLimitItemPerHour(20), "当前网络1小时内获取验证码已达20次")

LOGIN_PHONE_FAILURES = Rule("login-phone-failures", RateLimitItemPerMinute(5, 15), "登录失败次数过多")
LOGIN_PHONE_LOCK = Rule(
    "login-phone-lock",
    RateLimitItemPerMinute(1, 15),
    "该手机号15分钟内连续登录失败5次，已锁定15分钟",
)
LOGIN_IP_FAILURES = Rule("login-ip-failures", RateLimitItemPerHour(50), "当前网络1小时内登录失败已达50次")


@functools.lru_cache(maxsize=4)
def _limiter_for(uri: str, key_prefix: str) -> MovingWindowRateLimiter:
    options = {}
    if uri.startswith("redis"):  # redis:// and rediss://
        options = {"key_prefix": key_prefix, "socket_timeout": 1, "socket_connect_timeout": 1}
    storage = storage_from_string(uri, wrap_exceptions=True, **options)
    return MovingWindowRateLimiter(storage)


def limiter() -> MovingWindowRateLimiter:
    return _limiter_for(settings.RATELIMIT_STORAGE_URI, settings.RATELIMIT_KEY_PREFIX)


def storage():
    """The store the limits are counted in, for counters of other shapes (``api.throttles``)."""
    return limiter().storage


def reset_all() -> None:
    """Forget every count under our key prefix (tests, and admins after an attack)."""
    limiter().storage.reset()


def format_retry(retry_at: datetime) -> str:
    """'请 37 秒后再试' for short waits, else the local time to come back at."""
    seconds = math.ceil((retry_at - timezone.now()).total_seconds())
    if seconds <= 120:
        return f"请 {max(seconds, 1)} 秒后再试"
    local = timezone.localtime(retry_at)
    if local.second or local.microsecond:  # never tell the user a minute too early
        local = local.replace(second=0, microsecond=0) + timedelta(minutes=1)
    if local.date() == timezone.localdate():
        return f"请于 {local:%H:%M} 后再试"
    return f"请于 {local.month}月{local.day}日 {local:%H:%M} 后再试"


def _refusal(rule: Rule, key: str) -> LimitExceeded:
    reset = limiter().get_window_stats(rule.item, rule.name, key).reset_time
    retry_at = datetime.fromtimestamp(reset, tz=UTC)
    return LimitExceeded(f"{rule.reason}，{format_retry(retry_at)}", retry_at)


def _first_refusal(checks) -> LimitExceeded | None:
    """Of the rules that refuse now, the one that refuses longest."""
    refusals = [_refusal(rule, key) for rule, key in checks if not limiter().test(rule.item, rule.name, key)]
    return max(refusals, key=lambda r: r.retry_at, default=None)


def _acquire(checks) -> None:
    """Count one event under every (rule, key) of ``checks``, or raise if any refuses it."""
    try:
        if refusal := _first_refusal(checks):
            raise refusal
        for rule, key in checks:
            if not limiter().hit(rule.item, rule.name, key):  # lost a race since the test
                raise _refusal(rule, key)
    except StorageError as exc:
        logger.error("Rate-limit store unreachable, SMS refused: %s", exc)
        raise LimiterUnavailable from exc


def acquire_sms_request(*, ip: str) -> None:
    """Count a request for a code from ``ip`` (sent or not), or raise if its limit refuses it."""
    _acquire([(SMS_IP_RULE, ip)])


def acquire_sms_send(*, phone: str) -> None:
    """Count one SMS to ``phone``, or raise if one of the phone's limits refuses it."""
    _acquire([(rule, phone) for rule in SMS_PHONE_RULES])


def check_login_allowed(*, phone: str, ip: str) -> None:
    """Raise ``LimitExceeded`` while the phone is locked or the address has failed too often."""
    try:
        refusal = _first_refusal([(LOGIN_PHONE_LOCK, phone), (LOGIN_IP_FAILURES, ip)])
    except StorageError as exc:
        logger.error("Rate-limit store unreachable, login not limited: %s", exc)
        return
    if refusal:
        raise refusal


def record_login_failure(*, phone: str, ip: str) -> int | None:
    """Count a failed login; return the tries left before the phone is locked.

    0 means the phone is locked from now on; None that nothing could be counted.
    """
    try:
        limiter().hit(LOGIN_IP_FAILURES.item, LOGIN_IP_FAILURES.name, ip)
        limiter().hit(LOGIN_PHONE_FAILURES.item, LOGIN_PHONE_FAILURES.name, phone)
        stats = limiter().get_window_stats(LOGIN_PHONE_FAILURES.item, LOGIN_PHONE_FAILURES.name, phone)
        if stats.remaining <= 0:
            limiter().hit(LOGIN_PHONE_LOCK.item, LOGIN_PHONE_LOCK.name, phone)
            return 0
        return stats.remaining
    except StorageError as exc:
        logger.error("Rate-limit store unreachable, login failure not counted: %s", exc)
        return None


def login_lock_refusal(*, phone: str) -> LimitExceeded:
    """The refusal to show right after the failure that locked ``phone``."""
    return _refusal(LOGIN_PHONE_LOCK, phone)


def clear_login_failures(*, phone: str) -> None:
    """A successful login or password reset starts the phone's count afresh."""
    try:
        limiter().clear(LOGIN_PHONE_FAILURES.item, LOGIN_PHONE_FAILURES.name, phone)
        limiter().clear(LOGIN_PHONE_LOCK.item, LOGIN_PHONE_LOCK.name, phone)
    except StorageError as exc:
        logger.error("Rate-limit store unreachable, failures not cleared: %s", exc)
