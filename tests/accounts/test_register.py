"""注册: labels, the whole flow, and each bad input with its message on the form."""

import re
from datetime import timedelta

import pytest

import sms
from accounts.models import SmsCode, User
from tests.factories import UserFactory
from tests.support import CLOCK_START, last_code, request_code, text_of

pytestmark = pytest.mark.django_db

START = CLOCK_START
PHONE = "13800138000"
PASSWORD = "kepuri-Register-2020"


def register(client, *, phone=PHONE, code=None, password=PASSWORD, agree=True):
    data = {"phone": phone, "code": code if code is not None else last_code(PHONE), "password": password}
    if agree:
        data["agree"] = "on"
    return client.post("/accounts/register/", data)


def test_page_has_the_guide_labels(client):
    page = text_of(client.get("/accounts/register/"))
    labels = ("手机号码", "验证码", "获取验证码", "密码", "同意并遵守", "立即注册")
    for label in (*labels, "《云上科普日网络服务使用协议》"):
        assert label in page
    html = client.get("/accounts/register/").content.decode()
    assert 'href="/agreement/"' in html


def test_register_sends_a_code_creates_the_account_and_logs_in(client, clock):
    response = request_code(client, PHONE)
    assert response.status_code == 200
    assert response.json() == {"ok": True, "message": "验证码已发送，5分钟内有效", "retry_after": 60}
    assert len(sms.outbox) == 1
    message = sms.outbox[0]
    assert message.phone == PHONE
    assert message.params["code"] in message.text
    assert message.text.startswith("【云上科普日】")

    response = register(client)

    assert response.status_code == 302
    assert response.url == "/"
    user = User.objects.get()
    assert user.phone == PHONE
    assert user.check_password(PASSWORD)
    assert user.terms_accepted_at == START
    assert int(client.session["_auth_user_id"]) == user.pk
    assert "注册成功" in text_of(client.get("/"))


def test_code_is_kept_only_as_an_hmac(client, clock):
    request_code(client, PHONE)
    code = last_code(PHONE)
    row = SmsCode.objects.get()
    stored = " ".join(str(getattr(row, f.attname)) for f in SmsCode._meta.fields)
    assert code not in stored
    assert len(row.code_hmac) == 64
    assert row.expires_at == START + timedelta(minutes=5)


def test_full_width_phone_is_folded_and_accepted_once_not_twice(client, clock):
    full_width = "１３８００１３８０００"
    assert request_code(client, full_width).status_code == 200
    assert sms.outbox[0].phone == PHONE

    assert register(client, phone=full_width).status_code == 302
    assert User.objects.get().phone == PHONE

    client.logout()
    refused = request_code(client, PHONE)
    assert refused.status_code == 400
    assert refused.json()["message"] == "该手机号已注册，请直接登录"
    response = register(client, phone=PHONE, code="123456")
    assert "该手机号已注册，请直接登录" in text_of(response)
    assert User.objects.count() == 1


def test_invalid_phone_gets_a_clear_message_and_is_kept(client):
    response = request_code(client, "12345")
    assert response.status_code == 400
    assert response.json()["message"] == "请输入正确的11位中国大陆手机号码"
    assert sms.outbox == []

    response = client.post("/accounts/register/", {"phone": "12345", "code": "123456", "password": PASSWORD})
    assert response.status_code == 200
    assert "请输入正确的11位中国大陆手机号码" in text_of(response)
    assert 'value="12345"' in response.content.decode()


def test_duplicate_registration_is_refused_on_the_form(client, clock):
    UserFactory(phone=PHONE)
    response = client.post(
        "/accounts/register/", {"phone": PHONE, "code": "123456", "password": PASSWORD, "agree": "on"}
    )
    assert response.status_code == 200
    assert "该手机号已注册，请直接登录" in text_of(response)
    assert User.objects.count() == 1


def test_unchecked_agreement_is_refused_keeps_the_input_and_the_code(client, clock):
    request_code(client, PHONE)
    code = last_code(PHONE)

    response = register(client, code=code, agree=False)

    assert response.status_code == 200
    assert "请阅读并勾选同意《云上科普日网络服务使用协议》" in text_of(response)
    html = response.content.decode()
    assert f'value="{PHONE}"' in html and f'value="{code}"' in html
    assert not User.objects.exists()
    # The code was not used up by the refused form.
    assert register(client, code=code).status_code == 302


def test_weak_password_is_refused_with_the_reason(client, clock):
    request_code(client, PHONE)
    response = register(client, password="123")
    assert response.status_code == 200
    assert "密码长度太短" in text_of(response)
    assert not User.objects.exists()


def test_wrong_code_counts_down_then_voids_the_code(client, clock):
    request_code(client, PHONE)
    code = last_code(PHONE)
    wrong = f"{(int(code) + 1) % 1000000:06d}"

    for left in (4, 3, 2, 1):
        assert f"验证码错误，还可尝试{left}次" in text_of(register(client, code=wrong))
    assert "验证码错误次数过多，已失效，请重新获取" in text_of(register(client, code=wrong))
    # The fifth wrong try voided it: even the right code is refused now.
    assert "验证码错误次数过多，已失效，请重新获取" in text_of(register(client, code=code))
    assert not User.objects.exists()


def test_code_format_is_checked_before_counting(client, clock):
    request_code(client, PHONE)
    assert "请输入6位数字验证码" in text_of(register(client, code="12ab"))
    assert SmsCode.objects.get().failed_attempts == 0


def test_full_width_code_is_accepted(client, clock):
    request_code(client, PHONE)
    full_width = last_code(PHONE).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert register(client, code=full_width).status_code == 302


def test_code_valid_for_five_minutes(client, clock):
    request_code(client, PHONE)
    clock.shift(timedelta(minutes=5) - timedelta(microseconds=1))
    assert register(client).status_code == 302


def test_expired_code_is_refused(client, clock):
    request_code(client, PHONE)
    clock.shift(timedelta(minutes=5))
    response = register(client)
    assert "验证码已过期，请重新获取" in text_of(response)
    assert not User.objects.exists()


def test_code_for_another_purpose_is_refused(client, clock):
    request_code(client, PHONE, purpose="register")
    register_code = last_code(PHONE)
    UserFactory(phone=PHONE)  # the account appears meanwhile (say, made by an admin)

    response = client.post(
        "/accounts/password/forgot/",
        {"phone": PHONE, "code": register_code, "new_password1": PASSWORD, "new_password2": PASSWORD},
    )

    assert response.status_code == 200
    assert "请先获取验证码" in text_of(response)
    assert not User.objects.get().check_password(PASSWORD)


def test_a_new_code_voids_the_previous_one(client, clock):
    request_code(client, PHONE)
    first = last_code(PHONE)
    clock.shift(timedelta(seconds=61))
    request_code(client, PHONE)
    second = last_code(PHONE)
    if first != second:
        assert "验证码错误" in text_of(register(client, code=first))
    assert register(client, code=second).status_code == 302


def test_code_without_javascript_keeps_what_was_typed(client, clock):
    data = {"phone": PHONE, "code": "", "password": PASSWORD, "agree": "on", "send_code": "1"}
    response = client.post("/accounts/register/", data)
    assert response.status_code == 200
    assert "验证码已发送，5分钟内有效" in text_of(response)
    html = response.content.decode()
    assert f'value="{PHONE}"' in html
    assert re.search(r'<input[^>]*name="agree"[^>]*checked', html)
    assert PASSWORD not in html  # passwords are never sent back
    assert len(sms.outbox) == 1


def test_code_without_javascript_shows_a_refusal(client):
    response = client.post("/accounts/register/", {"phone": "1234", "send_code": "1"})
    assert "请输入正确的11位中国大陆手机号码" in text_of(response)
    assert sms.outbox == []


def test_logged_in_user_is_sent_home(client):
    client.force_login(UserFactory())
    assert client.get("/accounts/register/").url == "/"


def test_sms_code_endpoint_needs_post_and_a_known_purpose(client):
    assert client.get("/accounts/sms-code/").status_code == 405
    response = request_code(client, PHONE, purpose="change_phone")
    assert response.status_code == 400
    assert sms.outbox == []


def test_register_redirects_to_a_safe_next_only(client, clock):
    request_code(client, PHONE)
    data = {"phone": PHONE, "code": last_code(PHONE), "password": PASSWORD, "agree": "on"}
    response = client.post("/accounts/register/?next=https://evil.example/", data)
    assert response.url == "/"
