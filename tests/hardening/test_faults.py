"""Faults: the task queue (Redis) down while people work (issue 9, item 6).

The actions stand and their work waits: a notice's SMS rows stay queued for beat's
sweep; an export says at once that it could not start. Nothing answers 500.
With all of Redis down (cache, broker and rate-limit store), a report is still
accepted and its decision's notice kept, while SMS codes are refused (fail closed).
"""

import pytest
from django.core.cache import cache
from django.test import Client

import sms as sms_outbox
from accounts.models import SmsCode, User
from activities.models import Activity
from kepuri.celery import app
from kepuri.settings import redis_cache
from notifications.models import Message
from notifications.services import notify
from reviews import bulk, services
from reviews.models import BulkApproval, ExportJob, ReviewerRole
from tests.activities.conftest import REPORT_OPEN, image_file, report_data
from tests.factories import UserFactory, make_activity, make_organiser
from tests.hardening.matrix import _unit
from tests.support import request_code, text_of

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


def test_a_bulk_approval_says_at_once_that_it_could_not_start(queue_down, django_capture_on_commit_callbacks):
    reviewer = UserFactory()
    ReviewerRole.objects.create(user=reviewer, unit=_unit("河北省科协"))
    waiting = make_activity(UserFactory(), status="pending", owner_unit=_unit("河北省科协"))
    client = Client()
    client.force_login(reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/review/bulk-approve/all/", {"query": "", "expected": "1"})
    job = BulkApproval.objects.get()
    assert response.url == f"/review/bulk/{job.pk}/"
    assert job.state == BulkApproval.State.FAILED and job.error == bulk.QUEUE_DOWN
    assert "批量审核中断：任务队列暂时不可用，请稍后再试" in text_of(client.get(response.url))
    assert Activity.objects.get(pk=waiting.pk).status == "pending"


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


# --- all of Redis down ---------------------------------------------------------------------------


@pytest.fixture
def redis_down(queue_down, settings):
    """The cache, the Celery broker and the rate-limit store all point at a Redis that is not there."""
    settings.CACHES = {**settings.CACHES, "default": redis_cache(DEAD_BROKER, "outage")}
    settings.RATELIMIT_STORAGE_URI = DEAD_BROKER
    cache.set("probe", 1)
    assert cache.get("probe") is None  # really down: writes and reads are lost, not raised


def test_with_redis_down_a_report_is_accepted_and_its_decision_notice_kept(
    redis_down, client, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(REPORT_OPEN, tick=False)
    organiser = make_organiser(phone="13800138000")
    client.force_login(organiser)
    step_one = client.post(
        "/publish/",
        {
            "name": "保定市示范科技馆",
            "contact_name": "李老师",
            "contact_phone": "0312-5123456",
            "address": "保定",
        },
    )
    assert step_one.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(step_one.url, report_data(poster=image_file()))
    activity = Activity.objects.get()
    assert response.status_code == 302 and response.url == f"/activities/{activity.public_code}/supplement/"
    assert activity.status == Activity.Status.PENDING
    assert "待审核" in text_of(client.get("/center/"))

    # Submitting tells nobody; the decision does, and its notice waits as rows for beat's sweep.
    reviewer = UserFactory()
    ReviewerRole.objects.create(user=reviewer, unit=_unit("保定市科协"))
    reviewer_client = Client()
    reviewer_client.force_login(reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        decided = reviewer_client.post(
            f"/review/activities/{activity.public_code}/decide/", {"decision": "approve"}
        )
    assert decided.status_code == 302
    activity.refresh_from_db()
    assert activity.status == Activity.Status.APPROVED
    sms = Message.objects.get(channel=Message.Channel.SMS, recipient=organiser, kind="decision")
    assert sms.state == Message.State.QUEUED
    assert Message.objects.filter(channel=Message.Channel.SITE, recipient=organiser, kind="decision").exists()
    assert "活动审核通过" in text_of(client.get("/messages/"))
    # The public pages, whose caches are down, still show it.
    assert "节水科普进社区" in text_of(Client().get(f"/a/{activity.public_code}/"))
    assert "节水科普进社区" in text_of(Client().get("/activities/"))
    assert sms_outbox.outbox == []  # nothing went out past the dead queue


def test_with_redis_down_an_sms_code_is_refused_with_a_reason_and_nothing_sent(redis_down, client):
    response = request_code(client, "13800138000")
    assert response.status_code == 503 and response["Content-Type"] == "application/json"
    # What static/js/sms-code.js reads: ``ok`` false, the message shown under the button, no countdown.
    assert response.json() == {"ok": False, "message": "短信服务暂时不可用，请稍后再试", "retry_after": None}
    assert sms_outbox.outbox == [] and not SmsCode.objects.exists()
    # Without JavaScript the button posts the form, and the page says the same.
    page = client.post("/accounts/register/", {"phone": "13800138000", "send_code": "1"})
    assert page.status_code == 200 and "短信服务暂时不可用，请稍后再试" in text_of(page)
    assert sms_outbox.outbox == []
