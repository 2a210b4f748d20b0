"""The limits of SPEC §2, each at N and N+1, with the clock moved across its window."""

from datetime import datetime, timedelta

import pytest

import sms
from accounts.models import SmsCode
from tests.factories import PASSWORD, UserFactory
from tests.support import CLOCK_START, SHANGHAI, last_code, request_code, text_of

pytestmark = pytest.mark.django_db

START = CLOCK_START
PHONE = "13800138000"
DEAD_REDIS = "redis://127.0.0.1:1/0"


def send(client, phone=PHONE, ip="10.0.0.1", **extra):
    return request_code(client, phone, REMOTE_ADDR=ip, **extra)


# --- SMS: per phone -----------------------------------------------------------


def test_one_code_per_phone_per_60_seconds(client, clock):
    assert send(client).status_code == 200

    clock.shift(timedelta(seconds=59))
    refused = send(client)
    assert refused.status_code == 429
    assert refused.json() == {"ok": False, "message": "验证码发送过于频繁，请 1 秒后再试", "retry_after": 1}

    clock.shift(timedelta(seconds=1, microseconds=1))
    assert send(client).status_code == 200
    assert len(sms.outbox) == 2


def test_five_codes_per_phone_per_hour(client, clock):
    for _ in range(5):
        assert send(client).status_code == 200
        clock.shift(timedelta(seconds=61))

    refused = send(client)  # the 6th, 5 min 5 s after the first

    assert refused.status_code == 429
    assert refused.json()["message"] == "该手机号1小时内获取验证码已达5次，请于 10:00 后再试"
    assert len(sms.outbox) == 5
    clock.move_to(START + timedelta(hours=1, microseconds=1))
    assert send(client).status_code == 200


def test_ten_codes_per_phone_per_day(client, clock):
    sent_at = []
    for hour in (0, 1):
        clock.move_to(START + timedelta(hours=hour, minutes=1 + hour))
        for _ in range(5):
            sent_at.append(datetime.now(SHANGHAI))
            assert send(client).status_code == 200
            clock.shift(timedelta(seconds=61))

    clock.move_to(START + timedelta(hours=5))
    refused = send(client)  # the 11th in 24 hours

    assert refused.status_code == 429
    assert refused.json()["message"] == "该手机号24小时内获取验证码已达10次，请于 9月2日 09:01 后再试"
    clock.move_to(sent_at[0] + timedelta(days=1, microseconds=1))
    assert send(client).status_code == 200
    assert len(sms.outbox) == 11


def test_limits_count_per_phone(client, clock):
    assert send(client, "13800138000").status_code == 200
    assert send(client, "13800138001").status_code == 200


# --- SMS: per IP ----------------------------------------------------------------


def test_twenty_codes_per_ip_per_hour(client, clock):
    for n in range(20):
        assert send(client, f"1380000{n:04d}").status_code == 200

    refused = send(client, "13811112222")

    assert refused.status_code == 429
    assert refused.json()["message"] == "当前网络1小时内获取验证码已达20次，请于 10:00 后再试"
    assert send(client, "13811112222", ip="10.0.0.2").status_code == 200
    clock.shift(timedelta(hours=1, microseconds=1))
    assert send(client, "13811113333").status_code == 200


def test_the_ip_limit_also_bounds_asking_which_numbers_are_registered(client, clock):
    for n in range(20):
        UserFactory(phone=f"1380000{n:04d}")
        refused = send(client, f"1380000{n:04d}")
        assert refused.json()["message"] == "该手机号已注册，请直接登录"
    UserFactory(phone="13811112222")

    refused = send(client, "13811112222")

    assert refused.status_code == 429
    assert refused.json()["message"] == "当前网络1小时内获取验证码已达20次，请于 10:00 后再试"
    assert sms.outbox == []


def test_a_forged_forwarded_for_header_does_not_escape_the_ip_limit(client, clock):
    for n in range(20):
        send(client, f"1380000{n:04d}")
    refused = send(client, "13811112222", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert refused.status_code == 429


def test_behind_a_trusted_proxy_the_forwarded_address_counts(client, clock, settings):
    settings.TRUSTED_PROXY_COUNT = 1  # one proxy, which appends the address it saw
    for n in range(20):
        forged_then_real = f"198.51.100.{n}, 203.0.113.9"  # the client made up the first
        assert send(client, f"1380000{n:04d}", HTTP_X_FORWARDED_FOR=forged_then_real).status_code == 200
    assert send(client, "13811112222", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 429
    assert send(client, "13811113333", HTTP_X_FORWARDED_FOR="203.0.113.10").status_code == 200


# --- SMS: fail closed -------------------------------------------------------


def test_sms_is_refused_when_the_limiter_cannot_be_reached(client, settings):
    settings.RATELIMIT_STORAGE_URI = DEAD_REDIS

    refused = send(client)

    # 503, not the visitor's fault; the JSON static/js/sms-code.js shows, with no countdown.
    assert refused.status_code == 503 and refused["Content-Type"] == "application/json"
    assert refused.json() == {"ok": False, "message": "短信服务暂时不可用，请稍后再试", "retry_after": None}
    assert sms.outbox == []
    assert not SmsCode.objects.exists()
    # Without JavaScript the button posts the form: the page says the same, what was typed kept.
    page = client.post("/accounts/register/", {"phone": PHONE, "send_code": "register"})
    assert page.status_code == 200 and "短信服务暂时不可用，请稍后再试" in text_of(page)
    assert f'value="{PHONE}"' in page.content.decode()
    assert sms.outbox == [] and not SmsCode.objects.exists()
    # ... while pages, and logins, keep working.
    assert client.get("/accounts/register/").status_code == 200
    UserFactory(phone=PHONE)
    response = client.post("/accounts/login/", {"phone": PHONE, "password": PASSWORD})
    assert response.status_code == 302


# --- Login --------------------------------------------------------------------


def login(client, password, phone=PHONE, ip="10.0.0.1"):
    return client.post("/accounts/login/", {"phone": phone, "password": password}, REMOTE_ADDR=ip)


def test_four_failures_leave_the_phone_open(client, clock):
    UserFactory(phone=PHONE)
    for left in (4, 3, 2, 1):
        assert f"手机号码或密码错误，还可尝试{left}次" in text_of(login(client, "wrong"))
    assert login(client, PASSWORD).status_code == 302


def test_five_failures_in_15_minutes_lock_the_phone_for_15_minutes(client, clock):
    UserFactory(phone=PHONE)
    for _ in range(4):
        login(client, "wrong")
        clock.shift(timedelta(minutes=1))

    fifth = login(client, "wrong")  # at 09:04
    assert "该手机号15分钟内连续登录失败5次，已锁定15分钟，请于 09:19 后再试" in text_of(fifth)

    clock.shift(timedelta(minutes=15) - timedelta(microseconds=1))
    locked = login(client, PASSWORD)
    assert locked.status_code == 200
    assert "已锁定15分钟，请 1 秒后再试" in text_of(locked)
    assert "_auth_user_id" not in client.session

    clock.shift(timedelta(microseconds=2))
    assert login(client, PASSWORD).status_code == 302


def test_failures_spread_over_more_than_15_minutes_do_not_lock(client, clock):
    UserFactory(phone=PHONE)
    for _ in range(5):
        login(client, "wrong")
        clock.shift(timedelta(minutes=4))
    assert login(client, PASSWORD).status_code == 302


def test_a_success_starts_the_count_afresh(client, clock):
    UserFactory(phone=PHONE)
    for _ in range(4):
        login(client, "wrong")
    assert login(client, PASSWORD).status_code == 302
    client.logout()
    assert "还可尝试4次" in text_of(login(client, "wrong"))


def test_the_lock_holds_for_an_unknown_phone_too(client, clock):
    for _ in range(5):
        response = login(client, "wrong", phone="13900000000")
    assert "已锁定15分钟" in text_of(response)


def test_password_reset_lifts_the_lock(client, clock):
    UserFactory(phone=PHONE)
    for _ in range(5):
        login(client, "wrong")
    request_code(client, PHONE, purpose="reset")
    new = "kepuri-New-2020"
    client.post(
        "/accounts/password/forgot/",
        {"phone": PHONE, "code": last_code(PHONE), "new_password1": new, "new_password2": new},
    )
    assert login(client, new).status_code == 302


def test_fifty_failures_per_ip_per_hour(client, clock):
    for n in range(50):
        response = login(client, "wrong", phone=f"1390000{n:04d}")
        assert "手机号码或密码错误" in text_of(response)
    UserFactory(phone=PHONE)

    refused = login(client, PASSWORD)  # the 51st attempt from this address

    assert "当前网络1小时内登录失败已达50次，请于 10:00 后再试" in text_of(refused)
    assert login(client, PASSWORD, ip="10.0.0.2").status_code == 302
    client.logout()
    clock.shift(timedelta(hours=1, microseconds=1))
    assert login(client, PASSWORD).status_code == 302
