from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.messages.views import SuccessMessageMixin
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse, reverse_lazy
from django.views.decorators.http import require_POST
from django.views.generic import FormView

from kepuri.http import client_ip, safe_next_url

from . import ratelimits, services
from .forms import LoginForm, PasswordChangeForm, PasswordForgotForm, RegisterForm, SmsCodeRequestForm
from .models import SmsCode

# Fields a page may show again after 获取验证码 without JavaScript (never passwords).
_KEPT_FIELDS = ("phone", "code", "agree")


def _request_code(request, data):
    """Validate and send one code request; return (status, JSON-able result)."""
    form = SmsCodeRequestForm(data)
    if not form.is_valid():
        message = next(iter(form.errors.values()))[0]
        return 400, {"ok": False, "message": message}
    try:
        services.request_sms_code(
            phone=form.cleaned_data["phone"], purpose=form.cleaned_data["purpose"], ip=client_ip(request)
        )
    except services.AccountError as exc:
        status = 429 if exc.retry_after else 400
        return status, {"ok": False, "message": exc.message, "retry_after": exc.retry_after}
    minutes = int(services.CODE_VALIDITY.total_seconds() // 60)
    return 200, {
        "ok": True,
        "message": f"验证码已发送，{minutes}分钟内有效",
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

    def post(self, request, *args, **kwargs):
        if "send_code" not in request.POST:
            return super().post(request, *args, **kwargs)
        data = {"phone": request.POST.get("phone", ""), "purpose": self.purpose}
        status, result = _request_code(request, data)
        (messages.success if status == 200 else messages.error)(request, result["message"])
        initial = {name: request.POST[name] for name in _KEPT_FIELDS if name in request.POST}
        return self.render_to_response(self.get_context_data(form=self.form_class(initial=initial)))


class RegisterView(_SmsCodeFormView):
    """注册: phone, SMS code, password and the agreement; 立即注册 logs the new user in."""

    purpose = SmsCode.Purpose.REGISTER
    template_name = "accounts/register.html"
    form_class = RegisterForm

    def get(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect("home")
        return super().get(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            user = services.register_user(sms_code=form.sms_code, password=form.cleaned_data["password"])
        except services.AccountError as exc:
            form.add_error("code", exc.message)
            return self.form_invalid(form)
        login(self.request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(self.request, "注册成功，欢迎来到云上科普日！")
        return redirect(safe_next_url(self.request, reverse("home")))


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


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class PasswordChangeView(SuccessMessageMixin, auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = PasswordChangeForm
    success_url = reverse_lazy("public:personal_center")
    success_message = "密码修改成功"
    extra_context = {"active": "password"}
