"""Reminders three days and one day before each deadline, the activity's own (延期 included)."""

from datetime import date, datetime, timedelta

import pytest
from django.core.management import call_command

import sms
from activities.models import DeadlineExtension
from activities.reminders import queue_reminders
from directory.models import SupervisingUnit
from notifications.models import Message
from notifications.services import deliver_sms
from reviews import services as review_services
from reviews.models import ReviewerRole
from tests.factories import UserFactory, make_activity
from tests.support import SHANGHAI

pytestmark = pytest.mark.django_db

REPORT = date(2020, 9, 25)
SUPPLEMENT = date(2020, 10, 9)
SUMMARY = date(2020, 10, 16)


def run(day):
    """The day's reminders, delivered: what each phone received."""
    sms.outbox.clear()
    queue_reminders(day)
    deliver_sms()
    return [(m.phone, m.params.get("what"), m.params.get("date")) for m in sms.outbox]


@pytest.fixture
def organiser():
    return UserFactory(phone="13800138000")


@pytest.mark.parametrize(
    ("offset", "told"),
    [(-4, False), (-3, True), (-2, False), (-1, True), (0, False), (1, False)],
    ids=["day-before-3-days-before", "3-days-before", "2-days-before", "1-day-before", "deadline", "after"],
)
def test_a_draft_before_the_report_deadline(organiser, offset, told):
    make_activity(organiser, status="draft")
    expected = [("13800138000", "提交活动填报", "2020年9月25日")] if told else []
    assert run(REPORT + timedelta(days=offset)) == expected


@pytest.mark.parametrize(("offset", "told"), [(-4, False), (-3, True), (-1, True), (0, False), (1, False)])
def test_a_missing_supplement(organiser, offset, told):
    make_activity(organiser, status="pending")
    make_activity(organiser, status="approved", supplemented_at=datetime(2020, 9, 2, tzinfo=SHANGHAI))
    make_activity(organiser, status="draft")  # owes its report, not a supplement
    expected = [("13800138000", "补充活动信息", "2020年10月9日")] if told else []
    assert [t for t in run(SUPPLEMENT + timedelta(days=offset)) if t[1] != "提交活动填报"] == expected


@pytest.mark.parametrize(("offset", "told"), [(-4, False), (-3, True), (-1, True), (0, False), (1, False)])
def test_a_missing_summary_of_a_started_approved_activity(organiser, offset, told, time_machine):
    day = SUMMARY + timedelta(days=offset)
    time_machine.move_to(datetime(day.year, day.month, day.day, 9, tzinfo=SHANGHAI), tick=False)
    make_activity(organiser, status="approved", supplemented_at=datetime(2020, 9, 2, tzinfo=SHANGHAI))
    make_activity(organiser, status="approved", supplemented_at=datetime(2020, 9, 2, tzinfo=SHANGHAI),
                  summarized_at=datetime(2020, 9, 20, tzinfo=SHANGHAI))  # fmt: skip
    make_activity(organiser, status="approved", supplemented_at=datetime(2020, 9, 2, tzinfo=SHANGHAI),
                  starts_at=datetime(2020, 10, 20, tzinfo=SHANGHAI), ends_at=datetime(2020, 10, 20, 12, tzinfo=SHANGHAI))  # fmt: skip
    expected = [("13800138000", "提交活动总结", "2020年10月16日")] if told else []
    assert run(day) == expected


def test_an_extension_moves_the_reminders_for_that_activity_alone(organiser):
    extended = make_activity(organiser, status="pending", name="延期的活动")
    make_activity(organiser, status="pending", name="没延期的活动")
    DeadlineExtension.objects.create(activity=extended, window="supplement", last_day=date(2020, 10, 20),
                                     reason="疫情", granted_by=UserFactory())  # fmt: skip
    assert len(run(SUPPLEMENT - timedelta(days=3))) == 1  # only the one without 延期
    assert run(date(2020, 10, 17)) == [("13800138000", "补充活动信息", "2020年10月20日")]
    assert run(date(2020, 10, 19)) == [("13800138000", "补充活动信息", "2020年10月20日")]


def test_a_day_run_twice_tells_nobody_twice(organiser):
    make_activity(organiser, status="draft")
    assert len(run(REPORT - timedelta(days=3))) == 1
    assert run(REPORT - timedelta(days=3)) == []
    assert Message.objects.filter(channel="sms").count() == 1


def test_the_message_says_what_by_when_and_where(organiser, settings):
    settings.SITE_URL = "https://kepuri.example.org"
    draft = make_activity(organiser, status="draft", name="节水科普进社区")
    run(REPORT - timedelta(days=1))
    site = Message.objects.get(channel="site")
    assert site.title == "活动填报还有1天截止"
    assert site.body == (
        "您的活动“节水科普进社区”尚未提交活动填报，活动填报将于2020年9月25日（1天后）截止，"
        f"请及时登录云上科普日办理：https://kepuri.example.org/activities/{draft.public_code}/edit/"
    )
    assert site.url == f"/activities/{draft.public_code}/edit/"
    assert site.key == f"reminder:{organiser.pk}:report_draft:{draft.pk}:2020-09-25:1"


def test_deleted_activities_are_not_reminded(organiser):
    make_activity(organiser, status="draft", deleted_at=datetime(2020, 9, 1, tzinfo=SHANGHAI))
    assert run(REPORT - timedelta(days=1)) == []


def test_reviewers_get_a_daily_count(organiser):
    hebei = SupervisingUnit.objects.get(short_name="河北省科协")
    reviewer = UserFactory(phone="13900000001")
    ReviewerRole.objects.create(user=reviewer, unit=hebei)
    idle = UserFactory(phone="13900000002")
    ReviewerRole.objects.create(user=idle, unit=SupervisingUnit.objects.get(short_name="山西省科协"))
    for _ in range(3):
        make_activity(organiser, status="pending", owner_unit=hebei)
    assert review_services.send_review_digests(date(2020, 9, 2)) == 1
    assert review_services.send_review_digests(date(2020, 9, 2)) == 1  # offered again, queued once
    digest = Message.objects.get(channel="site", kind="review_digest")
    assert (digest.recipient, digest.title) == (reviewer, "您有 3 个活动待审核")
    assert Message.objects.filter(kind="review_digest").count() == 2  # site and SMS, once


def test_the_command_lists_then_runs(organiser, capsys):
    make_activity(organiser, status="draft", name="节水科普进社区")
    call_command("send_reminders", "--date", "2020-09-22", "--dry-run")
    out = capsys.readouterr().out
    assert "report_draft: 1 to tell on 2020-09-22" in out and "138****8000  活动填报还有3天截止" in out
    assert "13800138000" not in out
    assert not Message.objects.exists()
    call_command("send_reminders", "--date", "2020-09-22", "--kind", "report_draft")
    assert "report_draft: 1 queued for 2020-09-22" in capsys.readouterr().out
    assert Message.objects.filter(kind="reminder_report_draft").count() == 2
