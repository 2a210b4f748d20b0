"""Reminders through a real Celery worker and Redis: each SMS once, even across a killed worker."""

import signal
import time
import uuid

import pytest
from django.db.models import Count
from django.utils import timezone

from kepuri.celery import app as celery_app
from kepuri.testing import stop
from notifications.models import Message
from sms.models import SentSms
from tests.workers import delete_queue, make_due_drafts, no_sms_twice, start_worker, wait_for

ORGANISERS = 30

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def due_drafts():
    """Thirty organisers whose draft's report deadline is three days away (by the real clock)."""
    make_due_drafts(ORGANISERS)


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
        stop(worker)
        delete_queue(queue)
