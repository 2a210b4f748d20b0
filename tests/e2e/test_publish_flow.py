"""The seed's whole path, clicked as an organiser would, with a screenshot of each step at 1366×768."""

import re
from datetime import timedelta

import pytest
import zxingcpp
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from activities.models import Activity, Campaign
from tests.factories import PASSWORD, UserFactory
from tests.support import last_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = "13800138000"


@pytest.fixture
def campaign_open_today():
    """A campaign like 2020's, whose windows are open today (the browser keeps real time)."""
    today = timezone.localdate()
    template = Campaign.objects.get(year=2020)
    campaign = Campaign.objects.create(
        year=today.year,
        name=f"{today.year}年全国科普日",
        national_theme=template.national_theme,
        label=f"{today.year}年全国科普日活动",
        report_opens=today - timedelta(days=20),
        report_closes=today + timedelta(days=10),
        supplement_closes=today + timedelta(days=20),
        summary_closes=today + timedelta(days=30),
    )
    for category in template.categories.all():
        campaign.categories.create(name=category.name, position=category.position)
    return campaign


@pytest.fixture
def pictures(tmp_path):
    paths = []
    for n, colour in enumerate(["#1f77b4", "#ff7f0e", "#2ca02c"]):
        path = tmp_path / f"picture-{n}.png"
        Image.new("RGB", (1200, 800), colour).save(path)
        paths.append(path)
    return paths


def at_local(days: int, hour: int) -> str:
    moment = timezone.localtime() + timedelta(days=days)
    return moment.replace(hour=hour, minute=30).strftime("%Y-%m-%dT%H:%M")


def register(page, live_server):
    page.goto(f"{live_server.url}/accounts/register/")
    page.get_by_label("手机号码").fill(PHONE)
    page.get_by_role("button", name="获取验证码").click()
    expect(page.get_by_text("验证码已发送")).to_be_visible()
    page.get_by_label("验证码").fill(last_code(PHONE))
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_label("同意并遵守").check()
    page.get_by_role("button", name="立即注册").click()
    expect(page.get_by_text("注册成功")).to_be_visible()


def fill_organisation(page):
    page.get_by_label("单位名称").fill("保定市示范科技馆")
    page.get_by_label("填报人姓名").fill("李老师")
    page.get_by_label("填报人电话").fill("0312-5123456")
    page.get_by_label("单位地址").fill("河北省保定市竞秀区示范路1号")


def fill_report(page, poster, *, name, activity_type, supervisor):
    page.get_by_label(activity_type, exact=True).check()
    page.get_by_label("活动名称").fill(name)
    page.get_by_label("活动开始时间").fill(at_local(-1, 9))
    page.get_by_label("活动结束时间").fill(at_local(-1, 11))
    page.get_by_label("所在地区（省）").select_option(label="河北省")
    page.get_by_label("所在地区（市）").select_option(label="保定市")
    page.get_by_label("活动类别").select_option(label="节水")
    page.get_by_label("活动简介").fill("面向社区居民开展节水知识讲座和家庭节水体验。")
    if activity_type != "线上":
        page.get_by_label("活动地址").fill("河北省保定市竞秀区示范社区活动中心")
    if activity_type != "线下":
        page.get_by_label("活动网址").fill("https://live.example.org/jieshui")
    supervisor(page)
    page.get_by_label("主办单位").fill("保定市科学技术协会，保定市水利局")
    page.get_by_label("活动宣传图").set_input_files(poster)


def city_kexie_by_autocomplete(page):
    page.get_by_label("市科协").check()
    unit = page.get_by_label("归口单位", exact=True)
    unit.fill("bd")
    page.get_by_role("listbox").get_by_text("保定市科学技术协会（保定市科协）").click()
    expect(unit).to_have_value("保定市科学技术协会")


def other_supervisor(page):
    page.get_by_label("其他").check()
    page.get_by_label("归口单位名称").fill("保定市某某实验中学")


def row(page, name):
    return page.locator("tr", has=page.get_by_text(name, exact=True))


def status(page, name):
    return row(page, name).locator(".status-cell")


def operation(page, name, label):
    return row(page, name).locator(".operations").get_by_text(label, exact=True)


def test_the_seeds_whole_path(
    page, browser, live_server, settings, campaign_open_today, pictures, screenshot
):
    settings.SITE_URL = live_server.url
    page.set_viewport_size({"width": 1366, "height": 768})
    page.on("dialog", lambda dialog: dialog.accept())
    register(page, live_server)

    # 发布活动 → 单位信息 → 保存并下一步.
    page.locator("header").get_by_role("link", name="发布活动").click()
    fill_organisation(page)
    screenshot("publish-1-organisation")
    page.get_by_role("button", name="保存并下一步").click()

    # 活动填报: 线上线下, 归口 by the autocomplete.
    expect(page.get_by_text("带有 * 号标记的填写项均为必填项")).to_be_visible()
    fill_report(
        page,
        pictures[0],
        name="节水科普进社区",
        activity_type="线上线下",
        supervisor=city_kexie_by_autocomplete,
    )
    screenshot("publish-2-report")
    page.get_by_role("button", name="保存并下一步").click()

    # 补充活动信息: 跳过.
    expect(page.get_by_role("heading", name="补充活动信息")).to_be_visible()
    screenshot("publish-3-supplement")
    page.get_by_role("button", name="跳过").click()

    # 活动二维码: download the PNG and read it.
    expect(page.get_by_role("heading", name="活动二维码")).to_be_visible()
    preview = page.get_by_role("img", name="“节水科普进社区”的活动二维码")
    expect(preview).to_have_js_property("complete", True)
    assert preview.evaluate("image => image.naturalWidth") >= 1000
    screenshot("publish-4-qrcode")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载二维码（PNG，用于打印）").click()
    activity = Activity.objects.get(name="节水科普进社区")
    decoded = zxingcpp.read_barcodes(Image.open(download.value.path()))
    assert [code.text for code in decoded] == [f"{live_server.url}/a/{activity.public_code}/"]

    # 继续发布活动: a second activity, 线上, with 其他 as 归口单位.
    page.get_by_role("link", name="继续发布活动").click()
    expect(page.get_by_label("单位名称")).to_have_value("保定市示范科技馆")
    page.get_by_role("button", name="保存并下一步").click()
    fill_report(page, pictures[1], name="线上节水知识竞答", activity_type="线上", supervisor=other_supervisor)
    page.get_by_role("button", name="保存并下一步").click()
    page.get_by_role("button", name="跳过").click()
    assert Activity.objects.get(name="线上节水知识竞答").owner_unit.short_name == "河北省科协"

    # 用户中心: 待审核, and 编辑活动 refused with the reason.
    page.get_by_role("link", name="查看我发布的活动").click()
    expect(status(page, "节水科普进社区")).to_contain_text("待审核")
    edit = operation(page, "节水科普进社区", "编辑活动")
    expect(edit).to_be_disabled()
    expect(
        row(page, "节水科普进社区").locator("[title='活动待审核，请等审核结果出来后再编辑']")
    ).to_have_count(1)
    screenshot("user-center-pending")

    # A reviewer approves it in the admin.
    UserFactory(phone="13900000000", is_staff=True, is_superuser=True)
    admin = browser.new_page()
    admin.goto(f"{live_server.url}/admin/activities/activity/")
    admin.get_by_label("手机号码").fill("13900000000")
    admin.get_by_label("密码").fill(PASSWORD)
    admin.get_by_role("button", name="登录").click()
    admin.get_by_role("row", name=re.compile("节水科普进社区")).get_by_role("checkbox").check()
    admin.get_by_role("combobox", name="动作").select_option(label="审核通过所选活动（或其修改）")
    admin.get_by_role("button", name="执行").click()
    expect(admin.get_by_text("已审核通过 1 个")).to_be_visible()
    admin.close()

    # 编辑活动: the change waits; the public page still shows the approved version.
    page.reload()
    expect(status(page, "节水科普进社区")).to_contain_text("审核通过")
    operation(page, "节水科普进社区", "编辑活动").click()
    expect(page.get_by_text("修改提交后需重新审核")).to_be_visible()
    page.get_by_label("活动名称").fill("节水科普进社区（第二场）")
    page.get_by_role("button", name="保存并下一步").click()
    expect(page.get_by_text("修改已提交审核")).to_be_visible()
    public = browser.new_page()
    public.goto(f"{live_server.url}/a/{activity.public_code}/")
    expect(public.get_by_role("heading", name="节水科普进社区", exact=True)).to_be_visible()
    expect(public.get_by_text("节水科普进社区（第二场）")).to_have_count(0)
    public.close()

    # 补充活动: photos and a news link, confirmed.
    page.get_by_label("活动图片").set_input_files(pictures)
    page.get_by_label("新闻报道链接").fill("https://news.example.org/jieshui")
    page.get_by_role("button", name="保存并下一步").click()
    expect(page.get_by_text("补充活动信息已保存")).to_be_visible()

    # 编辑总结, from 用户中心.
    page.get_by_role("link", name="查看我发布的活动").click()
    expect(status(page, "节水科普进社区")).to_contain_text("修改待审核")
    operation(page, "节水科普进社区", "编辑总结").click()
    page.get_by_label("活动总结").fill("活动顺利举行，居民反响热烈。")
    page.get_by_label("活动参与人数").fill("128")
    screenshot("summary")
    page.get_by_role("button", name="提交总结").click()
    expect(page.get_by_role("alert").get_by_text("活动总结已提交")).to_be_visible()

    # Greyed afterwards, each saying why.
    for label in ("补充活动", "编辑总结", "编辑活动"):
        expect(operation(page, "节水科普进社区", label)).to_be_disabled()
    expect(row(page, "节水科普进社区").locator("[title='活动总结已提交，不可修改']")).to_have_count(1)
    expect(row(page, "节水科普进社区").locator("[title='活动信息已补充，不可修改']")).to_have_count(1)
    screenshot("user-center-done")
    done = Activity.objects.get(pk=activity.pk)
    assert done.photos.count() == 3 and done.summary.participants == 128
