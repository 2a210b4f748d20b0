"""科普中国账号登录 as a person clicks it: the login page, the provider, back in 个人中心."""

import pytest
from playwright.sync_api import expect

from accounts.models import ExternalLogin
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_log_in_with_a_kepu_china_account_and_land_in_the_personal_center(
    page, live_server, provider, screenshot
):
    user = UserFactory(phone="13800138000")
    page.goto(f"{live_server.url}/accounts/login/")
    screenshot("login-with-sso")
    page.get_by_role("link", name="科普中国账号登录").click()
    expect(page).to_have_url(f"{live_server.url}/accounts/me/")
    expect(page.get_by_text("已使用科普中国账号登录")).to_be_visible()
    expect(page.locator("header").get_by_role("link", name="个人中心")).to_be_visible()
    page.get_by_role("link", name="科普中国账号").click()
    expect(page.get_by_text("已绑定科普中国账号")).to_be_visible()
    screenshot("personal-center-sso")
    assert ExternalLogin.objects.get().user == user
