"""Reviewing hundreds of items: 下一条 and the keyboard through five items, and 批量审核通过 of a
whole filtered queue, larger than a page, followed on its progress bar."""

import re
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from activities.models import Activity, ReviewDecision
from directory.models import SupervisingUnit
from reviews.models import ReviewerRole
from tests.e2e.test_review_flow import log_in
from tests.factories import UserFactory, make_activity
from tests.support import SHANGHAI

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def waiting(organiser, n, **fields):
    at = datetime(2020, 9, 1, 10, 0, tzinfo=SHANGHAI) + timedelta(minutes=n)
    hebei = SupervisingUnit.objects.get(short_name="河北省科协")
    return make_activity(
        organiser, status="pending", owner_unit=hebei, submitted_at=at, first_submitted_at=at, **fields
    )


@pytest.fixture
def reviewer():
    hebei = SupervisingUnit.objects.get(short_name="河北省科协")
    ReviewerRole.objects.create(user=UserFactory(phone="13900000001"), unit=hebei)
    return "13900000001"


def test_five_items_with_next_and_the_keyboard(page, live_server, reviewer, screenshot):
    organiser = UserFactory(phone="13800138000")
    for n in range(6):
        waiting(organiser, n, name=f"第{n + 1}个活动", activity_type="online")
    waiting(organiser, 10, name="线下活动", activity_type="offline")

    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, live_server, reviewer, "/review/?activity_type=online")
    page.get_by_role("link", name="第1个活动").click()
    expect(page.get_by_text("第 1 / 6 条")).to_be_visible()
    expect(page.get_by_text("快捷键：")).to_be_visible()
    screenshot("review-next-item")

    # Other keys do nothing (no script error either: the page fixture fails on one).
    page.keyboard.type('"\\/x?')
    expect(page.get_by_text("第 1 / 6 条")).to_be_visible()
    # j and k move through the filtered queue; the buttons do the same.
    page.keyboard.press("j")
    expect(page.get_by_role("heading", name="第2个活动")).to_be_visible()
    expect(page.get_by_text("第 2 / 6 条")).to_be_visible()
    page.keyboard.press("k")
    expect(page.get_by_role("heading", name="第1个活动")).to_be_visible()

    # 1: a 审核通过, and on to the next.
    page.keyboard.press("a")
    expect(page.get_by_text("“第1个活动”已审核通过")).to_be_visible()
    expect(page.get_by_role("heading", name="第2个活动")).to_be_visible()
    expect(page.get_by_text("第 1 / 5 条")).to_be_visible()

    # 2: r focuses the reason; a typed in it stays text; 审核未通过 goes on.
    page.keyboard.press("r")
    expect(page.get_by_label("审核未通过的原因")).to_be_focused()
    page.keyboard.type("请补充活动地址")
    expect(page.get_by_label("审核未通过的原因")).to_have_value("请补充活动地址")
    page.get_by_role("button", name="审核未通过").click()
    expect(page.get_by_text("“第2个活动”已审核未通过")).to_be_visible()
    expect(page.get_by_role("heading", name="第3个活动")).to_be_visible()

    # 3: skipped with 下一条 (clicked); 4 and 5 approved by key.
    page.get_by_role("link", name="下一条").click()
    expect(page.get_by_role("heading", name="第4个活动")).to_be_visible()
    expect(page.get_by_text("第 2 / 4 条")).to_be_visible()
    page.keyboard.press("a")
    expect(page.get_by_role("heading", name="第5个活动")).to_be_visible()
    page.keyboard.press("a")
    expect(page.get_by_role("heading", name="第6个活动")).to_be_visible()
    expect(page).to_have_url(re.compile(r"\?activity_type=online$"))

    statuses = dict(Activity.objects.values_list("name", "status"))
    assert statuses == {
        "第1个活动": "approved",
        "第2个活动": "rejected",
        "第3个活动": "pending",
        "第4个活动": "approved",
        "第5个活动": "approved",
        "第6个活动": "pending",
        "线下活动": "pending",
    }
    assert (
        ReviewDecision.objects.get(activity__name="第2个活动", to_status="rejected").reason
        == "请补充活动地址"
    )


def test_bulk_approval_of_a_filtered_queue_larger_than_a_page(page, live_server, reviewer, screenshot):
    organiser = UserFactory(phone="13800138000")
    for n in range(60):
        waiting(organiser, n, name=f"线上活动{n:02d}", activity_type="online")
    waiting(organiser, 70, name="线下活动", activity_type="offline")

    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, live_server, reviewer, "/review/")
    page.get_by_label("活动类型").select_option(label="线上")
    page.get_by_role("button", name="筛选").click()
    expect(page.get_by_text("共 60 个")).to_be_visible()
    expect(page.locator("table.review-queue tbody tr")).to_have_count(50)  # a page holds fifty
    screenshot("review-queue-bulk")

    dialogs = []

    def accept(dialog):
        dialogs.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    page.get_by_role("button", name="全部审核通过（当前条件下 60 个）").click()
    expect(page).to_have_url(re.compile(r"/review/bulk/[0-9a-f-]+/$"))
    expect(page.get_by_role("progressbar", name="批量审核进度")).to_have_attribute("aria-valuenow", "100")
    expect(page.get_by_text("批量审核通过已完成")).to_be_visible()
    expect(page.get_by_text("已处理 60 / 60 个：审核通过 60 个，未处理 0 个")).to_be_visible()
    screenshot("review-bulk-job")
    assert dialogs == [
        "确定将当前条件下的全部 60 个待审核活动审核通过吗？每个活动都会记录审核记录并通知填报单位。"
    ]

    page.get_by_role("link", name="返回审核队列").click()
    expect(page.get_by_text("没有符合条件的活动")).to_be_visible()
    assert Activity.objects.filter(status="approved").count() == 60
    assert Activity.objects.get(name="线下活动").status == "pending"
    assert ReviewDecision.objects.filter(to_status="approved").count() == 60
