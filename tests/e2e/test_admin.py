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


def test_admin_sees_a_stuck_sms_and_resends_it(page, live_server, screenshot, settings):
    from datetime import timedelta

    from django.utils import timezone

    from notifications.models import Message

    settings.CELERY_TASK_ALWAYS_EAGER = True  # as in the default run (the tests' Celery is eager in any case)
    admin = UserFactory(phone="13800000000", is_staff=True, is_superuser=True)
    organiser = UserFactory(phone="13900000001")
    common = {"kind": "reminder_summary_missing", "channel": "sms", "body": "您的活动还没有补充信息。"}
    Message.objects.create(recipient=organiser, key="r1", title="补充信息提醒", state="sent", **common)
    stuck = Message.objects.create(
        recipient=organiser,
        key="r2",
        title="活动总结提醒",
        state="sending",
        claimed_at=timezone.now() - timedelta(minutes=30),
        **common,
    )
    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("手机号码").fill(admin.phone)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_text("1 条短信发送中断，需要管理员确认后重发")).to_be_visible()
    expect(page.get_by_text("未配置 Celery：任务在网站进程内运行")).to_be_visible()
    screenshot("admin-task-health")

    page.goto(f"{live_server.url}/admin/notifications/message/")
    page.get_by_role("link", name="发送中断（需确认后重发）").click()
    expect(page.get_by_role("link", name="活动总结提醒")).to_be_visible()
    expect(page.get_by_role("link", name="补充信息提醒")).to_have_count(0)
    expect(page.get_by_role("cell", name="活动总结截止提醒")).to_be_visible()
    expect(page.get_by_role("link", name="填报截止提醒")).to_be_visible()  # the kind filter, by name
    screenshot("admin-messages")
    page.locator("input[name=_selected_action]").first.check()
    page.get_by_label("动作").select_option(label="重新发送所选的失败或中断短信")
    page.get_by_role("button", name="执行").click()
    expect(page.get_by_text("已重新排队 1 条。")).to_be_visible()
    stuck.refresh_from_db()
    assert stuck.state == "sent"  # tasks run in-process: requeued and delivered through the console backend
