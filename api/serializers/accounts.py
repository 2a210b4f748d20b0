"""Accounts: sign-in requests and answers, the account itself (me)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import SmsCode
from api.inputs import LocalDateTime, flag, text

# The purposes a client may ask a code for: the site's, and 登录 (验证码登录).
CODE_PURPOSES = [
    SmsCode.Purpose.REGISTER,
    SmsCode.Purpose.LOGIN,
    SmsCode.Purpose.RESET,
    SmsCode.Purpose.BIND,
    SmsCode.Purpose.CHANGE_PHONE_OLD,
    SmsCode.Purpose.CHANGE_PHONE,
    SmsCode.Purpose.SET_PASSWORD,
]


@extend_schema_field({"type": "string", "enum": [p.value for p in CODE_PURPOSES]})
class PurposeField(serializers.CharField):
    """A purpose, checked by the site's form (its message for an unknown one)."""


class SmsCodeRequest(serializers.Serializer):
    phone = text("手机号码（11位）；更换手机号的原号码验证码发往当前账号的手机号，可不填")
    purpose = PurposeField(
        required=False,
        allow_blank=True,
        default="",
        help_text="register 注册 · login 验证码登录 · reset 找回密码 · bind 绑定科普中国账号 · "
        "change_phone_old / change_phone 更换手机号的原号码 / 新号码 · set_password 设置密码（均须登录）",
    )


class SmsCodeSent(serializers.Serializer):
    detail = serializers.CharField(help_text="验证码已发送，5分钟内有效")
    retry_after = serializers.IntegerField(help_text="再次获取前须等待的秒数")


class RegisterRequest(serializers.Serializer):
    phone = text("手机号码")
    code = text("短信验证码（用途 register）")
    password = text("密码")
    agree = flag("同意并遵守《云上科普日网络服务使用协议》")


GRANTS = ["password", "sms_code", "oidc"]


@extend_schema_field({"type": "string", "enum": GRANTS})
class GrantField(serializers.CharField):
    pass


class TokenRequest(serializers.Serializer):
    grant_type = GrantField(
        help_text="password 手机号+密码 · sms_code 手机号+验证码（用途 login）· oidc 科普中国账号的令牌"
    )
    phone = text("手机号码（password、sms_code；oidc 绑定手机号时）")
    password = text("密码（password）")
    code = text("短信验证码（sms_code 用途 login；oidc 绑定手机号时用途 bind）")
    agree = flag("sms_code：未注册的手机号同意协议并登录，即创建账号")
    id_token = text("oidc：科普中国账号的 ID 令牌（RS256）")
    access_token = text("oidc：科普中国账号的访问令牌（用于读取已验证的手机号）")


class RefreshRequest(serializers.Serializer):
    refresh_token = serializers.CharField(help_text="刷新令牌（kpr_…），只能使用一次")


class PasswordResetRequest(serializers.Serializer):
    phone = text("手机号码")
    code = text("短信验证码（用途 reset）")
    new_password = text("新密码")


class PasswordChangeRequest(serializers.Serializer):
    old_password = text("当前密码（已设置密码的账号）")
    code = text(
        "尚未设置密码的账号（验证码登录、科普中国账号创建）：发送到本账号手机号的验证码（用途 set_password）"
    )
    new_password = text("新密码")


class PhoneChangeRequest(serializers.Serializer):
    old_code = text("原手机号验证码（用途 change_phone_old）")
    new_phone = text("新手机号码")
    new_code = text("新手机号验证码（用途 change_phone）")
    password = text("登录密码")


class AccountDeleteRequest(serializers.Serializer):
    password = text("登录密码")
    understood = flag("我已了解：注销后账号无法恢复")


class Me(serializers.Serializer):
    id = serializers.IntegerField()
    phone = serializers.CharField(help_text="本人的手机号码")
    name = serializers.CharField()
    has_password = serializers.BooleanField(help_text="是否已设置密码（验证码登录创建的账号没有）")
    is_organiser = serializers.BooleanField(help_text="已填写单位信息，可以发布活动")
    reviewer_unit = serializers.CharField(allow_null=True, help_text="审核员所属单位；不是审核员为 null")
    sso_linked = serializers.BooleanField(help_text="已绑定科普中国账号")
    unread_messages = serializers.IntegerField(help_text="未读站内消息数")
    date_joined = LocalDateTime()
    terms_accepted_at = LocalDateTime(allow_null=True)


class TokenPair(serializers.Serializer):
    token_type = serializers.CharField(default="Bearer")
    access_token = serializers.CharField(help_text="访问令牌（kpa_…），请求时放在 Authorization: Bearer 之后")
    expires_in = serializers.IntegerField(help_text="访问令牌的有效秒数")
    refresh_token = serializers.CharField(help_text="刷新令牌（kpr_…），只能使用一次")
    refresh_expires_in = serializers.IntegerField(help_text="刷新令牌的有效秒数")
    user = Me()


def me(user) -> dict:
    """The signed-in account as ``Me`` shows it."""
    from notifications.services import unread_count
    from organizations.services import organization_of
    from reviews.access import reviewer_unit

    unit = reviewer_unit(user)
    return {
        "id": user.pk,
        "phone": user.phone,
        "name": user.name,
        "has_password": user.has_usable_password(),
        "is_organiser": organization_of(user) is not None,
        "reviewer_unit": unit.name if unit else None,
        "sso_linked": user.external_logins.exists(),
        "unread_messages": unread_count(user),
        "date_joined": user.date_joined,
        "terms_accepted_at": user.terms_accepted_at,
    }
