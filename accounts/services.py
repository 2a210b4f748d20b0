"""What a visitor or user can do with an account: codes, registration, login, passwords.

Every refusal is an ``AccountError`` whose ``message`` is shown to the user as is.
"""

import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

import sms

from . import ratelimits
from .models import SmsCode, User

logger = logging.getLogger(__name__)

CODE_DIGITS = 6
CODE_VALIDITY = timedelta(minutes=5)
CODE_MAX_WRONG_TRIES = 5

ALREADY_REGISTERED = "该手机号已注册，请直接登录"
NOT_REGISTERED = "该手机号尚未注册"


class AccountError(Exception):
    """A refusal to show to the user; ``retry_after`` (seconds) when waiting helps."""

    def __init__(self, message: str, retry_after: int | None = None):
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


# --- SMS codes --------------------------------------------------------------


def _code_hmac(*, phone: str, purpose: str, code: str) -> str:
    return salted_hmac("kepuri.accounts.SmsCode", f"{phone}:{purpose}:{code}", algorithm="sha256").hexdigest()


def check_phone_for(*, phone: str, purpose: str) -> None:
    """Refuse a phone that cannot be used for ``purpose``: registered for 注册, unknown for 找回密码."""
    registered = User.objects.filter(phone=phone).exists()
    if purpose == SmsCode.Purpose.REGISTER and registered:
        raise AccountError(ALREADY_REGISTERED)
    if purpose == SmsCode.Purpose.RESET and not registered:
        raise AccountError(NOT_REGISTERED)


def request_sms_code(*, phone: str, purpose: str, ip: str) -> SmsCode:
    """Send a fresh code for ``purpose`` to ``phone`` (already canonical and valid).

    The address's limit is taken before anything is looked up, so that it also
    bounds how fast one address can learn which numbers are registered.
    """
    try:
        ratelimits.acquire_sms_request(ip=ip)
        check_phone_for(phone=phone, purpose=purpose)
        ratelimits.acquire_sms_send(phone=phone)
    except ratelimits.LimitExceeded as exc:
        raise AccountError(exc.message, retry_after=exc.retry_after) from exc
    except ratelimits.LimiterUnavailable as exc:
        raise AccountError("短信服务暂时不可用，请稍后再试") from exc

    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    now = timezone.now()
    sms_code = SmsCode.objects.create(
        phone=phone,
        purpose=purpose,
        code_hmac=_code_hmac(phone=phone, purpose=purpose, code=code),
        created_at=now,
        expires_at=now + CODE_VALIDITY,
    )
    minutes = int(CODE_VALIDITY.total_seconds() // 60)
    label = SmsCode.Purpose(purpose).label
    message = sms.SmsMessage(
        phone=phone,
        template="verification_code",
        params={"code": code, "purpose": label, "minutes": str(minutes)},
        text=(
            f"【{settings.SMS_SIGN_NAME}】您的验证码为{code}，用于{label}，"
            f"{minutes}分钟内有效。如非本人操作，请忽略本短信。"
        ),
    )
    try:
        sms.send_sms(message)
    except sms.SmsSendError as exc:
        logger.warning("SMS code to %s not sent: %s", phone, exc)
        sms_code.delete()
        raise AccountError("短信发送失败，请稍后再试") from exc
    return sms_code


def check_sms_code(*, phone: str, purpose: str, code: str) -> SmsCode:
    """Return the matching live code, or count a wrong try and raise.

    The code is not used up here: ``use_sms_code`` does that in the transaction
    that acts on it, so a form error elsewhere does not cost the user a code.
    """
    latest = SmsCode.objects.filter(phone=phone, purpose=purpose).order_by("-created_at", "-id").first()
    if latest is None:
        raise AccountError("请先获取验证码")
    if latest.used_at is not None:
        raise AccountError("验证码已使用，请重新获取")
    if latest.failed_attempts >= CODE_MAX_WRONG_TRIES:
        raise AccountError("验证码错误次数过多，已失效，请重新获取")
    if latest.expires_at <= timezone.now():
        raise AccountError("验证码已过期，请重新获取")
    if constant_time_compare(latest.code_hmac, _code_hmac(phone=phone, purpose=purpose, code=code)):
        return latest

    SmsCode.objects.filter(pk=latest.pk, failed_attempts__lt=CODE_MAX_WRONG_TRIES).update(
        failed_attempts=F("failed_attempts") + 1
    )
    latest.refresh_from_db(fields=["failed_attempts"])
    left = CODE_MAX_WRONG_TRIES - latest.failed_attempts
    if left <= 0:
        raise AccountError("验证码错误次数过多，已失效，请重新获取")
    raise AccountError(f"验证码错误，还可尝试{left}次")


def use_sms_code(sms_code: SmsCode) -> None:
    """Use the code up, once: of two requests racing with it, one wins."""
    now = timezone.now()
    used = SmsCode.objects.filter(
        pk=sms_code.pk,
        used_at__isnull=True,
        failed_attempts__lt=CODE_MAX_WRONG_TRIES,
        expires_at__gt=now,
    ).update(used_at=now)
    if used != 1:
        raise AccountError("验证码已失效，请重新获取")


def purge_expired_sms_codes(*, older_than: timedelta = timedelta(days=1)) -> int:
    """Delete codes that expired more than ``older_than`` ago; return how many."""
    deleted, _ = SmsCode.objects.filter(expires_at__lt=timezone.now() - older_than).delete()
    return deleted


# --- Registration and passwords --------------------------------------------


@transaction.atomic
def register_user(*, sms_code: SmsCode, password: str) -> User:
    """Create the account of ``sms_code.phone``, who agreed to the terms now."""
    use_sms_code(sms_code)
    try:
        with transaction.atomic():
            return User.objects.create_user(
                phone=sms_code.phone, password=password, terms_accepted_at=timezone.now()
            )
    except IntegrityError as exc:
        raise AccountError(ALREADY_REGISTERED) from exc


@transaction.atomic
def reset_password(*, sms_code: SmsCode, password: str) -> User:
    """Set a new password for the account of ``sms_code.phone`` and lift its login lock."""
    use_sms_code(sms_code)
    user = User.objects.select_for_update().filter(phone=sms_code.phone).first()
    if user is None:
        raise AccountError(NOT_REGISTERED)
    user.set_password(password)
    user.save(update_fields=["password"])
    ratelimits.clear_login_failures(phone=user.phone)
    return user


# --- Login -----------------------------------------------------------------


def authenticate_by_phone(*, request, phone: str, password: str, ip: str) -> User:
    """The user whose phone and password these are, within the login limits."""
    try:
        ratelimits.check_login_allowed(phone=phone, ip=ip)
    except ratelimits.LimitExceeded as exc:
        raise AccountError(exc.message, retry_after=exc.retry_after) from exc

    user = authenticate(request, phone=phone, password=password)
    if user is None:
        left = ratelimits.record_login_failure(phone=phone, ip=ip)
        if left == 0:
            refusal = ratelimits.login_lock_refusal(phone=phone)
            raise AccountError(refusal.message, retry_after=refusal.retry_after)
        if left is None:
            raise AccountError("手机号码或密码错误")
        raise AccountError(f"手机号码或密码错误，还可尝试{left}次")
    ratelimits.clear_login_failures(phone=phone)
    return user
