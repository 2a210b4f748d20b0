"""Reminders through a real Celery worker and Redis: each SMS once, even across a killed worker."""

import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.db.models import Count
from django.utils import timezone

from activities.models import Campaign
from kepuri.celery import app as celery_app
from notifications.models import Message
from sms.models import SentSms
from tests.factories import UserFactory, make_activity
from tests.test_celery_wiring import database_url

ROOT = Path(__file__).resolve().parent.parent
ORGANISERS = 30
LOG = open(os.environ.get("WORKER_LOG", os.devnull), "ab")  # noqa: SIM115  (the workers' output, to debug)

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def start_worker(redis_url, queue):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kepuri.settings",
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_url,
        "SMS_BACKEND": "tests.slow_sms.SmsBackend",
        "CACHE_KEY_PREFIX": f"worker-{queue}",
        "CELERY_TASK_DEFAULT_QUEUE": queue,  # what the worker queues (delivery) comes back to it
    }
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "kepuri", "worker", "--pool=solo", "-Q", queue,
         "--without-heartbeat", "--without-gossip", "--without-mingle", "--loglevel=INFO"],
        cwd=ROOT, env=env, stdout=LOG, stderr=subprocess.STDOUT,
    )  # fmt: skip


def wait_for(condition, seconds=60):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail("timed out")
        time.sleep(0.1)


def no_sms_twice():
    twice = SentSms.objects.values("phone", "text").annotate(n=Count("pk")).filter(n__gt=1)
    assert not twice.exists(), list(twice)


@pytest.fixture
def due_drafts():
    """Thirty organisers whose draft's report deadline is three days away (by the real clock)."""
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        year=today.year, name="测试年度", national_theme="主题", label="测试年度活动",
        report_opens=today - timedelta(days=30), report_closes=today + timedelta(days=3),
        supplement_closes=today + timedelta(days=20), summary_closes=today + timedelta(days=30),
    )  # fmt: skip
    for n in range(ORGANISERS):
        make_activity(UserFactory(phone=f"1370000{n:04d}"), status="draft", campaign=campaign,
                      category=None, name=f"草稿{n}")  # fmt: skip


def test_each_reminder_once_even_when_a_worker_dies_mid_batch(redis_url, postgres, due_drafts):
    queue = f"reminders-{uuid.uuid4().hex[:10]}"
    celery_app.conf.task_always_eager = False
    worker = start_worker(redis_url, queue)
    try:
        celery_app.send_task("activities.tasks.send_reminders", queue=queue)
        # The reminders are queued, then delivered one by one; kill the worker in the middle.
        wait_for(lambda: SentSms.objects.count() >= 8)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
        sent_before = SentSms.objects.count()
        assert 8 <= sent_before < ORGANISERS
        no_sms_twice()

        # A new worker, and beat's next delivery run, finish the batch.
        restarted = timezone.now()
        worker = start_worker(redis_url, queue)
        celery_app.send_task("notifications.tasks.deliver_sms", queue=queue)
        sms_rows = Message.objects.filter(channel="sms")
        wait_for(
            lambda: (
                not sms_rows.filter(state="queued").exists()
                and not sms_rows.filter(state="sending", claimed_at__gte=restarted).exists()
            )
        )

        states = dict(Message.objects.filter(channel="sms").values_list("state").annotate(n=Count("pk")))
        assert set(states) <= {"sent", "sending"}
        assert sum(states.values()) == ORGANISERS
        no_sms_twice()
        # Every row is sent (one SMS each) or visibly stuck ("sending", for an admin to decide).
        for message in Message.objects.filter(channel="sms").select_related("recipient"):
            count = SentSms.objects.filter(phone=message.recipient.phone).count()
            assert (message.state, count) in {("sent", 1), ("sending", 0), ("sending", 1)}, message.state
        assert states.get("sending", 0) < 5  # at most the rest of the killed worker's claim

        # The same day's run again sends nothing.
        total = SentSms.objects.count()
        celery_app.send_task("activities.tasks.send_reminders", queue=queue)
        celery_app.send_task("notifications.tasks.deliver_sms", queue=queue)
        time.sleep(3)
        assert SentSms.objects.count() == total
        assert Message.objects.filter(channel="sms").count() == ORGANISERS
    finally:
        celery_app.conf.task_always_eager = True
        if worker.poll() is None:
            worker.terminate()
            worker.wait(timeout=20)
        with celery_app.connection_for_write() as connection:
            connection.default_channel.queue_delete(queue)
