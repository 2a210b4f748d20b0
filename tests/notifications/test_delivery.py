"""The outbox: once per key, SMS at most once, failures and stuck rows left for an admin."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

import sms
from notifications import services
from notifications.models import Heartbeat, Message
from notifications.services import Notice
from tests.factories import UserFactory
from tests.support import SHANGHAI

pytestmark = pytest.mark.django_db


def notice(user, key="k1"):
    return Notice(recipient_id=user.pk, kind="test", key=key, title="标题", body="内容", sms_template="t",
                  sms_params={"a": "1"})  # fmt: skip


def test_a_key_is_queued_once_per_channel(django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.enqueue([notice(user), notice(user)])
        services.enqueue([notice(user)])
    assert sorted(Message.objects.values_list("channel", "state")) == [("site", "sent"), ("sms", "sent")]
    assert [(m.phone, m.text, m.params) for m in sms.outbox] == [
        (user.phone, "【云上科普日】内容", {"a": "1"})
    ]


def test_delivery_sends_each_once():
    users = [UserFactory() for _ in range(45)]  # more than one claim batch
    services.enqueue([notice(u, key=f"k{u.pk}") for u in users], channels=[Message.Channel.SMS])
    assert services.deliver_sms().sent == 45
    assert services.deliver_sms().sent == 0
    assert len(sms.outbox) == 45
    assert set(Message.objects.values_list("state", flat=True)) == {"sent"}


class FailingBackend:
    def send_messages(self, messages):
        raise sms.SmsSendError("isv.MOBILE_NUMBER_ILLEGAL: 非法手机号")


def test_a_failure_is_recorded_and_not_retried_until_resent(settings):
    user = UserFactory()
    services.enqueue([notice(user)], channels=[Message.Channel.SMS])
    settings.SMS_BACKEND = f"{__name__}.FailingBackend"
    assert services.deliver_sms().failed == 1
    message = Message.objects.get()
    assert (message.state, message.last_error) == ("failed", "isv.MOBILE_NUMBER_ILLEGAL: 非法手机号")
    assert services.deliver_sms().failed == 0
    settings.SMS_BACKEND = "locmem"
    assert services.resend(Message.objects.all()) == 1
    assert services.deliver_sms().sent == 1


def test_a_row_left_sending_is_stuck_not_resent(time_machine, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    user = UserFactory()
    services.enqueue([notice(user)], channels=[Message.Channel.SMS])
    Message.objects.update(state="sending", claimed_at=timezone.now())  # a worker died mid-send
    assert services.deliver_sms().sent == 0 and sms.outbox == []
    assert not services.stuck().exists()
    time_machine.move_to(timezone.now() + timedelta(minutes=11))
    assert services.stuck().count() == 1
    assert "1 条短信发送中断，需要管理员确认后重发" in services.task_health().problems
    settings.CELERY_TASK_ALWAYS_EAGER = True  # in-process too: a crash mid-send leaves the row stuck
    assert services.task_health().problems == ["1 条短信发送中断，需要管理员确认后重发"]


# Before the daily jobs are due (REMINDER_HOUR 9:00): only beat, the workers and the SMS can be amiss.
MORNING = datetime(2020, 9, 22, 8, 0, tzinfo=SHANGHAI)


def test_health_reports_beat_and_worker(settings, time_machine):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    time_machine.move_to(MORNING, tick=False)
    health = services.task_health()
    assert not health.ok and len(health.problems) == 2
    services.beat("beat")
    services.beat("worker")
    assert services.task_health().ok
    time_machine.shift(timedelta(minutes=11))
    assert [p[:6] for p in services.task_health().problems] == ["定时任务调度", "后台任务进程"]


def test_the_health_url_and_the_admin_banner(client, settings, time_machine):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    time_machine.move_to(MORNING, tick=False)
    response = client.get("/health/tasks/")
    assert response.status_code == 503 and response.json()["ok"] is False
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert "定时任务调度（Celery beat）没有在运行" in client.get("/admin/").content.decode()
    Heartbeat.objects.create(name="beat", at=timezone.now())
    Heartbeat.objects.create(name="worker", at=timezone.now())
    assert client.get("/health/tasks/").status_code == 200
    assert "没有在运行" not in client.get("/admin/").content.decode()


def test_in_process_needs_no_beat(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    assert client.get("/health/tasks/").json() == {
        "ok": True, "in_process": True, "beat_at": None, "worker_at": None, "stuck_sms": 0, "late_jobs": [],
    }  # fmt: skip


def test_the_admin_lists_and_resends(client):
    user = UserFactory()
    services.enqueue([notice(user)], channels=[Message.Channel.SMS])
    Message.objects.update(state="failed", last_error="x")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert "标题" in client.get("/admin/notifications/message/?state=failed").content.decode()
    client.post(
        "/admin/notifications/message/", {"action": "resend", "_selected_action": Message.objects.get().pk}
    )
    assert Message.objects.get().state == "queued"
