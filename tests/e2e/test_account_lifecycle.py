"""更换手机号 as a person clicks it: two codes, each button with its own answer, then the new number logs in."""

import re

import pytest
from playwright.sync_api import expect

import sms
from accounts.models import User
from tests.e2e.test_account_flows import header, log_out
from tests.factories import PASSWORD, UserFactory
from tests.support import last_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OLD, NEW = "13800138000", "13700137000"


def log_in(page, phone):
    """登录 from the header with the number ``phone``."""
    header(page).get_by_role("link", name="登录").click()
    page.get_by_label("手机号码").fill(phone)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_change_the_phone_number_in_the_personal_center(page, live_server, screenshot):
    user = UserFactory(phone=OLD)
    page.goto(live_server.url)
    log_in(page, OLD)
    header(page).get_by_role("link", name="个人中心").click()
    page.get_by_role("link", name="更换手机号").click()
    expect(page.get_by_text("当前手机号：138****8000")).to_be_visible()

    old_button = page.locator('button[data-sms-code-field="old_code"]')
    new_button = page.locator('button[data-sms-code-field="new_code"]')
    expect(old_button).to_have_text("获取验证码")
    old_button.click()  # to the current number: the page sends no number for it
    expect(page.locator('[data-sms-status="old_code"]')).to_have_text("验证码已发送，5分钟内有效")
    expect(page.locator('[data-sms-status="new_code"]')).to_have_text("")
    expect(old_button).to_have_text(re.compile(r"\d+秒后重新获取"))
    page.get_by_label("原手机号验证码").fill(last_code(OLD))

    page.get_by_label("新手机号码").fill(NEW)
    new_button.click()
    expect(page.locator('[data-sms-status="new_code"]')).to_have_text("验证码已发送，5分钟内有效")
    page.get_by_label("新手机号验证码").fill(last_code(NEW))
    page.get_by_label("登录密码").fill(PASSWORD)
    screenshot("phone-change")
    page.get_by_role("button", name="确认更换").click()

    expect(page.get_by_text("手机号已更换为137****7000，请使用新手机号登录")).to_be_visible()
    expect(header(page).get_by_text("137****7000")).to_be_visible()  # still logged in, as the new number
    user.refresh_from_db()
    assert user.phone == NEW
    assert sms.outbox[-1].phone == OLD and sms.outbox[-1].template == "phone_changed"

    # Only the new number logs in now.
    log_out(page)
    log_in(page, OLD)
    expect(page.get_by_text("手机号码或密码错误")).to_be_visible()
    page.goto(live_server.url)
    log_in(page, NEW)
    expect(header(page).get_by_text("137****7000")).to_be_visible()
    assert User.objects.get(phone=NEW).pk == user.pk
