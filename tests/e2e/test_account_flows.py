"""The account flows as a person clicks them: register, log out, log in, forget, change."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from tests.support import last_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = "13800138000"
FIRST, SECOND, THIRD = "kepuri-First-2020", "kepuri-Second-2020", "kepuri-Third-2020"


def header(page):
    return page.locator("header")


def log_out(page):
    header(page).get_by_role("button", name="退出").click()
    expect(header(page).get_by_role("link", name="登录")).to_be_visible()


def log_in(page, password):
    header(page).get_by_role("link", name="登录").click()
    page.get_by_label("手机号码").fill(PHONE)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    expect(header(page).get_by_role("link", name="个人中心")).to_be_visible()


def test_register_log_out_log_in_forget_and_change_the_password(page, live_server, screenshot, time_machine):
    # 注册: the header's 注册, a code by SMS, the agreement, 立即注册.
    page.goto(live_server.url)
    screenshot("home-visitor")
    header(page).get_by_role("link", name="注册").click()
    page.get_by_label("手机号码").fill(PHONE)
    page.get_by_role("button", name="获取验证码").click()
    expect(page.get_by_text("验证码已发送，5分钟内有效")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile(r"\d+秒后重新获取"))).to_be_disabled()
    page.get_by_label("验证码").fill(last_code(PHONE))
    page.get_by_label("密码").fill(FIRST)
    page.get_by_label("同意并遵守").check()
    screenshot("register")
    page.get_by_role("button", name="立即注册").click()
    expect(page.get_by_text("注册成功")).to_be_visible()
    for entry in ("发布活动", "用户中心", "个人中心"):
        expect(header(page).get_by_role("link", name=entry)).to_be_visible()
    screenshot("home-user")
    assert User.objects.get().terms_accepted_at is not None

    # 退出, then 登录 with the password just set.
    log_out(page)
    log_in(page, FIRST)
    log_out(page)

    # 忘记密码 from the login page: phone, code, new password twice, 提交 (a
    # minute later: one code per phone per 60 s, whatever it is for).
    time_machine.move_to(timezone.now() + timedelta(seconds=61))
    header(page).get_by_role("link", name="登录").click()
    screenshot("login")
    page.get_by_role("link", name="忘记密码").click()
    page.get_by_label("手机号码").fill(PHONE)
    page.get_by_role("button", name="获取验证码").click()
    expect(page.get_by_text("验证码已发送")).to_be_visible()
    page.get_by_label("验证码").fill(last_code(PHONE))
    page.locator("#id_new_password1").fill(SECOND)
    page.locator("#id_new_password2").fill(SECOND)
    screenshot("password-forgot")
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_text("新密码设置成功，请使用新密码登录")).to_be_visible()
    log_in(page, SECOND)

    # 修改密码 in 个人中心.
    header(page).get_by_role("link", name="个人中心").click()
    page.get_by_role("link", name="修改密码").click()
    page.locator("#id_old_password").fill(SECOND)
    page.locator("#id_new_password1").fill(THIRD)
    page.locator("#id_new_password2").fill(THIRD)
    page.get_by_role("button", name="修改密码").click()
    expect(page.get_by_text("密码修改成功")).to_be_visible()
    screenshot("personal-center")
    log_out(page)
    log_in(page, THIRD)


def test_a_refused_code_request_says_why_on_the_page(page, live_server):
    page.goto(f"{live_server.url}/accounts/register/")
    page.get_by_label("手机号码").fill("12345")
    page.get_by_role("button", name="获取验证码").click()
    expect(page.get_by_text("请输入正确的11位中国大陆手机号码")).to_be_visible()
    expect(page.get_by_role("button", name="获取验证码")).to_be_enabled()


def test_a_wrong_code_is_refused_and_what_was_typed_stays(page, live_server):
    page.goto(f"{live_server.url}/accounts/register/")
    page.get_by_label("手机号码").fill(PHONE)
    page.get_by_role("button", name="获取验证码").click()
    expect(page.get_by_text("验证码已发送")).to_be_visible()
    wrong = f"{(int(last_code(PHONE)) + 1) % 1000000:06d}"
    page.get_by_label("验证码").fill(wrong)
    page.get_by_label("密码").fill(FIRST)
    page.get_by_label("同意并遵守").check()
    page.get_by_role("button", name="立即注册").click()
    expect(page.get_by_text("验证码错误，还可尝试4次")).to_be_visible()
    expect(page.get_by_label("手机号码")).to_have_value(PHONE)
    expect(page.get_by_label("验证码")).to_have_value(wrong)
    expect(page.get_by_label("同意并遵守")).to_be_checked()
    assert not User.objects.exists()


def test_phone_layout_collapses_the_menu(page, live_server, screenshot):
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(live_server.url)
    menu_link = header(page).get_by_role("link", name="注册")
    expect(menu_link).to_be_hidden()
    header(page).get_by_role("button", name="展开导航").click()
    expect(menu_link).to_be_visible()
    expect(page.locator("#site-nav")).to_have_class(re.compile(r"(^|\s)show(\s|$)"))  # opened all the way
    screenshot("home-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
