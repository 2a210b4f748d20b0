"""Faults: the task queue (Redis) down while people work (issue 9, item 6).

The actions stand and their work waits: a notice's SMS rows stay queued for beat's
sweep; an export says at once that it could not start. Nothing answers 500.
"""

import pytest
from django.test import Client

from accounts.models import SmsCode, User
from kepuri.celery import app
from notifications.models import Message
from notifications.services import notify
from reviews import services
from reviews.models import ExportJob, ReviewerRole
from tests.factories import UserFactory
from tests.hardening.matrix import _unit
from tests.support import request_code

pytestmark = pytest.mark.django_db

DEAD_BROKER = "redis://127.0.0.1:1/0"


@pytest.fixture
def queue_down():
    """Celery publishes to a Redis that is not there (the producers are made anew for it)."""
    saved = {"broker_url": app.conf.broker_url, "task_always_eager": app.conf.task_always_eager}

    def reset_pools():  # Celery keeps its connections and producers: let them go, they are made anew
        app._pool = None
        app.amqp._producer_pool = None

    app.conf.update(broker_url=DEAD_BROKER, task_always_eager=False)
    reset_pools()
    yield
    app.conf.update(**saved)
    reset_pools()


def test_a_notice_is_kept_for_later_when_the_queue_is_down(
    queue_down, django_capture_on_commit_callbacks, caplog
):
    organiser = UserFactory(phone="13800138000")
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            organiser,
            kind="review_result",
            key="k-1",
            title="审核结果",
            body="您的活动已审核通过",
            sms_params={},
        )
    sms = Message.objects.get(channel=Message.Channel.SMS)
    assert sms.state == Message.State.QUEUED and sms.recipient == organiser  # beat's sweep sends it later
    assert Message.objects.filter(channel=Message.Channel.SITE, recipient=organiser).exists()
    assert "deliver_sms" in caplog.text or "Error calling" in caplog.text


def test_an_export_says_at_once_that_it_could_not_start(queue_down, django_capture_on_commit_callbacks):
    reviewer = UserFactory()
    ReviewerRole.objects.create(user=reviewer, unit=_unit("河北省科协"))
    client = Client()
    client.force_login(reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/review/exports/")
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response.url == f"/review/exports/{job.pk}/"
    assert job.state == ExportJob.State.FAILED and job.error == services.QUEUE_DOWN
    assert "导出失败" in client.get(response.url).content.decode()


def test_a_failing_sms_provider_asks_to_retry_and_registers_nobody(client, settings):
    settings.SMS_BACKEND = "tests.accounts.test_services.ProviderDownBackend"
    response = request_code(client, "13800138000")
    assert response.status_code >= 400 and "短信发送失败，请稍后再试" in response.json()["message"]
    assert not SmsCode.objects.exists()
    register = client.post(
        "/accounts/register/",
        {"phone": "13800138000", "code": "123456", "password": "kepuri-Pass-2020", "agree": "on"},
    )
    assert register.status_code == 200 and not User.objects.filter(phone="13800138000").exists()
