"""忘记密码 and 修改密码."""

import pytest
from django.test import Client

import sms
from accounts.models import User
from tests.factories import PASSWORD, UserFactory
from tests.support import last_code, request_code, text_of

pytestmark = pytest.mark.django_db

PHONE = "13800138000"
NEW = "kepuri-New-2020"


def forgot(client, *, code=None, new1=NEW, new2=NEW, phone=PHONE):
    return client.post(
        "/accounts/password/forgot/",
        {"phone": phone, "code": code or last_code(PHONE), "new_password1": new1, "new_password2": new2},
    )


def test_forgot_page_labels(client):
    page = text_of(client.get("/accounts/password/forgot/"))
    for label in ("手机号码", "验证码", "获取验证码", "新密码", "确认新密码", "提交"):
        assert label in page


def test_forgot_password_sets_the_new_one(client):
    UserFactory(phone=PHONE)
    assert request_code(client, PHONE, purpose="reset").status_code == 200
    assert "找回密码" in sms.outbox[-1].text

    response = forgot(client)

    assert response.status_code == 302
    assert response.url == "/accounts/login/"
    user = User.objects.get()
    assert user.check_password(NEW) and not user.check_password(PASSWORD)
    assert "新密码设置成功" in text_of(client.get("/accounts/login/"))


def test_forgot_password_logs_out_other_sessions(client):
    user = UserFactory(phone=PHONE)
    other = Client()
    other.force_login(user)
    request_code(client, PHONE, purpose="reset")
    forgot(client)
    assert other.get("/accounts/me/").status_code == 302


def test_code_for_an_unknown_phone_is_refused(client):
    response = request_code(client, PHONE, purpose="reset")
    assert response.status_code == 400
    assert response.json()["message"] == "该手机号尚未注册"
    assert sms.outbox == []


def test_mismatched_passwords_keep_the_phone_and_the_code(client):
    UserFactory(phone=PHONE)
    request_code(client, PHONE, purpose="reset")
    code = last_code(PHONE)
    response = forgot(client, new2="something-else-2020")
    assert response.status_code == 200
    assert "两次输入的密码不一致" in text_of(response)
    html = response.content.decode()
    assert f'value="{PHONE}"' in html and f'value="{code}"' in html
    assert forgot(client, code=code).status_code == 302


def test_a_used_code_cannot_reset_again(client):
    UserFactory(phone=PHONE)
    request_code(client, PHONE, purpose="reset")
    code = last_code(PHONE)
    assert forgot(client, code=code).status_code == 302
    response = forgot(client, code=code, new1="third-Pass-2020", new2="third-Pass-2020")
    assert "验证码已使用，请重新获取" in text_of(response)
    assert User.objects.get().check_password(NEW)


def test_change_password(client):
    user = UserFactory(phone=PHONE)
    client.force_login(user)
    page = text_of(client.get("/accounts/password/change/"))
    assert "修改密码" in page and "旧密码" in page

    wrong = client.post(
        "/accounts/password/change/", {"old_password": "nope", "new_password1": NEW, "new_password2": NEW}
    )
    assert "你的旧密码不正确" in text_of(wrong)

    response = client.post(
        "/accounts/password/change/", {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW}
    )
    assert response.status_code == 302
    assert response.url == "/accounts/me/"
    user.refresh_from_db()
    assert user.check_password(NEW)
    # Still logged in, and told so.
    assert "密码修改成功" in text_of(client.get("/accounts/me/"))
