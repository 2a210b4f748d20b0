from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.messages.views import SuccessMessageMixin
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST
from django.views.generic import FormView

from kepuri.http import client_ip, safe_next_url
from kepuri.idempotency import once_per_form_token, remember

from . import oidc, ratelimits, services
from .forms import (
    AccountDeleteForm,
    BindPhoneForm,
    CodeLoginForm,
    LoginForm,
    PasswordChangeForm,
    PasswordForgotForm,
    PhoneChangeForm,
    RegisterForm,
    SetPasswordForm,
    SmsCodeRequestForm,
)
from .models import SmsCode

# Fields a page may show again after 获取验证码 without JavaScript (never passwords).
_KEPT_FIELDS = ("phone", "code", "agree")

# A double click on the form's button answers as the first click did (kepuri.idempotency).
_once = method_decorator(once_per_form_token, name="dispatch")


def _code_request_status(exc: services.AccountError) -> int:
    """The HTTP status of a refused code request: 503 when no SMS can be sent now (the limiter's
    store or the SMS provider down: not the visitor's fault), 429 when waiting helps, else 400."""
    if exc.code == "sms_unavailable":
        return 503
    return 429 if exc.retry_after else 400


def _request_code(request, data):
    """Validate and send one code request; return (status, JSON-able result)."""
    also = [SmsCode.Purpose.BIND] if oidc.PENDING_KEY in request.session else []
    form = SmsCodeRequestForm(data, also=also, user=request.user)
    if not form.is_valid():
        message = next(iter(form.errors.values()))[0]
        return 400, {"ok": False, "message": message}
    try:
        services.request_sms_code(
            phone=form.cleaned_data["phone"],
            purpose=form.cleaned_data["purpose"],
            ip=client_ip(request),
            user=request.user,
        )
    except services.AccountError as exc:
        return _code_request_status(exc), {
            "ok": False,
            "message": exc.message,
            "retry_after": exc.retry_after,
        }
    return 200, {
        "ok": True,
        "message": services.CODE_SENT,
        "retry_after": ratelimits.SMS_RESEND_SECONDS,
    }


@require_POST
def sms_code(request):
    """获取验证码, called by the button's script; answers JSON."""
    status, result = _request_code(request, request.POST)
    return JsonResponse(result, status=status, json_dumps_params={"ensure_ascii": False})


class _SmsCodeFormView(FormView):
    """A form page with a 获取验证码 button that also works without JavaScript."""

    purpose: SmsCode.Purpose
    kept_fields = _KEPT_FIELDS

    def code_request(self) -> dict:
        """What the pressed 获取验证码 asks for: the phone and the purpose."""
        return {"phone": self.request.POST.get("phone", ""), "purpose": self.purpose}

    def post(self, request, *args, **kwargs):
        if "send_code" not in request.POST:
            return super().post(request, *args, **kwargs)
        status, result = _request_code(request, self.code_request())
        (messages.success if status == 200 else messages.error)(request, result["message"])
        initial = {name: request.POST[name] for name in self.kept_fields if name in request.POST}
        kwargs = {**self.get_form_kwargs(), "initial": initial, "data": None, "files": None}
        response = self.render_to_response(self.get_context_data(form=self.get_form_class()(**kwargs)))
        # The form again with the answer above it (200 even when no SMS can be sent: a proxy may
        # replace a 503's page, and this one holds what was typed). A code sent: a repeat of this
        # click is told so again, not refused for asking twice within the minute.
        return remember(response) if status == 200 else response


@_once
class RegisterView(_SmsCodeFormView):
    """注册: phone, SMS code, password and the agreement; 立即注册 logs the new user in."""

    purpose = SmsCode.Purpose.REGISTER
    template_name = "accounts/register.html"
    form_class = RegisterForm

    def get(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect("home")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        next_url = self.request.GET.get("next", "")
        return super().get_context_data(**kwargs) | {"sso_enabled": oidc.enabled(), "next": next_url}

    def form_valid(self, form):
        try:
            user = services.register_user(sms_code=form.sms_code, password=form.cleaned_data["password"])
        except services.AccountError as exc:
            form.add_error("code", exc.message)
            return self.form_invalid(form)
        login(self.request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(self.request, "注册成功，欢迎来到云上科普日！")
        return redirect(safe_next_url(self.request, reverse("home")))


@_once
class PasswordForgotView(_SmsCodeFormView):
    """忘记密码: phone, SMS code and a new password, then 提交."""

    purpose = SmsCode.Purpose.RESET
    template_name = "accounts/password_forgot.html"
    form_class = PasswordForgotForm

    def form_valid(self, form):
        try:
            services.reset_password(sms_code=form.sms_code, password=form.cleaned_data["new_password1"])
        except services.AccountError as exc:
            form.add_error("code", exc.message)
            return self.form_invalid(form)
        messages.success(self.request, "新密码设置成功，请使用新密码登录")
        return redirect("accounts:login")


class _CountsOnce:
    """A form whose password counts against the login limits (a wrong one is a failed login): the
    repeat of a double click is answered with the first click's refusal, not counted a second time."""

    def form_invalid(self, form):
        response = super().form_invalid(form)
        return remember(response) if form.refusal is not None else response


@_once
class LoginView(_CountsOnce, auth_views.LoginView):
    """登录 → 密码登录 (the tab beside it is 验证码登录)."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"sso_enabled": oidc.enabled(), "tab": "password"}


@_once
class CodeLoginView(_SmsCodeFormView):
    """登录 → 验证码登录: phone and SMS code, no password. 同意协议并登录 also makes an account for a phone
    without one (no password: it can set one under 修改密码), its consent time stored."""

    purpose = SmsCode.Purpose.LOGIN
    template_name = "accounts/login.html"
    form_class = CodeLoginForm
    kept_fields = ("phone", "code")

    def get(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect(safe_next_url(request, reverse("home")))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        next_url = self.request.GET.get("next", "")
        return super().get_context_data(**kwargs) | {
            "sso_enabled": oidc.enabled(),
            "tab": "code",
            "next": next_url,
        }

    def form_valid(self, form):
        try:
            user = services.log_in_by_code(sms_code=form.sms_code, agree="agree" in self.request.POST)
        except services.AccountError as exc:
            form.add_error("code" if exc.code == "code_invalid" else None, exc.message)
            return self.form_invalid(form)
        login(self.request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect(safe_next_url(self.request, reverse("home")))


@_once
class PasswordChangeView(SuccessMessageMixin, auth_views.PasswordChangeView):
    """修改密码 with the 旧密码; an account without one (验证码登录, 科普中国) sets one by SMS code."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("public:personal_center")
    extra_context = {"active": "password"}

    def get_form_class(self):
        return PasswordChangeForm if self.request.user.has_usable_password() else SetPasswordForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"has_password": self.request.user.has_usable_password()}

    def post(self, request, *args, **kwargs):
        if "send_code" in request.POST:  # 获取验证码 without JavaScript: to the account's own number
            status, result = _request_code(request, {"purpose": SmsCode.Purpose.SET_PASSWORD})
            (messages.success if status == 200 else messages.error)(request, result["message"])
            return redirect("accounts:password_change")
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        self.success_message = "密码设置成功" if isinstance(form, SetPasswordForm) else "密码修改成功"
        try:
            return super().form_valid(form)
        except services.AccountError as exc:  # the code was used up by a request racing this one
            form.add_error("code", exc.message)
            return self.form_invalid(form)


@_once
class BindPhoneView(_SmsCodeFormView):
    """绑定手机号: the 科普中国账号 that logged in vouched for no mobile number; the person proves one."""

    purpose = SmsCode.Purpose.BIND
    template_name = "accounts/sso_phone.html"
    form_class = BindPhoneForm

    def dispatch(self, request, *args, **kwargs):
        if oidc.PENDING_KEY not in request.session:
            messages.info(request, f"请先使用{oidc.PROVIDER_LABEL}登录")
            return redirect("accounts:login")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        pending = self.request.session[oidc.PENDING_KEY]
        try:
            user = services.bind_external(
                issuer=pending["issuer"], subject=pending["subject"], sms_code=form.sms_code
            )
        except services.AccountError as exc:
            form.add_error("code", exc.message)
            return self.form_invalid(form)
        if not user.is_active:
            messages.error(self.request, "该账号已停用，请联系管理员")
            return redirect("accounts:login")
        next_url = self.request.session.get("sso_next")
        login(self.request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(self.request, f"手机号已绑定，已使用{oidc.PROVIDER_LABEL}登录")
        return redirect(next_url or reverse("public:personal_center"))


@login_required
def external_account(request):
    """个人中心 → 科普中国账号: whether one is linked, and 解除绑定."""
    links = request.user.external_logins.all()
    if request.method == "POST":
        services.unlink_external(user=request.user)
        messages.success(request, f"已解除与{oidc.PROVIDER_LABEL}的绑定，请使用手机号和密码登录")
        return redirect("accounts:external_account")
    context = {
        "active": "external",
        "links": links,
        "enabled": oidc.enabled(),
        "has_password": request.user.has_usable_password(),
    }
    return render(request, "accounts/external_account.html", context)


class _AccountFormView(LoginRequiredMixin, FormView):
    """A 个人中心 page whose form acts on the logged-in account."""

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"user": self.request.user, "ip": client_ip(self.request)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"has_password": self.request.user.has_usable_password()}


@_once
class PhoneChangeView(_CountsOnce, _AccountFormView, _SmsCodeFormView):
    """更换手机号: codes to the 原号码 and to the 新手机号码, and the password; the user stays logged in."""

    template_name = "accounts/phone_change.html"
    form_class = PhoneChangeForm
    kept_fields = ("old_code", "new_phone", "new_code")
    extra_context = {"active": "phone"}

    def code_request(self) -> dict:
        # Two buttons; the pressed one's value is its purpose (the 原号码's phone is the user's own).
        if self.request.POST.get("send_code") == SmsCode.Purpose.CHANGE_PHONE:
            return {"phone": self.request.POST.get("new_phone", ""), "purpose": SmsCode.Purpose.CHANGE_PHONE}
        return {"purpose": SmsCode.Purpose.CHANGE_PHONE_OLD}

    def form_valid(self, form):
        user = self.request.user
        try:
            services.change_phone(user=user, old_code=form.old_sms_code, new_code=form.new_sms_code)
        except services.AccountError as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        update_session_auth_hash(self.request, user)  # this session stays; the others end
        messages.success(self.request, f"手机号已更换为{user.masked_phone}，请使用新手机号登录")
        return redirect("public:personal_center")


@_once
class AccountDeleteView(_CountsOnce, _AccountFormView):
    """注销账号: says what happens, asks for the password; then the account is anonymised and logged out."""

    template_name = "accounts/account_delete.html"
    form_class = AccountDeleteForm
    extra_context = {"active": "delete"}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"refusal": services.deletion_refusal(self.request.user)}

    def form_valid(self, form):
        try:
            services.delete_account(user=self.request.user)
        except services.AccountError as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        logout(self.request)
        messages.success(self.request, "您的账号已注销，个人信息已删除。感谢您对云上科普日的支持！")
        return redirect("home")
