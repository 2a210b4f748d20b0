"""Beat asks for the daily reminders and digests every minute: they run from REMINDER_HOUR until one
run of the day has finished, so a run cut short (a worker killed, beat down at the hour) is made good
at the next minute, and a finished day is never run again."""

from datetime import date, datetime, timedelta

import psycopg2
import pytest
from django.db import connection

import sms
from activities import reminders
from activities.reminders import KINDS, notices
from activities.tasks import send_reminders
from directory.models import SupervisingUnit
from notifications.models import DailyRun, Heartbeat, Message
from notifications.services import deliver_sms, enqueue, task_health
from reviews.models import ReviewerRole
from reviews.tasks import send_review_digests
from tests.factories import UserFactory, make_activity
from tests.support import SHANGHAI

pytestmark = pytest.mark.django_db

DAY = date(2020, 9, 22)  # three days before the report deadline (25 September): a draft is owed one
NINE = datetime(2020, 9, 22, 9, 0, tzinfo=SHANGHAI)
TICK = timedelta(microseconds=1)


@pytest.fixture(autouse=True)
def nine_oclock(settings):
    settings.REMINDER_HOUR, settings.REMINDER_MINUTE = 9, 0


@pytest.fixture
def drafts():
    """Two organisers, each with a 草稿 owed a reminder on DAY."""
    for phone in ("13800138001", "13800138002"):
        make_activity(UserFactory(phone=phone), status="draft")


def tick(time_machine, when):
    """Beat's minute at ``when``: the scheduled reminders, and what they queued delivered."""
    time_machine.move_to(when, tick=False)
    sms.outbox.clear()
    result = send_reminders(scheduled=True)
    deliver_sms()
    return result, sorted(m.phone for m in sms.outbox)


@pytest.mark.parametrize(
    ("when", "runs"),
    [
        (NINE - TICK, False),  # 08:59:59.999999: not yet
        (NINE, True),  # 09:00:00
        (NINE + timedelta(hours=3) - TICK, True),  # still caught up at 11:59:59.999999
        (NINE + timedelta(hours=3), False),  # 12:00: too late in the day to send them
    ],
    ids=["before-the-hour", "at-the-hour", "last-moment-to-catch-up", "too-late"],
)
def test_the_day_runs_from_the_hour_for_three_hours(time_machine, drafts, when, runs):
    result, phones = tick(time_machine, when)
    if runs:
        assert result == {"report_draft": 2, "supplement_missing": 0, "summary_missing": 0}
        assert phones == ["13800138001", "13800138002"]
        run = DailyRun.objects.get(job="reminders", day=DAY)
        assert run.finished_at is not None and run.attempts == 1
    else:
        assert (result, phones) == (None, [])
        assert not Message.objects.exists() and not DailyRun.objects.exists()


def test_a_finished_day_is_not_run_again_and_the_next_day_is(time_machine, drafts):
    assert tick(time_machine, NINE)[1] == ["13800138001", "13800138002"]
    # Every minute after it, nothing: not even for an organiser owed one since 09:00.
    make_activity(UserFactory(phone="13800138003"), status="draft")
    for minute in (1, 2, 30):
        assert tick(time_machine, NINE + timedelta(minutes=minute)) == (None, [])
    assert DailyRun.objects.get(job="reminders", day=DAY).attempts == 1
    # The day before the deadline, each of the three is told again, once.
    assert tick(time_machine, NINE + timedelta(days=2))[1] == ["13800138001", "13800138002", "13800138003"]
    assert tick(time_machine, NINE + timedelta(days=2, minutes=1)) == (None, [])


def test_a_run_cut_short_is_made_good_at_the_next_minute_telling_nobody_twice(time_machine, drafts):
    """What a worker killed in the middle of the run leaves: the day started, not finished, some
    messages queued and sent. The next minute's run finishes the day; nobody gets one twice."""
    time_machine.move_to(NINE, tick=False)
    DailyRun.objects.create(job="reminders", day=DAY, started_at=NINE, attempts=1)
    first = make_activity(UserFactory(phone="13800138009"), status="draft")
    sms.outbox.clear()
    enqueue(n for n in notices(KINDS["report_draft"], DAY) if n.recipient_id == first.owner_id)
    deliver_sms()
    assert [m.phone for m in sms.outbox] == ["13800138009"]

    result, phones = tick(time_machine, NINE + timedelta(minutes=1))
    assert result == {"report_draft": 3, "supplement_missing": 0, "summary_missing": 0}
    assert phones == ["13800138001", "13800138002"]  # the rest; 13800138009 was told already
    assert Message.objects.filter(channel="sms", kind="reminder_report_draft").count() == 3
    run = DailyRun.objects.get(job="reminders", day=DAY)
    assert run.finished_at is not None and run.attempts == 2
    assert tick(time_machine, NINE + timedelta(minutes=2)) == (None, [])


def test_a_run_that_fails_is_tried_again_at_the_next_minute(time_machine, drafts, monkeypatch):
    real = reminders.queue_reminders

    def database_gone(today):
        raise RuntimeError("the connection was lost")

    monkeypatch.setattr(reminders, "queue_reminders", database_gone)
    time_machine.move_to(NINE, tick=False)
    with pytest.raises(RuntimeError):
        send_reminders(scheduled=True)
    assert DailyRun.objects.get(job="reminders", day=DAY).finished_at is None

    monkeypatch.setattr(reminders, "queue_reminders", real)
    assert tick(time_machine, NINE + timedelta(minutes=1))[1] == ["13800138001", "13800138002"]
    assert DailyRun.objects.get(job="reminders", day=DAY).attempts == 2


def test_the_digests_are_a_daily_run_of_their_own(time_machine):
    hebei = SupervisingUnit.objects.get(short_name="河北省科协")
    reviewer = UserFactory(phone="13900000001")
    ReviewerRole.objects.create(user=reviewer, unit=hebei)
    make_activity(UserFactory(), status="pending", owner_unit=hebei)
    time_machine.move_to(NINE - TICK, tick=False)
    assert send_review_digests(scheduled=True) is None
    time_machine.move_to(NINE, tick=False)
    assert send_review_digests(scheduled=True) == 1
    time_machine.move_to(NINE + timedelta(minutes=1), tick=False)
    assert send_review_digests(scheduled=True) is None
    assert Message.objects.filter(kind="review_digest", recipient=reviewer).count() == 2  # site and SMS
    assert set(DailyRun.objects.values_list("job", "day")) == {("review_digests", DAY)}


def test_sent_by_hand_the_day_runs_whatever_the_hour(time_machine, drafts):
    """``send_reminders`` without ``scheduled`` (an operator, the bench): the given day now."""
    time_machine.move_to(NINE - timedelta(hours=5), tick=False)
    assert send_reminders("2020-09-22")["report_draft"] == 2
    assert not DailyRun.objects.exists()


LATE = NINE + timedelta(minutes=30)  # DAILY_LATE after the hour


@pytest.fixture
def beat_and_workers(settings):
    """Beat and a worker alive, as in production: only the daily runs can be amiss."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    Heartbeat.objects.create(name="beat", at=datetime(2099, 1, 1, tzinfo=SHANGHAI))
    Heartbeat.objects.create(name="worker", at=datetime(2099, 1, 1, tzinfo=SHANGHAI))


def test_the_health_says_which_daily_job_has_not_finished(time_machine, drafts, beat_and_workers, client):
    time_machine.move_to(LATE - TICK, tick=False)
    assert task_health().ok  # 09:29:59.999999: not yet late, though nothing has run
    time_machine.move_to(LATE, tick=False)
    assert task_health().late_jobs == ("截止提醒", "待审核汇总")
    response = client.get("/health/tasks/")
    assert response.status_code == 503 and response.json()["late_jobs"] == ["截止提醒", "待审核汇总"]
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert (
        "今天的截止提醒没有完成：请查看“每日任务”和后台任务进程的日志"
        in client.get("/admin/").content.decode()
    )

    assert tick(time_machine, LATE)[1] == ["13800138001", "13800138002"]  # still caught up
    assert task_health().problems == ["今天的待审核汇总没有完成：请查看“每日任务”和后台任务进程的日志"]
    assert send_review_digests(scheduled=True) == 0
    assert task_health().ok and client.get("/health/tasks/").json()["late_jobs"] == []
    time_machine.move_to(LATE + timedelta(days=1), tick=False)  # a new day: today's runs owed again
    assert task_health().late_jobs == ("截止提醒", "待审核汇总")


def test_a_run_started_but_not_finished_is_late(time_machine, drafts, beat_and_workers):
    DailyRun.objects.create(job="reminders", day=DAY, started_at=NINE, attempts=3)  # killed three times
    DailyRun.objects.create(job="review_digests", day=DAY, started_at=NINE, finished_at=NINE)
    time_machine.move_to(LATE, tick=False)
    assert task_health().late_jobs == ("截止提醒",)


def test_in_process_no_daily_job_is_late(time_machine, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # no beat: the jobs are run by hand
    time_machine.move_to(LATE + timedelta(hours=5), tick=False)
    assert task_health().late_jobs == () and task_health().ok


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_run_in_progress_elsewhere_is_left_alone(time_machine, drafts, postgres):
    """Another worker (or a second beat's task) holds the day's run: this minute's does nothing;
    when the other is gone without finishing (its connection closed: killed), the next one runs."""
    params = connection.get_connection_params()
    other = psycopg2.connect(**{k: v for k, v in params.items() if k != "cursor_factory"})
    other.autocommit = True
    try:
        other.cursor().execute(
            "SELECT pg_advisory_lock(hashtext('notifications.daily:reminders:2020-09-22'))"
        )
        assert tick(time_machine, NINE) == (None, [])
    finally:
        other.close()
    assert tick(time_machine, NINE + timedelta(minutes=1))[1] == ["13800138001", "13800138002"]
