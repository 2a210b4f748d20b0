"""The password typed again on 更换手机号 and 注销账号 is limited as 登录 is (SPEC §2): the same counts
per phone and per address, the same messages; failures 1–4 say how many tries are left, the 5th
locks the phone for 15 minutes, and while it is locked the right password is refused too."""

from datetime import timedelta

import pytest
from django.test import Client

from accounts.models import SmsCode, User
from tests.factories import PASSWORD, UserFactory
from tests.support import last_code, request_code, text_of

pytestmark = pytest.mark.django_db

PHONE = "13800138000"
NEW = "13700137000"
LOCKED = "该手机号15分钟内连续登录失败5次，已锁定15分钟，请于 09:15 后再试"


@pytest.fixture
def user():
    return UserFactory(phone=PHONE)


@pytest.fixture
def me(client, user):
    client.force_login(user)
    return client


def delete(client, password, ip="10.0.0.1"):
    data = {"password": password, "understood": "on"}
    return client.post("/accounts/delete/", data, REMOTE_ADDR=ip)


def change(client, password):
    data = {"old_code": last_code(PHONE), "new_phone": NEW, "new_code": last_code(NEW), "password": password}
    return client.post("/accounts/phone/change/", data)


def test_deletion_four_wrong_passwords_are_told_the_fifth_locks(me, user, clock):
    for left in (4, 3, 2, 1):
        response = delete(me, "not-my-password")
        assert response.status_code == 200
        assert f"密码错误，还可尝试{left}次" in text_of(response)

    fifth = delete(me, "not-my-password")

    assert fifth.status_code == 200 and LOCKED in text_of(fifth)
    locked = delete(me, PASSWORD)  # the right password, while locked
    assert locked.status_code == 200 and "已锁定15分钟，请于 09:15 后再试" in text_of(locked)
    user.refresh_from_db()
    assert not user.is_deleted

    clock.shift(timedelta(minutes=15, microseconds=1))
    assert delete(me, PASSWORD).status_code == 302
    user.refresh_from_db()
    assert user.is_deleted


def test_phone_change_four_wrong_passwords_are_told_the_fifth_locks(me, user, clock):
    assert request_code(me, "", purpose="change_phone_old").status_code == 200
    assert request_code(me, NEW, purpose="change_phone").status_code == 200
    for left in (4, 3, 2, 1):
        assert f"密码错误，还可尝试{left}次" in text_of(change(me, "not-my-password"))

    assert LOCKED in text_of(change(me, "not-my-password"))
    assert "已锁定15分钟" in text_of(change(me, PASSWORD))
    user.refresh_from_db()
    assert user.phone == PHONE
    assert SmsCode.objects.filter(used_at__isnull=True).count() == 2  # no code spent on a refusal

    clock.shift(timedelta(minutes=15, microseconds=1))  # the codes expired meanwhile: new ones
    assert request_code(me, "", purpose="change_phone_old").status_code == 200
    assert request_code(me, NEW, purpose="change_phone").status_code == 200
    assert change(me, PASSWORD).status_code == 302
    user.refresh_from_db()
    assert user.phone == NEW


def test_the_counts_are_logins_counts(me, user, clock):
    """Wrong passwords here count toward 登录's lock, and a lock made at 登录 holds here."""
    for _ in range(4):
        delete(me, "not-my-password")
    login = Client().post("/accounts/login/", {"phone": PHONE, "password": "wrong"})
    assert LOCKED in text_of(login)
    assert "已锁定15分钟" in text_of(delete(me, PASSWORD))


def test_the_right_password_starts_the_count_afresh(me, user, clock):
    for _ in range(4):
        delete(me, "not-my-password")
    assert "请勾选确认您已了解注销的后果" in text_of(me.post("/accounts/delete/", {"password": PASSWORD}))
    assert "密码错误，还可尝试4次" in text_of(delete(me, "not-my-password"))


def test_the_addresss_limit_holds_here_too(me, user, clock):
    visitor = Client()
    for n in range(50):
        data = {"phone": f"1390000{n:04d}", "password": "x"}
        refused = visitor.post("/accounts/login/", data, REMOTE_ADDR="10.0.0.1")
        assert refused.status_code == 200
    refused = delete(me, PASSWORD)  # the 51st try from this address
    assert "当前网络1小时内登录失败已达50次" in text_of(refused)
    assert delete(me, PASSWORD, ip="10.0.0.2").status_code == 302
    assert User.objects.get(pk=user.pk).is_deleted
