from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac

from kepuri.logs import mask_phone

from .phone import PHONE_PATTERN, normalize_phone, validate_phone


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, phone, password, **extra_fields):
        phone = normalize_phone(phone)
        validate_phone(phone)
        user = self.model(phone=phone, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, phone, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(phone, password, **extra_fields)

    def create_superuser(self, phone, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        if not (extra_fields["is_staff"] and extra_fields["is_superuser"]):
            raise ValueError("A superuser needs is_staff and is_superuser.")
        return self._create_user(phone, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(phone=normalize_phone(username))


# A deleted account (注销账号) keeps its row, for the activities and the review log that name it,
# and holds this placeholder instead of a number: it is no phone, so nobody can log in with it,
# and it contains the row's id, so it never collides (accounts.services.delete_account).
DELETED_PHONE_PREFIX = "deleted-"
DELETED_USER_LABEL = "已注销用户"


class User(AbstractBaseUser, PermissionsMixin):
    """An account; its login is the mainland mobile number in canonical form."""

    phone = models.CharField(
        "手机号码",
        max_length=20,
        unique=True,
        validators=[validate_phone],
        error_messages={"unique": "该手机号已注册"},
        help_text="11位手机号码；已注销的账号为 deleted-编号。",
    )
    name = models.CharField("姓名", max_length=50, blank=True)
    is_staff = models.BooleanField("后台登录", default=False, help_text="可登录管理后台。")
    is_active = models.BooleanField("有效", default=True, help_text="取消勾选即停用该账号，而不必删除。")
    date_joined = models.DateTimeField("注册时间", default=timezone.now)
    terms_accepted_at = models.DateTimeField(
        "同意服务协议时间",
        null=True,
        blank=True,
        help_text="用户勾选同意《云上科普日网络服务使用协议》的时间。",
    )
    deleted_at = models.DateTimeField("注销时间", null=True, blank=True, help_text="用户自行注销账号的时间。")

    objects = UserManager()

    USERNAME_FIELD = "phone"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = verbose_name_plural = "用户"
        constraints = [
            # A live account has a canonical number; a deleted one, inactive, has its placeholder.
            models.CheckConstraint(
                condition=Q(phone__regex=rf"^{PHONE_PATTERN}$", deleted_at__isnull=True)
                | Q(
                    phone__regex=rf"^{DELETED_PHONE_PREFIX}[0-9]+$",
                    deleted_at__isnull=False,
                    is_active=False,
                ),
                name="user_phone_canonical_or_deleted",
            ),
        ]

    def __str__(self):
        return self.name or self.masked_phone

    def get_full_name(self):
        return self.name or (DELETED_USER_LABEL if self.is_deleted else self.phone)

    def get_short_name(self):
        return self.name or self.masked_phone

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def masked_phone(self):
        """How the account appears to others (a comment's author): 138****8000, or 已注销用户."""
        return DELETED_USER_LABEL if self.is_deleted else mask_phone(self.phone)

    # A session is bound to the phone as well as to the password (Django binds it to the
    # password only): changing either ends the account's other sessions, and the view that
    # changes it keeps its own with ``update_session_auth_hash``.

    def _session_hash(self, secret=None) -> str:
        value = f"{self.phone}\n{self.password}"
        return salted_hmac(
            "kepuri.accounts.User.session", value, secret=secret, algorithm="sha256"
        ).hexdigest()

    def get_session_auth_hash(self):
        return self._session_hash()

    def get_session_auth_fallback_hash(self):
        for fallback_secret in settings.SECRET_KEY_FALLBACKS:
            yield self._session_hash(secret=fallback_secret)


class SmsCode(models.Model):
    """A verification code sent by SMS, kept only as an HMAC.

    A code is bound to its phone and purpose; only the latest code of a
    (phone, purpose) counts, so requesting a new one voids the older ones.
    """

    class Purpose(models.TextChoices):
        REGISTER = "register", "注册"
        RESET = "reset", "找回密码"
        CHANGE_PHONE = "change_phone", "更换手机号（新号码）"
        CHANGE_PHONE_OLD = "change_phone_old", "更换手机号（原号码）"
        BIND = "bind", "绑定科普中国账号"
        LOGIN = "login", "登录"
        SET_PASSWORD = "set_password", "设置密码"

    phone = models.CharField("手机号码", max_length=11)
    purpose = models.CharField("用途", max_length=16, choices=Purpose.choices)
    code_hmac = models.CharField("验证码摘要", max_length=64)
    created_at = models.DateTimeField("发送时间", default=timezone.now)
    expires_at = models.DateTimeField("失效时间")
    failed_attempts = models.PositiveSmallIntegerField("错误次数", default=0)
    used_at = models.DateTimeField("使用时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "短信验证码"
        indexes = [models.Index(fields=["phone", "purpose", "-created_at"], name="smscode_latest")]

    def __str__(self):
        return f"{mask_phone(self.phone)} {self.get_purpose_display()}"


class ExternalLogin(models.Model):
    """A 科普中国 account (an OpenID Connect subject of an issuer) linked to a local account."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="external_logins")
    issuer = models.CharField("身份提供方", max_length=200)
    subject = models.CharField("外部账号标识", max_length=255)
    linked_at = models.DateTimeField("绑定时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "科普中国账号绑定"
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="external_login_once"),
            models.UniqueConstraint(fields=["user", "issuer"], name="external_login_one_per_issuer"),
        ]

    def __str__(self):
        return f"{self.user} ↔ {self.issuer}"


class ApiToken(models.Model):
    """A bearer token of the client API (``/api/v1/``), kept only as the SHA-256 digest of its value.

    One sign-in of a client is a *family*: the refresh token it got, the access
    tokens made from it, and each refresh token it was exchanged for. A refresh
    token is used once; presenting one already used revokes its whole family (it
    was copied). ``accounts.tokens`` issues, checks and revokes them.
    """

    class Kind(models.TextChoices):
        ACCESS = "access", "访问令牌"
        REFRESH = "refresh", "刷新令牌"

    user = models.ForeignKey(User, verbose_name="用户", on_delete=models.CASCADE, related_name="api_tokens")
    kind = models.CharField("类型", max_length=8, choices=Kind.choices)
    digest = models.CharField("令牌摘要", max_length=64, unique=True)
    family = models.UUIDField("登录批次", db_index=True)
    # The account's phone and password as they were (``User.get_session_auth_hash``): a change of
    # either by any path, the admin's included, ends every token issued before it.
    auth_hash = models.CharField(max_length=64)
    client = models.CharField("客户端", max_length=200, blank=True)
    created_at = models.DateTimeField("签发时间", default=timezone.now)
    expires_at = models.DateTimeField("过期时间")
    used_at = models.DateTimeField("已换新时间", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "接口令牌"
        indexes = [
            models.Index(fields=["user"], name="apitoken_live", condition=Q(revoked_at__isnull=True)),
            models.Index(fields=["expires_at"], name="apitoken_expiry"),
        ]

    def __str__(self):
        return f"{self.user} {self.get_kind_display()}"
