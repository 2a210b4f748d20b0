"""验证码登录 (issue 18): phone and SMS code, an account made in the same step for a new phone, the
limits shared with 注册 and the API, and 设置密码 by SMS code for an account without a password."""

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

import sms
from accounts.models import SmsCode, User
from tests.factories import PASSWORD, UserFactory
from tests.support import last_code, request_code, text_of

pytestmark = pytest.mark.django_db

PHONE = "13800138000"
NEW_PASSWORD = "kepuri-Set-2021"


def log_in(client, phone=PHONE, code=None, next_url=""):
    url = "/accounts/login/code/" + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"phone": phone, "code": code or last_code(phone), "agree": "on"})


def logged_in_as(client):
    pk = client.session.get("_auth_user_id")
    return User.objects.get(pk=pk) if pk else None


def test_the_login_page_has_two_tabs(client):
    password = text_of(client.get("/accounts/login/?next=/a/abc/"))
    code = client.get("/accounts/login/code/?next=/a/abc/")
    for page in (password, text_of(code)):
        assert "密码登录" in page and "验证码登录" in page
    html = code.content.decode()
    assert 'href="/accounts/login/?next=/a/abc/"' in html
    assert "获取验证码" in text_of(code) and "同意协议并登录" in text_of(code)
    assert "《云上科普日网络服务使用协议》" in text_of(code) and 'href="/agreement/"' in html
    assert 'name="password"' not in html


def test_an_existing_account_logs_in_with_a_code_and_returns(client, clock):
    user = UserFactory(phone=PHONE)
    assert request_code(client, PHONE, "login").json()["ok"] is True
    response = log_in(client, next_url="/a/abc/")
    assert response.status_code == 302 and response.url == "/a/abc/"
    assert logged_in_as(client) == user
    assert user.check_password(PASSWORD)  # untouched


def test_a_new_phone_gets_an_account_without_password_and_its_consent_time(client, clock):
    request_code(client, PHONE, "login")
    response = log_in(client)
    assert response.status_code == 302
    user = User.objects.get(phone=PHONE)
    assert logged_in_as(client) == user
    assert not user.has_usable_password() and user.terms_accepted_at is not None


def test_a_wrong_code_counts_down_and_keeps_the_phone(client, clock):
    request_code(client, PHONE, "login")
    code = last_code(PHONE)
    wrong = "000000" if code != "000000" else "111111"
    response = log_in(client, code=wrong)
    assert response.status_code == 200
    assert "验证码错误，还可尝试4次" in text_of(response)
    assert f'value="{PHONE}"' in response.content.decode()
    assert not User.objects.exists() and logged_in_as(client) is None


def test_a_deactivated_account_is_told(client, clock):
    UserFactory(phone=PHONE, is_active=False)
    request_code(client, PHONE, "login")
    response = log_in(client)
    assert "该账号已停用，请联系管理员" in text_of(response) and logged_in_as(client) is None


def test_the_code_limits_are_shared_by_the_tabs_registration_and_the_api(client, clock):
    """One per 60 s, five an hour per phone, whatever asked: 注册, 验证码登录 or a client app."""
    api = APIClient()
    assert request_code(client, PHONE, "login", REMOTE_ADDR="10.0.0.1").status_code == 200
    clock.shift(timedelta(seconds=59))
    refused = request_code(client, PHONE, "register", REMOTE_ADDR="10.0.0.1")
    assert refused.status_code == 429 and refused.json()["message"] == "验证码发送过于频繁，请 1 秒后再试"
    for n in range(4):  # the 2nd to the 5th in the hour
        clock.shift(timedelta(seconds=61))
        asked = (
            api.post("/api/v1/auth/sms-code/", {"phone": PHONE, "purpose": "login"}, REMOTE_ADDR="10.0.0.1")
            if n % 2
            else request_code(client, PHONE, "login", REMOTE_ADDR="10.0.0.1")
        )
        assert asked.status_code == 200
    clock.shift(timedelta(seconds=61))
    sixth = request_code(client, PHONE, "login", REMOTE_ADDR="10.0.0.1")
    assert sixth.status_code == 429 and sixth.json()["message"].startswith("该手机号1小时内获取验证码已达5次")
    assert len(sms.outbox) == 5


def test_without_javascript_the_button_sends_the_code_and_keeps_the_phone(client, clock):
    response = client.post("/accounts/login/code/", {"phone": PHONE, "send_code": "login"})
    assert response.status_code == 200
    assert "验证码已发送" in text_of(response) and f'value="{PHONE}"' in response.content.decode()
    assert last_code(PHONE)


def test_a_code_of_another_purpose_does_not_log_in(client, clock):
    request_code(client, PHONE, "register")
    response = log_in(client, code=last_code(PHONE))
    assert "请先获取验证码" in text_of(response) and logged_in_as(client) is None


# --- 设置密码 -----------------------------------------------------------------------------------


@pytest.fixture
def passwordless(client, clock):
    request_code(client, PHONE, "login")
    log_in(client)
    sms.outbox.clear()
    clock.shift(timedelta(seconds=61))
    return User.objects.get(phone=PHONE)


def test_an_account_without_password_sets_one_with_a_code(client, passwordless):
    page = text_of(client.get("/accounts/password/change/"))
    assert "设置密码" in page and "旧密码" not in page and "138****8000" in page
    assert request_code(client, "13999999999", "set_password").json()["ok"] is True
    assert sms.outbox[-1].phone == PHONE  # to the account's own number, whatever was asked
    data = {"code": last_code(PHONE), "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    response = client.post("/accounts/password/change/", data, follow=True)
    assert "密码设置成功" in text_of(response)
    passwordless.refresh_from_db()
    assert passwordless.check_password(NEW_PASSWORD)
    assert logged_in_as(client) == passwordless  # this session stays
    assert SmsCode.objects.get(purpose="set_password").used_at is not None


def test_setting_a_password_refuses_a_wrong_code_and_a_weak_password(client, passwordless):
    request_code(client, PHONE, "set_password")
    code = last_code(PHONE)
    response = client.post(
        "/accounts/password/change/", {"code": code, "new_password1": "12345678", "new_password2": "12345678"}
    )
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    passwordless.refresh_from_db()
    assert not passwordless.has_usable_password()


def test_the_code_button_without_javascript_sends_to_the_own_number(client, passwordless):
    response = client.post("/accounts/password/change/", {"send_code": "set_password"}, follow=True)
    assert "验证码已发送" in text_of(response) and sms.outbox[-1].phone == PHONE


def test_a_visitor_cannot_ask_for_a_set_password_code(client, clock):
    response = request_code(client, PHONE, "set_password")
    assert response.status_code == 400 and sms.outbox == []


def test_an_account_with_a_password_still_gives_the_old_one(client, clock):
    user = UserFactory(phone=PHONE)
    client.force_login(user)
    page = text_of(client.get("/accounts/password/change/"))
    assert "旧密码" in page and "获取验证码" not in page


def test_the_address_limit_is_shared_by_the_tabs_registration_and_the_api(client, clock):
    """Twenty codes an hour from one address, whichever door asked; the 21st is refused by both."""
    api = APIClient()
    for n in range(20):
        phone = f"1380000{n:04d}"
        if n % 3 == 0:
            asked = request_code(client, phone, "login", REMOTE_ADDR="10.0.0.9")
        elif n % 3 == 1:
            asked = request_code(client, phone, "register", REMOTE_ADDR="10.0.0.9")
        else:
            asked = api.post(
                "/api/v1/auth/sms-code/", {"phone": phone, "purpose": "login"}, REMOTE_ADDR="10.0.0.9"
            )
        assert asked.status_code == 200, n
    message = "当前网络1小时内获取验证码已达20次，请于 10:00 后再试"
    site = request_code(client, "13811112222", "login", REMOTE_ADDR="10.0.0.9")
    assert site.status_code == 429 and site.json()["message"] == message
    through_api = api.post(
        "/api/v1/auth/sms-code/", {"phone": "13811112222", "purpose": "login"}, REMOTE_ADDR="10.0.0.9"
    )
    assert through_api.status_code == 429 and through_api.json()["detail"] == message
    assert len(sms.outbox) == 20
