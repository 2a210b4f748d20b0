"""The Django admin under our strict CSP: the page fixture fails on any violation."""

import pytest
from playwright.sync_api import expect

from directory.models import SupervisingUnit
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_edits_a_unit_and_opens_the_import(page, live_server, screenshot):
    UserFactory(phone="13800000000", is_staff=True, is_superuser=True)
    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("手机号码").fill("13800000000")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_text("云上科普日管理后台").first).to_be_visible()

    page.goto(f"{live_server.url}/admin/directory/supervisingunit/?q=bdskx")
    page.get_by_role("link", name="保定市科学技术协会").click()
    page.get_by_label("简称").fill("保定科协")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.get_by_text("成功")).to_be_visible()
    assert SupervisingUnit.objects.get(name="保定市科学技术协会").initials == "bdkx"

    page.goto(f"{live_server.url}/admin/directory/supervisingunit/")
    page.get_by_role("link", name="从CSV导入").click()
    expect(page.get_by_text("每行一个单位")).to_be_visible()
    screenshot("admin-unit-import")
    page.goto(f"{live_server.url}/admin/activities/campaign/")
    page.get_by_role("link", name="2020年全国科普日").click()
    expect(page.get_by_label("活动填报截止日期")).to_have_value("2020/09/25")
