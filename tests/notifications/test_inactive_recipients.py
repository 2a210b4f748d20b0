"""An account 停用 by an admin, or 注销 by its owner, receives nothing: no SMS, nothing in its inbox.

Every kind of message goes through the outbox's one rule (``notifications.services.receives_messages``):
the deadline reminders, the reviewers' digest, decisions and 延期. What was kept from an account
停用 stays visible to admins (消息, 状态 未发送（账号已停用）) and is never sent late.
"""

import logging
from datetime import date, timedelta

import pytest

import sms
from accounts import services as accounts
from activities import transitions
from activities.deadlines import Window
from activities.reminders import queue_reminders
from directory.models import SupervisingUnit
from notifications import services
from notifications.models import Message
from reviews import services as reviews
from reviews.models import ReviewerRole
from tests.factories import UserFactory, make_activity
from tests.support import text_of

pytestmark = pytest.mark.django_db

REPORT, SUPPLEMENT, SUMMARY = date(2020, 9, 25), date(2020, 10, 9), date(2020, 10, 16)
SUPPLEMENTED = {"supplemented_at": "2020-09-20T10:00:00+08:00"}


@pytest.fixture
def organiser():
    return UserFactory(phone="13800138000")


@pytest.fixture
def reviewer():
    user = UserFactory(phone="13900000001")
    ReviewerRole.objects.create(user=user, unit=SupervisingUnit.objects.get(short_name="保定市科协"))
    return user


@pytest.fixture
def admin():
    return UserFactory(phone="13900000009", is_staff=True, is_superuser=True)


def report_draft_reminder(organiser, reviewer):
    make_activity(organiser, status="draft")
    queue_reminders(REPORT - timedelta(days=3))
    return organiser


def supplement_reminder(organiser, reviewer):
    make_activity(organiser, status="pending")
    queue_reminders(SUPPLEMENT - timedelta(days=1))
    return organiser


def summary_reminder(organiser, reviewer):
    make_activity(organiser, status="approved", **SUPPLEMENTED)
    queue_reminders(SUMMARY - timedelta(days=3))
    return organiser


def review_digest(organiser, reviewer):
    make_activity(organiser, status="pending")
    assert reviews.send_review_digests(date(2020, 9, 2)) == 1
    return reviewer


def approval(organiser, reviewer):
    transitions.approve(activity=make_activity(organiser, status="pending"), by=reviewer)
    return organiser


def rejection(organiser, reviewer):
    transitions.reject(
        activity=make_activity(organiser, status="pending"), by=reviewer, reason="请补充活动地址"
    )
    return organiser


def extension(organiser, reviewer):
    activity = make_activity(organiser, status="pending")
    reviews.grant_extension(
        activity=activity, by=reviewer, window=Window.SUPPLEMENT, last_day=date(2020, 10, 20), reason="疫情"
    )
    return organiser


KINDS = {
    "reminder_report_draft": report_draft_reminder,
    "reminder_supplement_missing": supplement_reminder,
    "reminder_summary_missing": summary_reminder,
    "review_digest": review_digest,
    "decision:approved": approval,
    "decision:rejected": rejection,
    "extension": extension,
}
WHO = {"review_digest": "reviewer"}  # whose account is 停用 before the message; the organiser otherwise


def messages_of(user) -> list[tuple[str, str, str]]:
    return sorted(Message.objects.filter(recipient=user).values_list("kind", "channel", "state"))


def delivered() -> list[str]:
    """The phones the queued SMS went to, once the delivery sweep has run."""
    sms.outbox.clear()
    services.deliver_sms()
    return [message.phone for message in sms.outbox]


@pytest.mark.parametrize("kind", KINDS)
def test_an_active_account_is_told(kind, organiser, reviewer):
    recipient = KINDS[kind](organiser, reviewer)
    kind_name = kind.split(":")[0]
    assert messages_of(recipient) == [(kind_name, "site", "sent"), (kind_name, "sms", "queued")]
    assert delivered() == [recipient.phone]
    assert services.unread_count(recipient) == 1
    assert messages_of(recipient) == [(kind_name, "site", "sent"), (kind_name, "sms", "sent")]


@pytest.mark.parametrize("kind", KINDS)
def test_an_account_deactivated_is_told_nothing_and_admins_see_why(kind, organiser, reviewer, admin, caplog):
    recipient = reviewer if WHO.get(kind) == "reviewer" else organiser
    assert accounts.deactivate_account(user=recipient, by=admin)
    with caplog.at_level(logging.INFO, logger="notifications.services"):
        KINDS[kind](organiser, reviewer)
    kind_name = kind.split(":")[0]
    assert messages_of(recipient) == [(kind_name, "site", "skipped"), (kind_name, "sms", "skipped")]
    assert set(Message.objects.filter(recipient=recipient).values_list("last_error", flat=True)) == {
        "收件人账号已停用，未发送"
    }
    assert "2 to accounts 停用 (stored as skipped)" in caplog.text
    assert delivered() == []
    assert services.unread_count(recipient) == 0 and not services.inbox(recipient).exists()


def test_what_was_kept_from_a_deactivated_account_is_not_sent_after_it_is_enabled_again(
    organiser, reviewer, admin, client
):
    accounts.deactivate_account(user=organiser, by=admin)
    rejection(organiser, reviewer)
    assert accounts.reactivate_account(user=organiser)
    assert delivered() == []
    client.force_login(organiser)
    assert "活动未通过审核" not in text_of(client.get("/messages/"))
    # Told again from now on.
    approval(organiser, reviewer)
    assert delivered() == ["13800138000"]
    assert "活动审核通过" in text_of(client.get("/messages/"))
    assert services.unread_count(organiser) == 1


def test_an_sms_queued_before_the_account_was_deactivated_is_not_sent(organiser, reviewer, admin):
    approval(organiser, reviewer)
    accounts.deactivate_account(user=organiser, by=admin)
    report = services.deliver_sms()
    assert (report.sent, report.skipped) == (0, 1)
    assert sms.outbox == []
    sms_row = Message.objects.get(recipient=organiser, channel="sms")
    assert (sms_row.state, sms_row.last_error) == ("skipped", "收件人账号已停用，未发送")
    assert services.resend(Message.objects.all()) == 0  # an admin's 重新发送 does not take it either


def test_one_recipient_deactivated_among_many_leaves_the_others_told(organiser, reviewer, admin):
    other = UserFactory(phone="13800138001")
    make_activity(organiser, status="draft")
    make_activity(other, status="draft")
    accounts.deactivate_account(user=organiser, by=admin)
    queue_reminders(REPORT - timedelta(days=1))
    assert delivered() == ["13800138001"]
    assert messages_of(organiser) == [("reminder_report_draft", "site", "skipped"),
                                      ("reminder_report_draft", "sms", "skipped")]  # fmt: skip


def test_a_deleted_account_gets_no_row_at_all(organiser, reviewer, caplog):
    make_activity(organiser, status="draft")
    accounts.delete_account(user=organiser)
    with caplog.at_level(logging.INFO, logger="notifications.services"):
        queue_reminders(REPORT - timedelta(days=3))
    assert "2 to deleted accounts (not stored)" in caplog.text
    assert not Message.objects.exists()
    assert delivered() == []


def test_admins_find_what_was_not_sent(organiser, reviewer, admin, client):
    accounts.deactivate_account(user=organiser, by=admin)
    rejection(organiser, reviewer)
    client.force_login(admin)
    page = text_of(client.get("/admin/notifications/message/?state__exact=skipped"))
    rows = "活动未通过审核 138****8000 审核结果 {} 未发送（账号已停用）"
    assert rows.format("短信") in page and rows.format("站内消息") in page
    assert " 2 消息 " in page
