"""单位信息 and 单位管理, and the 省 → 市 cascade with the 归口单位 autocomplete, clicked through."""

import pytest
from playwright.sync_api import expect

from organizations.models import Organization
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, phone):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("手机号码").fill(phone)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("header").get_by_role("link", name="用户中心")).to_be_visible()


def matches(page):
    """The autocomplete's offers (not the <option>s of the region selects)."""
    return page.get_by_role("listbox").get_by_role("option")


def test_fill_in_and_edit_the_organisation(page, live_server, screenshot):
    UserFactory(phone="13800138000")
    log_in(page, live_server, "13800138000")
    page.locator("header").get_by_role("link", name="用户中心").click()
    page.get_by_role("link", name="单位管理").click()
    expect(page.get_by_text("您还没有填写单位信息")).to_be_visible()
    page.get_by_role("link", name="填写单位信息").click()

    page.get_by_label("单位名称").fill("青海省示范科技馆")
    page.get_by_label("填报人姓名").fill("王老师")
    page.get_by_label("填报人电话").fill("0971 6123456")
    page.get_by_label("单位地址").fill("青海省西宁市城西区示范路1号")
    page.get_by_label("单位简介").fill("面向青少年开展科普展览。")
    screenshot("organization-edit")
    page.get_by_role("button", name="保存").click()

    expect(page.get_by_text("单位信息已保存")).to_be_visible()
    expect(page.get_by_text("0971-6123456")).to_be_visible()
    screenshot("organization-detail")
    page.get_by_role("link", name="修改单位填报信息").click()
    expect(page.get_by_label("单位名称")).to_have_value("青海省示范科技馆")
    page.get_by_label("单位名称").fill("青海省科学技术馆")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("青海省科学技术馆")).to_be_visible()
    assert Organization.objects.get().name == "青海省科学技术馆"


def test_region_cascade_and_unit_autocomplete(page, live_server, screenshot):
    page.goto(f"{live_server.url}/directory/")
    city = page.get_by_label("所在地区（市）")
    expect(city).to_be_disabled()  # until a province is chosen

    page.get_by_label("所在地区（省）").select_option(label="河北省")
    expect(city.locator("option")).to_have_count(12)  # the placeholder and 河北's 11 cities
    city.select_option(label="保定市")

    page.get_by_label("市科协").check()
    unit = page.get_by_label("归口单位", exact=True)
    unit.fill("bd")
    option = matches(page).get_by_text("保定市科学技术协会（保定市科协）")
    expect(option).to_be_visible()
    screenshot("unit-autocomplete")
    option.click()
    expect(unit).to_have_value("保定市科学技术协会")
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_text("该活动隶属于 保定市科学技术协会")).to_be_visible()

    # Another province's city 科协 is not offered.
    unit.fill("石家庄")
    expect(page.get_by_text("没有找到匹配的单位")).to_be_visible()
    expect(matches(page)).to_have_count(0)

    # 其他: a free-text name, and the activity belongs to the province's 科协.
    page.get_by_label("其他").check()
    expect(unit).to_be_hidden()
    page.get_by_label("归口单位名称").fill("保定市某某中学")
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_text("该活动隶属于 河北省科学技术协会")).to_be_visible()


def test_keyboard_choice_and_bingtuan(page, live_server):
    page.goto(f"{live_server.url}/directory/")
    page.get_by_label("所在地区（省）").select_option(label="新疆生产建设兵团")
    page.get_by_label("所在地区（市）").select_option(label="石河子市")
    page.get_by_label("省科协").check()
    unit = page.get_by_label("归口单位", exact=True)
    unit.click()
    expect(matches(page)).to_have_count(1)
    unit.press("ArrowDown")
    unit.press("Enter")
    expect(unit).to_have_value("新疆生产建设兵团科学技术协会")
