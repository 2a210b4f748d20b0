"""The password sent again to 更换手机号 and 注销账号 through the API, under 登录's limits as on the site:
failures 1–4 are 422 on ``password`` with the tries left, the 5th is 429 ``login_locked``."""

from datetime import timedelta

import pytest
from django.test import Client

from accounts.models import User
from tests.accounts.test_password_reentry import LOCKED, NEW, PHONE  # the site's words
from tests.api.conftest import bearer
from tests.factories import PASSWORD, UserFactory
from tests.support import last_code, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return UserFactory(phone=PHONE)


def delete(api, password):
    return api.post("/api/v1/me/delete/", {"password": password, "understood": True}, REMOTE_ADDR="10.0.0.1")


def test_deletion_wrong_passwords_then_the_lock(user, clock):
    api = bearer(user)
    for left in (4, 3, 2, 1):
        wrong = delete(api, "not-my-password")
        assert wrong.status_code == 422
        assert wrong.json()["code"] == "invalid"
        assert wrong.json()["fields"] == {"password": [f"密码错误，还可尝试{left}次"]}

    fifth = delete(api, "not-my-password")

    assert fifth.status_code == 429 and fifth["Retry-After"] == str(15 * 60)
    assert fifth.json() == {"code": "login_locked", "detail": LOCKED, "fields": {}, "retry_after": 900}
    assert delete(api, PASSWORD).status_code == 429  # the right one too, while locked
    assert "已锁定15分钟" in text_of(
        Client().post("/accounts/login/", {"phone": PHONE, "password": PASSWORD})
    )
    assert not User.objects.get(pk=user.pk).is_deleted

    clock.shift(timedelta(minutes=15, microseconds=1))
    assert delete(bearer(user), PASSWORD).status_code == 204  # (a fresh token: the first expired)
    assert User.objects.get(pk=user.pk).is_deleted


def test_phone_change_wrong_passwords_then_the_lock(user, clock):
    api = bearer(user)
    assert api.post("/api/v1/auth/sms-code/", {"purpose": "change_phone_old"}).status_code == 200
    assert api.post("/api/v1/auth/sms-code/", {"phone": NEW, "purpose": "change_phone"}).status_code == 200

    def change(password):
        data = {
            "old_code": last_code(PHONE),
            "new_phone": NEW,
            "new_code": last_code(NEW),
            "password": password,
        }
        return api.post("/api/v1/me/phone/", data)

    for left in (4, 3, 2, 1):
        wrong = change("not-my-password")
        assert wrong.status_code == 422 and wrong.json()["fields"]["password"] == [
            f"密码错误，还可尝试{left}次"
        ]
    locked = change("not-my-password")
    assert locked.status_code == 429 and locked.json()["code"] == "login_locked"
    assert locked.json()["detail"] == LOCKED
    assert change(PASSWORD).status_code == 429
    assert User.objects.get(pk=user.pk).phone == PHONE
