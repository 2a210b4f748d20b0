"""The account pages' buttons clicked twice: the second click is answered as the first — signed in as
the first left the browser, with its success message once — never with 验证码已使用 or 发送过于频繁."""

import pytest

import sms
from accounts.models import User
from tests.double_click import double_click, form_token
from tests.factories import PASSWORD, UserFactory
from tests.support import last_code, request_code, text_of

pytestmark = pytest.mark.django_db

PHONE = "13800138000"
NEW = "13700137000"
NEW_PASSWORD = "kepuri-New-2020"


def signed_in_as(client):
    """Who the browser's session cookie signs in, as the next page sees it (None: nobody)."""
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def test_registering_twice_signs_in_and_welcomes_once(client, clock):
    token = form_token(client.get("/accounts/register/"))
    request_code(client, PHONE)
    data = {
        "phone": PHONE,
        "code": last_code(PHONE),
        "password": PASSWORD,
        "agree": "on",
        "form_token": token,
    }

    first, second = double_click(client, "/accounts/register/", data)

    assert first.status_code == second.status_code == 302 and first.url == second.url == "/"
    user = User.objects.get(phone=PHONE)
    assert signed_in_as(client) == user  # the first answer's session cookie never reached the browser
    page = text_of(client.get(second.url))
    assert page.count("注册成功，欢迎来到云上科普日！") == 1 and "该手机号已注册" not in page


def test_without_the_token_the_second_registration_is_refused(client, clock):
    """What the token is for: the same double click on a form without it."""
    request_code(client, PHONE)
    data = {"phone": PHONE, "code": last_code(PHONE), "password": PASSWORD, "agree": "on"}
    first, second = double_click(client, "/accounts/register/", data)
    assert first.status_code == 302
    assert second.status_code == 200 and "该手机号已注册，请直接登录" in text_of(second)
    assert signed_in_as(client) is None


def test_logging_in_by_code_twice_signs_in(client, clock):
    user = UserFactory(phone=PHONE)
    token = form_token(client.get("/accounts/login/code/"))
    request_code(client, PHONE, purpose="login")
    data = {"phone": PHONE, "code": last_code(PHONE), "agree": "on", "form_token": token}

    first, second = double_click(client, "/accounts/login/code/", data)

    assert first.status_code == second.status_code == 302
    assert signed_in_as(client) == user


def test_asking_for_a_code_twice_without_javascript_sends_one_and_says_sent(client, clock):
    token = form_token(client.get("/accounts/register/"))
    data = {"phone": PHONE, "send_code": "register", "form_token": token}

    first, second = double_click(client, "/accounts/register/", data)

    assert first.status_code == second.status_code == 200
    assert len(sms.outbox) == 1
    for answer in (first, second):
        assert "验证码已发送，5分钟内有效" in text_of(answer) and "发送过于频繁" not in text_of(answer)


def test_changing_the_phone_twice_keeps_the_browser_signed_in(
    client, clock, django_capture_on_commit_callbacks
):
    user = UserFactory(phone=PHONE)
    client.force_login(user)
    token = form_token(client.get("/accounts/phone/change/"))
    assert request_code(client, "", purpose="change_phone_old").status_code == 200
    assert request_code(client, NEW, purpose="change_phone").status_code == 200
    data = {
        "old_code": last_code(PHONE),
        "new_phone": NEW,
        "new_code": last_code(NEW),
        "password": PASSWORD,
        "form_token": token,
    }

    with django_capture_on_commit_callbacks(execute=True):
        first, second = double_click(client, "/accounts/phone/change/", data)

    assert first.status_code == second.status_code == 302 and second.url == "/accounts/me/"
    user.refresh_from_db()
    assert user.phone == NEW
    assert signed_in_as(client) == user  # the session the first answer cycled: signed in again
    page = text_of(client.get(second.url))
    assert page.count("手机号已更换为137****7000，请使用新手机号登录") == 1
    assert len([m for m in sms.outbox if m.template == "phone_changed"]) == 1  # the old number told once


def test_deleting_the_account_twice_says_deleted(client):
    user = UserFactory(phone=PHONE)
    client.force_login(user)
    token = form_token(client.get("/accounts/delete/"))

    first, second = double_click(
        client, "/accounts/delete/", {"password": PASSWORD, "understood": "on", "form_token": token}
    )

    assert first.status_code == second.status_code == 302 and second.url == "/"
    user.refresh_from_db()
    assert user.is_deleted and signed_in_as(client) is None
    page = text_of(client.get(second.url))
    assert page.count("您的账号已注销，个人信息已删除。") == 1


def test_changing_the_password_twice_says_changed(client):
    user = UserFactory(phone=PHONE)
    client.force_login(user)
    token = form_token(client.get("/accounts/password/change/"))
    data = {
        "old_password": PASSWORD,
        "new_password1": NEW_PASSWORD,
        "new_password2": NEW_PASSWORD,
        "form_token": token,
    }

    first, second = double_click(client, "/accounts/password/change/", data)

    assert first.status_code == second.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD) and signed_in_as(client) == user
    page = text_of(client.get(second.url))
    assert page.count("密码修改成功") == 1 and "旧密码不正确" not in page


def test_a_wrong_password_clicked_twice_counts_once(client):
    """A wrong password is a failed login (5 lock the phone): the repeat answers the first refusal."""
    UserFactory(phone=PHONE)
    data = {"phone": PHONE, "password": "not-my-password", "login": ""}

    first, second = double_click(
        client, "/accounts/login/", data | {"form_token": form_token(client.get("/accounts/login/"))}
    )

    for answer in (first, second):
        assert answer.status_code == 200 and "手机号码或密码错误，还可尝试4次" in text_of(answer)
    again = client.post("/accounts/login/", data | {"form_token": form_token(second)})  # a new try
    assert "手机号码或密码错误，还可尝试3次" in text_of(again)


def test_without_the_token_a_wrong_password_counts_twice(client):
    UserFactory(phone=PHONE)
    first, second = double_click(client, "/accounts/login/", {"phone": PHONE, "password": "not-my-password"})
    assert "还可尝试4次" in text_of(first) and "还可尝试3次" in text_of(second)


def test_logging_in_by_password_twice_signs_in(client):
    user = UserFactory(phone=PHONE)
    token = form_token(client.get("/accounts/login/"))
    data = {"phone": PHONE, "password": PASSWORD, "login": "", "form_token": token}

    first, second = double_click(client, "/accounts/login/", data)

    assert first.status_code == second.status_code == 302 and first.url == second.url == "/"
    assert signed_in_as(client) == user


def test_a_wrong_password_to_delete_the_account_clicked_twice_counts_once(client):
    user = UserFactory(phone=PHONE)
    client.force_login(user)
    data = {"password": "not-my-password", "understood": "on"}

    first, second = double_click(
        client, "/accounts/delete/", data | {"form_token": form_token(client.get("/accounts/delete/"))}
    )

    for answer in (first, second):
        assert answer.status_code == 200 and "密码错误，还可尝试4次" in text_of(answer)
    again = client.post("/accounts/delete/", data | {"form_token": form_token(second)})
    assert "密码错误，还可尝试3次" in text_of(again)
    user.refresh_from_db()
    assert not user.is_deleted
