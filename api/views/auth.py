"""Signing in and out: SMS codes, 注册, tokens (password, SMS code, 科普中国), refresh, logout, 忘记密码.

Each is the site's page as data: the same form checks the input, the same
service decides, under the same limits (the same counters: a code asked for on
the site and one asked for here are counted together).
"""

from django.contrib.auth.models import update_last_login
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import oidc, ratelimits, services, tokens
from accounts.forms import (
    BindPhoneForm,
    CodeLoginForm,
    LoginForm,
    PasswordForgotForm,
    RegisterForm,
    SmsCodeRequestForm,
)
from accounts.models import SmsCode
from api.errors import ApiError, invalid
from api.inputs import as_form_data, checked, shape
from api.serializers.accounts import (
    PasswordResetRequest,
    RefreshRequest,
    RegisterRequest,
    SmsCodeRequest,
    SmsCodeSent,
    TokenPair,
    TokenRequest,
)
from api.serializers.accounts import me as me_data
from kepuri.http import client_ip

TAG = ["认证"]


def _client(request) -> str:
    return request.META.get("HTTP_USER_AGENT", "")


def token_answer(request, user, *, created=False) -> Response:
    """A new pair for ``user``, as OAuth 2.0 token answers are written (never cached)."""
    if not user.is_active:
        raise ApiError("account_disabled", services.DEACTIVATED)
    pair = tokens.issue(user, client=_client(request))
    update_last_login(None, user)
    return _pair_answer(pair, user, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


def _pair_answer(pair: tokens.TokenPair, user, *, status=status.HTTP_200_OK) -> Response:
    data = {
        "token_type": "Bearer",
        "access_token": pair.access,
        "expires_in": pair.expires_in,
        "refresh_token": pair.refresh,
        "refresh_expires_in": int((pair.refresh_expires_at - timezone.now()).total_seconds()),
        "user": me_data(user),
    }
    response = Response(data, status=status)
    response["Cache-Control"] = "no-store"
    return response


def new_password_data(values: dict, **others) -> dict:
    """The API's one ``new_password`` as the site's forms ask for it: typed twice."""
    return {**others, "new_password1": values["new_password"], "new_password2": values["new_password"]}


class SmsCodeView(APIView):
    """获取验证码: one code to a phone, for one purpose; the site's limits, counted with the site's."""

    permission_classes = [AllowAny]
    error_codes = (
        "already_registered",
        "not_registered",
        "phone_taken",
        "not_authenticated",
        "rate_limited",
        "sms_unavailable",
    )

    @extend_schema(
        tags=TAG, request=SmsCodeRequest, responses=SmsCodeSent, summary="获取验证码", operation_id="sms_code"
    )
    def post(self, request):
        values = shape(SmsCodeRequest, request.data)
        form = checked(
            SmsCodeRequestForm(
                as_form_data(values),
                also=[SmsCode.Purpose.LOGIN, SmsCode.Purpose.BIND],
                user=request.user,
            )
        )
        services.request_sms_code(
            phone=form.cleaned_data["phone"],
            purpose=form.cleaned_data["purpose"],
            ip=client_ip(request),
            user=request.user,
        )
        return Response({"detail": services.CODE_SENT, "retry_after": ratelimits.SMS_RESEND_SECONDS})


class RegisterView(APIView):
    """注册: phone, SMS code, password and the agreement, as on the site; answers the first tokens."""

    permission_classes = [AllowAny]
    error_codes = ("already_registered",)

    @extend_schema(tags=TAG, request=RegisterRequest, responses={201: TokenPair}, summary="注册")
    def post(self, request):
        values = shape(RegisterRequest, request.data)
        form = checked(
            RegisterForm(
                as_form_data(
                    {
                        "phone": values["phone"],
                        "code": values["code"],
                        "password": values["password"],
                        **({"agree": "on"} if values["agree"] else {}),
                    }
                )
            )
        )
        user = services.register_user(sms_code=form.sms_code, password=form.cleaned_data["password"])
        return token_answer(request, user, created=True)


class TokenView(APIView):
    """登录: a pair of tokens by phone and password, by phone and SMS code, or by a 科普中国 token."""

    permission_classes = [AllowAny]
    error_codes = (
        "invalid_credentials",
        "login_locked",
        "account_disabled",
        "code_invalid",
        "consent_required",
        "phone_taken",
        "sso_unavailable",
    )

    @extend_schema(tags=TAG, request=TokenRequest, responses=TokenPair, summary="登录（签发令牌）")
    def post(self, request):
        values = shape(TokenRequest, request.data)
        grant = values["grant_type"]
        if grant == "password":
            return token_answer(request, self._by_password(request, values))
        if grant == "sms_code":
            return token_answer(request, self._by_code(values))
        if grant == "oidc":
            return token_answer(request, self._by_oidc(values))
        raise invalid({"grant_type": ["请选择登录方式：password、sms_code 或 oidc"]})

    @staticmethod
    def _by_password(request, values):
        form = LoginForm(
            request._request, data=as_form_data({"phone": values["phone"], "password": values["password"]})
        )
        if not form.is_valid() and form.refusal is not None:
            raise form.refusal  # locked, wrong password, 停用: its own code
        return checked(form).get_user()

    @staticmethod
    def _by_code(values):
        data = {
            "phone": values["phone"],
            "code": values["code"],
            **({"agree": "on"} if values["agree"] else {}),
        }
        form = checked(CodeLoginForm(as_form_data(data)))
        return services.log_in_by_code(sms_code=form.sms_code, agree=form.cleaned_data["agree"])

    @staticmethod
    def _by_oidc(values):
        if not values["id_token"]:
            raise invalid({"id_token": [f"请提供{oidc.PROVIDER_LABEL}的 ID 令牌"]})
        issuer, subject, phone = oidc.client_identity(
            id_token=values["id_token"], access_token=values["access_token"]
        )
        user = services.sso_user(issuer=issuer, subject=subject, phone=phone)
        if user is not None:
            return user
        if not (values["phone"] or values["code"]):  # 绑定手机号: the provider vouched for no mobile
            raise invalid(
                {"phone": [f"首次使用{oidc.PROVIDER_LABEL}登录，请绑定您的手机号（验证码用途 bind）"]},
            )
        form = checked(BindPhoneForm(as_form_data({"phone": values["phone"], "code": values["code"]})))
        return services.bind_external(issuer=issuer, subject=subject, sms_code=form.sms_code)


class RefreshView(APIView):
    """The next pair for a refresh token, which is then used up; a used one revokes its sign-in."""

    permission_classes = [AllowAny]
    authentication_classes = []
    error_codes = ("token_reused", "account_disabled")

    @extend_schema(tags=TAG, request=RefreshRequest, responses=TokenPair, summary="刷新令牌")
    def post(self, request):
        values = shape(RefreshRequest, request.data)
        pair = tokens.refresh(values["refresh_token"], client=_client(request))
        return _pair_answer(pair, tokens.user_for(pair.access))


class LogoutView(APIView):
    """退出登录: every token of the account ends, on every device."""

    permission_classes = [IsAuthenticated]

    @extend_schema(tags=TAG, request=None, responses={204: None}, summary="退出登录")
    def post(self, request):
        tokens.revoke_all(request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordResetView(APIView):
    """忘记密码: phone, SMS code and a new password; every token of the account ends."""

    permission_classes = [AllowAny]
    error_codes = ("not_registered",)

    @extend_schema(tags=TAG, request=PasswordResetRequest, responses={204: None}, summary="忘记密码")
    def post(self, request):
        values = shape(PasswordResetRequest, request.data)
        data = new_password_data(values, phone=values["phone"], code=values["code"])
        form = checked(PasswordForgotForm(as_form_data(data)), rename={"new_password1": "new_password"})
        services.reset_password(sms_code=form.sms_code, password=form.cleaned_data["new_password1"])
        return Response(status=status.HTTP_204_NO_CONTENT)
