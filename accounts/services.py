"""What a visitor or user can do with an account: codes, registration, login, passwords,
更换手机号 and 注销账号; what an admin does to one: 停用 and 启用.

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
from kepuri.errors import Refusal
from kepuri.logs import mask_phone

from . import personal_data, ratelimits, tokens
from .models import DELETED_PHONE_PREFIX, ApiToken, ExternalLogin, SmsCode, User

logger = logging.getLogger(__name__)

CODE_DIGITS = 6
CODE_VALIDITY = timedelta(minutes=5)
CODE_MAX_WRONG_TRIES = 5
CODE_SENT = f"验证码已发送，{int(CODE_VALIDITY.total_seconds() // 60)}分钟内有效"

ALREADY_REGISTERED = "该手机号已注册，请直接登录"
NOT_REGISTERED = "该手机号尚未注册"
LOG_IN_FIRST = "请先登录"
PHONE_TAKEN = "该手机号已被其他账号使用"
DEACTIVATED = "该账号已停用，请联系管理员"
CONSENT_NEEDED = "该手机号尚未注册，请阅读并同意《云上科普日网络服务使用协议》后登录"


class AccountError(Refusal):
    """A refusal to show to the user (``kepuri.errors.Refusal``); ``retry_after`` when waiting helps."""


# --- SMS codes --------------------------------------------------------------


def _code_hmac(*, phone: str, purpose: str, code: str) -> str:
    return salted_hmac("kepuri.accounts.SmsCode", f"{phone}:{purpose}:{code}", algorithm="sha256").hexdigest()


def check_phone_for(*, phone: str, purpose: str, user: User | None = None) -> None:
    """Refuse a phone that cannot be used for ``purpose``: registered for 注册, unknown for 找回密码;
    for 更换手机号 (``user`` is who changes), anything but the user's own number as the 原号码, and
    the user's own or another account's number as the 新号码."""
    own = (SmsCode.Purpose.CHANGE_PHONE_OLD, SmsCode.Purpose.SET_PASSWORD)  # to the user's own number
    changing = purpose in (SmsCode.Purpose.CHANGE_PHONE, *own)
    if changing and (user is None or not user.is_authenticated):
        raise AccountError(LOG_IN_FIRST, code="not_authenticated")
    if purpose in own:
        if phone != user.phone:
            raise AccountError("验证码只能发送到当前账号的手机号", code="invalid")
        return
    if purpose == SmsCode.Purpose.CHANGE_PHONE and phone == user.phone:
        raise AccountError("新手机号与当前手机号相同", code="invalid")
    registered = User.objects.filter(phone=phone).exists()
    if purpose == SmsCode.Purpose.REGISTER and registered:
        raise AccountError(ALREADY_REGISTERED, code="already_registered")
    if purpose == SmsCode.Purpose.RESET and not registered:
        raise AccountError(NOT_REGISTERED, code="not_registered")
    if purpose == SmsCode.Purpose.CHANGE_PHONE and registered:
        raise AccountError(PHONE_TAKEN, code="phone_taken")


def request_sms_code(*, phone: str, purpose: str, ip: str, user: User | None = None) -> SmsCode:
    """Send a fresh code for ``purpose`` to ``phone`` (already canonical and valid), asked by ``user``.

    The address's limit is taken before anything is looked up, so that it also
    bounds how fast one address can learn which numbers are registered.
    """
    try:
        ratelimits.acquire_sms_request(ip=ip)
        check_phone_for(phone=phone, purpose=purpose, user=user)
        ratelimits.acquire_sms_send(phone=phone)
    except ratelimits.LimitExceeded as exc:
        raise AccountError(exc.message, retry_after=exc.retry_after, code="rate_limited") from exc
    except ratelimits.LimiterUnavailable as exc:
        raise AccountError("短信服务暂时不可用，请稍后再试", code="sms_unavailable") from exc

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
        raise AccountError("短信发送失败，请稍后再试", code="sms_unavailable") from exc
    return sms_code


def check_sms_code(*, phone: str, purpose: str, code: str) -> SmsCode:
    """Return the matching live code, or count a wrong try and raise.

    The code is not used up here: ``use_sms_code`` does that in the transaction
    that acts on it, so a form error elsewhere does not cost the user a code.
    """
    latest = SmsCode.objects.filter(phone=phone, purpose=purpose).order_by("-created_at", "-id").first()
    if latest is None:
        raise AccountError("请先获取验证码", code="code_invalid")
    if latest.used_at is not None:
        raise AccountError("验证码已使用，请重新获取", code="code_invalid")
    if latest.failed_attempts >= CODE_MAX_WRONG_TRIES:
        raise AccountError("验证码错误次数过多，已失效，请重新获取", code="code_invalid")
    if latest.expires_at <= timezone.now():
        raise AccountError("验证码已过期，请重新获取", code="code_invalid")
    if constant_time_compare(latest.code_hmac, _code_hmac(phone=phone, purpose=purpose, code=code)):
        return latest

    SmsCode.objects.filter(pk=latest.pk, failed_attempts__lt=CODE_MAX_WRONG_TRIES).update(
        failed_attempts=F("failed_attempts") + 1
    )
    latest.refresh_from_db(fields=["failed_attempts"])
    left = CODE_MAX_WRONG_TRIES - latest.failed_attempts
    if left <= 0:
        raise AccountError("验证码错误次数过多，已失效，请重新获取", code="code_invalid")
    raise AccountError(f"验证码错误，还可尝试{left}次", code="code_invalid")


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
        raise AccountError("验证码已失效，请重新获取", code="code_invalid")


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
        raise AccountError(ALREADY_REGISTERED, code="already_registered") from exc


@transaction.atomic
def reset_password(*, sms_code: SmsCode, password: str) -> User:
    """Set a new password for the account of ``sms_code.phone`` and lift its login lock."""
    use_sms_code(sms_code)
    user = User.objects.select_for_update().filter(phone=sms_code.phone).first()
    if user is None:
        raise AccountError(NOT_REGISTERED, code="not_registered")
    user.set_password(password)
    user.save(update_fields=["password"])
    tokens.revoke_all(user)
    ratelimits.clear_login_failures(phone=user.phone)
    return user


@transaction.atomic
def set_password_by_code(*, user: User, sms_code: SmsCode, password: str) -> None:
    """设置密码: an account made by 验证码登录 or 科普中国 has none; a code to its own number proves it."""
    if sms_code.purpose != SmsCode.Purpose.SET_PASSWORD or sms_code.phone != user.phone:
        raise AccountError("验证码已失效，请重新获取", code="code_invalid")
    use_sms_code(sms_code)
    change_password(user=user, password=password)


@transaction.atomic
def change_password(*, user: User, password: str) -> None:
    """修改密码 (the caller has checked the old one): the account's other sessions and every API token end."""
    user.set_password(password)
    user.save(update_fields=["password"])
    tokens.revoke_all(user)


# --- Login -----------------------------------------------------------------


def authenticate_by_phone(*, request, phone: str, password: str, ip: str) -> User:
    """The user whose phone and password these are, within the login limits."""
    try:
        ratelimits.check_login_allowed(phone=phone, ip=ip)
    except ratelimits.LimitExceeded as exc:
        raise AccountError(exc.message, retry_after=exc.retry_after, code="login_locked") from exc

    user = authenticate(request, phone=phone, password=password)
    if user is None and _deactivated(phone=phone, password=password):
        raise AccountError(DEACTIVATED, code="account_disabled")
    if user is None:
        raise _password_failure(phone=phone, ip=ip, wrong="手机号码或密码错误", code="invalid_credentials")
    ratelimits.clear_login_failures(phone=phone)
    return user


def confirm_password(*, user: User, password: str, ip: str) -> None:
    """The account's password typed again before 更换手机号 or 注销账号, within the login limits.

    The same counts as 登录's (the account's phone and the address, ``ratelimits``): a wrong
    password here is a failed login there, and a phone locked by either is refused by both, the
    right password too, with the same message. A right one clears the phone's failures.
    """
    try:
        ratelimits.check_login_allowed(phone=user.phone, ip=ip)
    except ratelimits.LimitExceeded as exc:
        raise AccountError(exc.message, retry_after=exc.retry_after, code="login_locked") from exc
    if not user.check_password(password):
        raise _password_failure(phone=user.phone, ip=ip, wrong="密码错误", code="password_incorrect")
    ratelimits.clear_login_failures(phone=user.phone)


def _password_failure(*, phone: str, ip: str, wrong: str, code: str) -> AccountError:
    """Count a wrong password for ``phone``; the refusal: ``wrong`` with the tries left, or the lock."""
    left = ratelimits.record_login_failure(phone=phone, ip=ip)
    if left == 0:
        refusal = ratelimits.login_lock_refusal(phone=phone)
        return AccountError(refusal.message, retry_after=refusal.retry_after, code="login_locked")
    if left is None:
        return AccountError(wrong, code=code)
    return AccountError(f"{wrong}，还可尝试{left}次", code=code)


def _deactivated(*, phone: str, password: str) -> bool:
    """Whether these are the right credentials of an account an admin has 停用.

    Only the right password learns that the account is off: anyone else is told
    手机号码或密码错误, as for any wrong password.
    """
    user = User.objects.filter(phone=phone, is_active=False).first()
    return user is not None and user.check_password(password)


@transaction.atomic
def log_in_by_code(*, sms_code: SmsCode, agree: bool) -> User:
    """验证码登录: the account of the code's phone, or a new one (no password) if its owner agrees now.

    A phone without an account is refused unless ``agree`` (同意协议并登录): the
    consent time is stored as at 注册. The code is used up only when someone is
    logged in. A successful login clears the phone's failed password logins.
    """
    user = User.objects.select_for_update().filter(phone=sms_code.phone).first()
    if user is None and not agree:
        raise AccountError(CONSENT_NEEDED, code="consent_required")
    if user is not None and not user.is_active:
        raise AccountError(DEACTIVATED, code="account_disabled")
    use_sms_code(sms_code)
    if user is None:
        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    phone=sms_code.phone, password=None, terms_accepted_at=timezone.now()
                )
        except IntegrityError:  # registered by a request racing this one
            user = User.objects.get(phone=sms_code.phone)
    ratelimits.clear_login_failures(phone=user.phone)
    return user


# --- 科普中国账号登录 (accounts/oidc.py does the protocol) -------------------------------


def sso_user(*, issuer: str, subject: str, phone: str | None) -> User | None:
    """The account of the provider's ``subject``: linked before, or linked now by its verified
    mobile number (the account of that number, or a new one); None when a phone must be asked for."""
    link = ExternalLogin.objects.select_related("user").filter(issuer=issuer, subject=subject).first()
    if link is not None:
        return link.user
    if phone is None:
        return None
    return _link_external(issuer=issuer, subject=subject, phone=phone)


@transaction.atomic
def bind_external(*, issuer: str, subject: str, sms_code: SmsCode) -> User:
    """绑定手机号: the provider gave no verified phone; the person proved one with a code."""
    use_sms_code(sms_code)
    return _link_external(issuer=issuer, subject=subject, phone=sms_code.phone)


def _link_external(*, issuer: str, subject: str, phone: str) -> User:
    """Link ``subject`` to the account of ``phone``, made now if there is none.

    A new account accepts the agreement now: the login and binding pages say that
    continuing does. A click racing this one (the same subject) gets the same account.
    """
    try:
        with transaction.atomic():
            user = User.objects.select_for_update().filter(phone=phone).first()
            if user is None:
                user = User.objects.create_user(phone=phone, password=None, terms_accepted_at=timezone.now())
            elif ExternalLogin.objects.filter(user=user, issuer=issuer).exclude(subject=subject).exists():
                raise AccountError(
                    "该手机号已绑定另一个科普中国账号，请先登录后在个人中心解除绑定", code="phone_taken"
                )
            ExternalLogin.objects.get_or_create(issuer=issuer, subject=subject, defaults={"user": user})
    except IntegrityError:
        pass  # the same subject linked by a click that raced this one
    return ExternalLogin.objects.select_related("user").get(issuer=issuer, subject=subject).user


def unlink_external(*, user: User) -> int:
    """解除绑定: the account is reached by phone and password (or 忘记密码) only; how many were removed."""
    removed, _ = ExternalLogin.objects.filter(user=user).delete()
    return removed


# --- 更换手机号 and 注销账号 (个人中心); 停用 and 启用 (admin) ----------------------------


@transaction.atomic
def change_phone(*, user: User, old_code: SmsCode, new_code: SmsCode) -> str:
    """更换手机号: move ``user`` to the number of ``new_code``; returns the old number.

    The change is proven by a code sent to the current number (原号码) and one sent to
    the new number, both found by ``check_sms_code``; the caller has checked the
    password. Both codes are used up here, in the transaction that moves the number:
    either both are spent and the number changed, or neither. From then on only the
    new number logs in; the account's other sessions end at their next request (a
    session is bound to the phone, see ``User.get_session_auth_hash``); the old number
    is told by SMS once the change is committed.
    """
    locked = User.objects.select_for_update().get(pk=user.pk)
    if (
        old_code.purpose != SmsCode.Purpose.CHANGE_PHONE_OLD
        or old_code.phone != locked.phone
        or new_code.purpose != SmsCode.Purpose.CHANGE_PHONE
    ):
        raise AccountError("验证码已失效，请重新获取", code="code_invalid")
    check_phone_for(phone=new_code.phone, purpose=SmsCode.Purpose.CHANGE_PHONE, user=locked)
    use_sms_code(old_code)
    use_sms_code(new_code)
    old_phone, new_phone = locked.phone, new_code.phone
    locked.phone = new_phone
    try:
        with transaction.atomic():
            locked.save(update_fields=["phone"])
    except IntegrityError as exc:  # taken by a registration racing this change
        raise AccountError(PHONE_TAKEN, code="phone_taken") from exc
    user.phone = new_phone
    tokens.revoke_all(locked)
    transaction.on_commit(lambda: _tell_old_phone(old_phone=old_phone, new_phone=new_phone), robust=True)
    return old_phone


def _tell_old_phone(*, old_phone: str, new_phone: str) -> None:
    """The notice to the number that was replaced: it can no longer log in, and whom to ask if it was not you.

    Sent straight to that number: the outbox (notifications) sends to an account's
    current number, which is now the new one. A failure is logged; the change stands.
    """
    masked = mask_phone(new_phone)
    message = sms.SmsMessage(
        phone=old_phone,
        template="phone_changed",
        params={"phone": masked},
        text=(
            f"【{settings.SMS_SIGN_NAME}】您的云上科普日账号已将登录手机号更换为{masked}，"
            "本号码不能再用于登录。如非本人操作，请立即联系管理员。"
        ),
    )
    try:
        sms.send_sms(message)
    except sms.SmsSendError as exc:
        logger.warning("Phone change notice to %s not sent: %s", mask_phone(old_phone), exc)


def deletion_refusal(user: User) -> str | None:
    """Why ``user`` cannot delete their own account, or None: admins and reviewers ask an admin."""
    if user.is_superuser or user.is_staff:
        return "管理员账号不能自行注销，请联系其他管理员处理"
    return personal_data.deletion_refusal(user)


@transaction.atomic
def delete_account(*, user: User) -> None:
    """注销账号, by the user (the caller has checked the password); it cannot be undone.

    The row stays, because activities (Activity.owner), the review log
    (ReviewDecision.actor, append-only) and other records point at it, but nothing
    in it identifies the person any more:

    - removed: the phone (replaced by ``deleted-<id>``, which is no phone: it cannot
      log in, cannot collide, and leaves the number free to register afresh), the
      name, the password (made unusable, which also ends every session), the last
      login time, groups and permissions, the 科普中国 links (ExternalLogin), the API tokens and the
      SMS codes sent to the number; the account is inactive and ``deleted_at`` set;
    - kept: the registration and consent times (when the account existed and under
      which terms what it published was published), and whatever the apps above keep,
      each as documented next to its eraser (``accounts.personal_data``): the
      activities stay with their organisation, comments stay as content under
      已注销用户, likes, favourites and check-ins stay as the counts they made;
    - the organisation (单位信息) stays as it is, its contact (填报人姓名, 填报人电话)
      included: that is the organisation's contact for the reviewers, copied onto every
      activity it submitted, not the account's; an admin edits it on request. A poster
      staged by an unfinished form goes with the daily purge of staged posters.
    """
    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.is_deleted:
        raise AccountError("该账号已注销", code="not_found")
    if reason := deletion_refusal(locked):
        raise AccountError(reason, code="permission_denied")
    personal_data.erase(locked)
    unlink_external(user=locked)
    ApiToken.objects.filter(user=locked).delete()
    SmsCode.objects.filter(phone=locked.phone).delete()
    locked.groups.clear()
    locked.user_permissions.clear()
    locked.phone = f"{DELETED_PHONE_PREFIX}{locked.pk}"
    locked.name = ""
    locked.set_unusable_password()
    locked.last_login = None
    locked.is_active = False
    locked.deleted_at = timezone.now()
    locked.save()


def deactivate_account(*, user: User, by: User) -> bool:
    """停用 (an admin): the account can no longer log in, and its open sessions end at their
    next request (Django's ModelBackend lets no inactive user in). Returns whether it changed."""
    if user.pk == by.pk:
        raise AccountError("不能停用自己的账号")
    changed = User.objects.filter(pk=user.pk, is_active=True).update(is_active=False) == 1
    tokens.revoke_all(user)
    return changed


def reactivate_account(*, user: User) -> bool:
    """启用 (an admin) an account that was 停用; a deleted account stays off. Returns whether it changed."""
    if user.is_deleted:
        raise AccountError("已注销的账号不能启用")
    return (
        User.objects.filter(pk=user.pk, is_active=False, deleted_at__isnull=True).update(is_active=True) > 0
    )
