import re
import unicodedata

from crispy_forms.bootstrap import FieldWithButtons, StrictButton
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Field, Layout
from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.password_validation import password_validators_help_text_html, validate_password
from django.urls import reverse
from django.utils.html import format_html

from kepuri import idempotency
from kepuri.http import client_ip
from kepuri.text import TextChecks

from . import services
from .models import SmsCode, User
from .phone import INVALID_PHONE_MESSAGE, normalize_phone, validate_phone

Purpose = SmsCode.Purpose
CODE_RE = re.compile(rf"[0-9]{{{services.CODE_DIGITS}}}", re.ASCII)


class PhoneField(forms.CharField):
    """A mainland mobile number, normalised to its canonical form (see ``accounts.phone``)."""

    default_error_messages = {"required": "请输入手机号码", "invalid": INVALID_PHONE_MESSAGE}
    default_validators = [validate_phone]

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "手机号码")
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={"inputmode": "numeric", "autocomplete": "tel", "placeholder": "请输入手机号码"}
            ),
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        return normalize_phone(super().to_python(value))


class SmsCodeField(forms.CharField):
    default_error_messages = {"required": "请输入验证码"}

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "验证码")
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={
                    "inputmode": "numeric",
                    "autocomplete": "one-time-code",
                    "placeholder": f"{services.CODE_DIGITS}位数字验证码",
                }
            ),
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        return unicodedata.normalize("NFKC", super().to_python(value))

    def validate(self, value):
        super().validate(value)
        if value and not CODE_RE.fullmatch(value):
            raise forms.ValidationError(f"请输入{services.CODE_DIGITS}位数字验证码", code="invalid_code")


def _submit(label, name="submit"):
    """The form's main button; a <button> so that its words are its text."""
    return StrictButton(label, type="submit", name=name, css_class="btn btn-primary w-100")


def _form_token():
    """The form's token: a double click answers as the first click did (``kepuri.idempotency``)."""
    return HTML(idempotency.hidden_field())


def _password_input(autocomplete):
    return forms.PasswordInput(attrs={"autocomplete": autocomplete})


def _new_password_field(label, required_message, *, with_rules=True):
    return forms.CharField(
        label=label,
        strip=False,
        widget=_password_input("new-password"),
        help_text=password_validators_help_text_html() if with_rules else "",
        error_messages={"required": required_message},
    )


def _code_field_with_button(purpose, *, code_field="code", phone_field="phone"):
    """The code field with its 获取验证码 button (works with and without JavaScript).

    The button's script sends the number typed in ``phone_field``; without one
    (the 原号码 of 更换手机号) the server sends the code to the user's own number.
    Its value names the purpose, for the page that has two buttons.
    """
    phone_attrs = {"data_sms_phone_field": phone_field} if phone_field else {}
    return Layout(
        FieldWithButtons(
            Field(code_field),
            StrictButton(
                "获取验证码",
                type="submit",
                name="send_code",
                value=purpose,
                formnovalidate="formnovalidate",
                css_class="btn btn-outline-primary",
                data_sms_url=reverse("accounts:sms_code"),
                data_sms_purpose=purpose,
                data_sms_code_field=code_field,
                **phone_attrs,
            ),
        ),
        HTML(f'<div class="form-text mb-3" data-sms-status="{code_field}" aria-live="polite"></div>'),
    )


def _usable_phone(phone, *, purpose, user=None):
    """``phone``, or the reason it cannot be used for ``purpose`` as the field's error."""
    try:
        services.check_phone_for(phone=phone, purpose=purpose, user=user)
    except services.AccountError as exc:
        raise forms.ValidationError(exc.message, code="phone") from exc
    return phone


def _checked_code(form, field, *, phone, purpose):
    """The live code typed in ``field`` for (``phone``, ``purpose``), or None with the reason on the field."""
    code = form.cleaned_data.get(field)
    if not code:
        return None
    try:
        return services.check_sms_code(phone=phone, purpose=purpose, code=code)
    except services.AccountError as exc:
        form.add_error(field, exc.message)
        return None


class SmsCodeRequestForm(TextChecks, forms.Form):
    """获取验证码: which phone, for what."""

    PUBLIC_PURPOSES = (SmsCode.Purpose.REGISTER, SmsCode.Purpose.RESET, SmsCode.Purpose.LOGIN)

    phone = PhoneField()
    purpose = forms.ChoiceField()

    def __init__(self, *args, also=(), user=None, **kwargs):
        """``also``: the purposes this session may ask for besides 注册 and 找回密码 (绑定手机号).

        A logged-in ``user`` may also ask for the two codes of 更换手机号; the one for
        the 原号码 goes to the user's own number, whatever number was sent.
        """
        super().__init__(*args, **kwargs)
        if user is not None and user.is_authenticated:
            own = (SmsCode.Purpose.CHANGE_PHONE_OLD, SmsCode.Purpose.SET_PASSWORD)
            also = (*also, *own, SmsCode.Purpose.CHANGE_PHONE)
            if self.data.get("purpose") in own:
                self.data = self.data.copy()
                self.data["phone"] = user.phone
        self.fields["purpose"].choices = [(p.value, p.label) for p in (*self.PUBLIC_PURPOSES, *also)]


class _CodeCheckingForm(TextChecks, forms.Form):
    """A phone and its SMS code for ``purpose``; the code is checked once the phone is valid."""

    purpose: str

    phone = PhoneField()
    code = SmsCodeField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sms_code = None

    def clean_phone(self):
        return _usable_phone(self.cleaned_data["phone"], purpose=self.purpose)

    def clean(self):
        cleaned = super().clean()
        phone = cleaned.get("phone")
        if phone and "phone" not in self.errors:
            self.sms_code = _checked_code(self, "code", phone=phone, purpose=self.purpose)
        return cleaned


class RegisterForm(_CodeCheckingForm):
    purpose = SmsCode.Purpose.REGISTER

    password = _new_password_field("密码", "请设置密码")
    agree = forms.BooleanField(
        required=True,
        error_messages={"required": "请阅读并勾选同意《云上科普日网络服务使用协议》"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agree"].label = format_html(
            '同意并遵守<a href="{}" target="_blank" rel="noopener">《云上科普日网络服务使用协议》</a>',
            reverse("agreement"),
        )
        self.helper = FormHelper()
        self.helper.layout = Layout(
            _form_token(),
            "phone",
            _code_field_with_button(self.purpose),
            "password",
            "agree",
            _submit("立即注册", name="register"),
        )

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password")
        if password:
            try:
                validate_password(password, User(phone=cleaned.get("phone") or ""))
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return cleaned


def _agreement_note(lead: str) -> HTML:
    """A line under a button that makes an account: ``lead``, then the agreement's link."""
    return HTML(
        format_html(
            '<p class="form-text">{}<a href="{}" target="_blank" rel="noopener">'
            "《云上科普日网络服务使用协议》</a>。</p>",
            lead,
            reverse("agreement"),
        )
    )


class CodeLoginForm(_CodeCheckingForm):
    """验证码登录: a phone and its code. On the site the button is 同意协议并登录: pressing it consents
    (a phone without an account gets one now, the consent time stored); the API sends ``agree``."""

    purpose = SmsCode.Purpose.LOGIN

    agree = forms.BooleanField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            _form_token(),
            "phone",
            _code_field_with_button(self.purpose),
            _agreement_note("未注册的手机号验证后将自动创建账号。登录即表示您同意"),
            StrictButton(
                "同意协议并登录", type="submit", name="agree", value="on", css_class="btn btn-primary w-100"
            ),
        )


class PasswordForgotForm(_CodeCheckingForm):
    """忘记密码: phone, SMS code and the new password twice."""

    purpose = SmsCode.Purpose.RESET

    new_password1 = _new_password_field("新密码", "请输入新密码")
    new_password2 = _new_password_field("确认新密码", "请再次输入新密码", with_rules=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            _form_token(),
            "phone",
            _code_field_with_button(self.purpose),
            "new_password1",
            "new_password2",
            _submit("提交"),
        )

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("new_password1"), cleaned.get("new_password2")
        if password1 and password2 and password1 != password2:
            self.add_error("new_password2", "两次输入的密码不一致")
        elif password1:
            user = User.objects.filter(phone=cleaned.get("phone") or "").first()
            try:
                validate_password(password1, user)
            except forms.ValidationError as exc:
                self.add_error("new_password1", exc)
        return cleaned


class LoginForm(TextChecks, forms.Form):
    """登录 with phone and password, within the login limits.

    Speaks the interface of Django's ``AuthenticationForm`` (``request``,
    ``get_user``) so that ``LoginView`` can drive it.
    """

    phone = PhoneField()
    password = forms.CharField(
        label="密码",
        strip=False,
        widget=_password_input("current-password"),
        error_messages={"required": "请输入密码"},
    )

    def __init__(self, request=None, *args, **kwargs):
        self.request = request
        self.user_cache = None
        self.refusal = None
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout("phone", "password", _form_token(), _submit("登录", name="login"))

    def clean(self):
        cleaned = super().clean()
        phone, password = cleaned.get("phone"), cleaned.get("password")
        if phone and password:
            try:
                self.user_cache = services.authenticate_by_phone(
                    request=self.request, phone=phone, password=password, ip=client_ip(self.request)
                )
            except services.AccountError as exc:
                self.refusal = exc  # its code and retry time, for the API
                raise forms.ValidationError(exc.message, code="login") from exc
        return cleaned

    def get_user(self):
        return self.user_cache


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """修改密码: Django's form, with our layout."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            _form_token(), "old_password", "new_password1", "new_password2", _submit("修改密码")
        )

    def save(self, commit=True):
        """Through the service, which also ends the account's API tokens."""
        services.change_password(user=self.user, password=self.cleaned_data["new_password1"])
        return self.user


class SetPasswordForm(TextChecks, forms.Form):
    """设置密码: an account without a password (made by 验证码登录 or 科普中国) proves its number with a
    code sent to it, instead of the 旧密码 it does not have."""

    code = SmsCodeField()
    new_password1 = _new_password_field("新密码", "请输入新密码")
    new_password2 = _new_password_field("确认新密码", "请再次输入新密码", with_rules=False)

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.sms_code = None
        self.helper = FormHelper()
        self.helper.layout = Layout(
            _form_token(),
            HTML(format_html('<p class="mb-2">验证码将发送到：<strong>{}</strong></p>', user.masked_phone)),
            _code_field_with_button(Purpose.SET_PASSWORD, phone_field=None),
            "new_password1",
            "new_password2",
            _submit("设置密码"),
        )

    def clean(self):
        cleaned = super().clean()
        self.sms_code = _checked_code(self, "code", phone=self.user.phone, purpose=Purpose.SET_PASSWORD)
        password1, password2 = cleaned.get("new_password1"), cleaned.get("new_password2")
        if password1 and password2 and password1 != password2:
            self.add_error("new_password2", "两次输入的密码不一致")
        elif password1:
            try:
                validate_password(password1, self.user)
            except forms.ValidationError as exc:
                self.add_error("new_password1", exc)
        return cleaned

    def save(self, commit=True):
        services.set_password_by_code(
            user=self.user, sms_code=self.sms_code, password=self.cleaned_data["new_password1"]
        )
        return self.user


class BindPhoneForm(_CodeCheckingForm):
    """绑定手机号: after a 科普中国账号 login that vouched for no mobile number."""

    purpose = SmsCode.Purpose.BIND

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            _form_token(),
            "phone",
            _code_field_with_button(self.purpose),
            _agreement_note("已有账号的手机号将与科普中国账号绑定；新的手机号将为您创建账号，即表示您同意"),
            _submit("绑定并登录"),
        )


class _PasswordConfirmingForm(TextChecks, forms.Form):
    """Asks for the account's password again before a change that matters (as 修改密码 asks for 旧密码)."""

    password = forms.CharField(
        label="登录密码",
        strip=False,
        widget=_password_input("current-password"),
        error_messages={"required": "请输入登录密码"},
    )

    def __init__(self, *args, user, ip: str, **kwargs):
        """``ip``: the client's address, counted as 登录 counts it (``services.confirm_password``)."""
        super().__init__(*args, **kwargs)
        self.user = user
        self.ip = ip
        self.refusal = None

    def clean_password(self):
        password = self.cleaned_data["password"]
        try:
            services.confirm_password(user=self.user, password=password, ip=self.ip)
        except services.AccountError as exc:
            self.refusal = exc  # its code and retry time, for the API
            raise forms.ValidationError(exc.message, code=exc.code) from exc
        return password


class PhoneChangeForm(_PasswordConfirmingForm):
    """更换手机号: a code to the 原号码, the 新手机号码 and its code, and the password."""

    old_code = SmsCodeField(label="原手机号验证码")
    new_phone = PhoneField(label="新手机号码")
    new_code = SmsCodeField(label="新手机号验证码")

    field_order = ("old_code", "new_phone", "new_code", "password")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_phone"].widget.attrs["placeholder"] = "请输入新手机号码"
        self.old_sms_code = self.new_sms_code = None
        self.helper = FormHelper()
        self.helper.layout = Layout(
            _form_token(),
            HTML(format_html('<p class="mb-2">当前手机号：<strong>{}</strong></p>', self.user.masked_phone)),
            _code_field_with_button(Purpose.CHANGE_PHONE_OLD, code_field="old_code", phone_field=None),
            "new_phone",
            _code_field_with_button(Purpose.CHANGE_PHONE, code_field="new_code", phone_field="new_phone"),
            "password",
            _submit("确认更换"),
        )

    def clean_new_phone(self):
        return _usable_phone(self.cleaned_data["new_phone"], purpose=Purpose.CHANGE_PHONE, user=self.user)

    def clean(self):
        cleaned = super().clean()
        old_phone = self.user.phone
        self.old_sms_code = _checked_code(self, "old_code", phone=old_phone, purpose=Purpose.CHANGE_PHONE_OLD)
        new_phone = cleaned.get("new_phone")
        if new_phone and "new_phone" not in self.errors:
            self.new_sms_code = _checked_code(self, "new_code", phone=new_phone, purpose=Purpose.CHANGE_PHONE)
        return cleaned


class AccountDeleteForm(_PasswordConfirmingForm):
    """注销账号: the password and a tick that the user has read what happens."""

    understood = forms.BooleanField(
        label="我已了解：注销后账号无法恢复",
        error_messages={"required": "请勾选确认您已了解注销的后果"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            _form_token(),
            "password",
            "understood",
            StrictButton("确认注销", type="submit", name="delete", css_class="btn btn-danger w-100"),
        )
