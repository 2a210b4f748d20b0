from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .phone import PHONE_PATTERN, mask_phone, normalize_phone, validate_phone


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


class User(AbstractBaseUser, PermissionsMixin):
    """An account; its login is the mainland mobile number in canonical form."""

    phone = models.CharField(
        "手机号码",
        max_length=11,
        unique=True,
        validators=[validate_phone],
        error_messages={"unique": "该手机号已注册"},
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

    objects = UserManager()

    USERNAME_FIELD = "phone"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = verbose_name_plural = "用户"
        constraints = [
            models.CheckConstraint(
                condition=Q(phone__regex=rf"^{PHONE_PATTERN}$"),
                name="user_phone_canonical",
            ),
        ]

    def __str__(self):
        return self.name or mask_phone(self.phone)

    def get_full_name(self):
        return self.name or self.phone

    def get_short_name(self):
        return self.name or mask_phone(self.phone)

    @property
    def masked_phone(self):
        return mask_phone(self.phone)


class SmsCode(models.Model):
    """A verification code sent by SMS, kept only as an HMAC.

    A code is bound to its phone and purpose; only the latest code of a
    (phone, purpose) counts, so requesting a new one voids the older ones.
    """

    class Purpose(models.TextChoices):
        REGISTER = "register", "注册"
        RESET = "reset", "找回密码"
        CHANGE_PHONE = "change_phone", "更换手机号"

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
