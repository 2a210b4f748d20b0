"""A provincial reviewer's morning, clicked through; then the organiser reads the outcome."""

import re

import pytest
from playwright.sync_api import expect

from activities.models import Activity
from activities.reports import Report
from directory.models import Region, SupervisingUnit
from reviews.models import ReviewerRole
from tests.e2e.conftest import log_in
from tests.factories import UserFactory, make_activity, make_change

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def row(page, name):
    return page.locator("table.review-queue tr", has=page.get_by_role("link", name=name, exact=True))


def test_a_provincial_reviewer_works_through_the_queue(page, browser, live_server, screenshot):
    hebei = SupervisingUnit.objects.get(short_name="河北省科协")
    organiser = UserFactory(phone="13800138000")
    for name, city in [("保定节水讲座", "130600"), ("保定科普展", "130600"), ("保定编程营", "130600"),
                       ("石家庄天文夜", "130100")]:  # fmt: skip
        make_activity(
            organiser, status="pending", name=name, owner_unit=hebei, region=Region.objects.get(code=city)
        )
    approved = make_activity(organiser, status="approved", name="已通过的活动", owner_unit=hebei)
    change = Report.of(approved)
    change.name = "已通过的活动（更新）"
    make_change(approved, data=change.to_json())
    ReviewerRole.objects.create(user=UserFactory(phone="13900000001"), unit=hebei)

    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page, live_server, "13900000001", "/review/")
    expect(page.get_by_text("待审核 5")).to_be_visible()

    # Filter: 保定市 only.
    page.get_by_label("市").select_option(label="河北省—保定市")
    page.get_by_role("button", name="筛选").click()
    expect(page).to_have_url(re.compile(r"region=130600"))
    expect(row(page, "石家庄天文夜")).to_have_count(0)
    screenshot("review-queue")

    # Reject one, with its reason, on its page.
    page.get_by_role("link", name="保定节水讲座").click()
    expect(page.get_by_text("填报单位")).to_be_visible()
    screenshot("review-activity")
    page.get_by_label("审核未通过的原因").fill("请补充活动地址和主办单位公章名称")
    page.get_by_role("button", name="审核未通过").click()
    expect(page.get_by_text("已审核未通过，原因已告知填报单位")).to_be_visible()
    # straight on to 下一条 of the same filtered queue
    expect(page).to_have_url(re.compile(r"/review/activities/\w+/\?.*region=130600"))
    expect(page.get_by_text("第 1 / 3 条")).to_be_visible()  # with the change waiting in 保定
    page.get_by_role("link", name="← 返回审核队列").click()
    expect(page).to_have_url(re.compile(r"/review/\?.*region=130600"))

    # Approve two in bulk.
    page.on("dialog", lambda dialog: dialog.accept())
    row(page, "保定科普展").get_by_role("checkbox").check()
    row(page, "保定编程营").get_by_role("checkbox").check()
    page.get_by_role("button", name="批量审核通过所选").click()
    expect(page.get_by_text("已审核通过 2 个活动")).to_be_visible()

    # Approve the change to an approved activity, seen beside the approved version.
    page.get_by_label("状态").select_option(label="修改待审核")
    page.get_by_label("市").select_option(label="全部地区")
    page.get_by_role("button", name="筛选").click()
    page.get_by_role("link", name="已通过的活动").click()
    expect(page.locator(".change-table")).to_contain_text("已通过的活动（更新）")
    screenshot("review-change")
    page.get_by_role("button", name="审核通过").click()
    expect(page.get_by_text("已审核通过")).to_be_visible()

    statuses = dict(Activity.objects.values_list("name", "status"))
    assert statuses == {
        "保定节水讲座": "rejected",
        "保定科普展": "approved",
        "保定编程营": "approved",
        "石家庄天文夜": "pending",
        "已通过的活动（更新）": "approved",
    }

    # The organiser sees the reason in 用户中心 and a message in 消息.
    organiser_page = browser.new_page()
    log_in(organiser_page, live_server, "13800138000", "/center/")
    expect(organiser_page.get_by_text("原因：请补充活动地址和主办单位公章名称")).to_be_visible()
    organiser_page.locator("header").get_by_role("link", name=re.compile("消息")).click()
    expect(organiser_page.get_by_text("活动未通过审核")).to_be_visible()
    expect(organiser_page.get_by_text("活动修改审核通过")).to_be_visible()
    screenshot_page = organiser_page
    screenshot_page.close()
