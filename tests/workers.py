"""Celery workers and beat in processes of their own, on this test's database and Redis.

For the tests that need the real thing (a task crossing Redis, two workers, two
beats): each process gets the test database's URL, the test's queue and, by
default, the slow database SMS backend (``tests.slow_sms``), which records what
it sends in ``SentSms`` for the test to read.
"""

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db.models import Count
from django.utils import timezone

from activities.models import Campaign
from kepuri.celery import app as celery_app
from kepuri.testing import database_url
from notifications.beat import HeartbeatScheduler
from sms.models import SentSms
from tests.factories import UserFactory, make_activity

ROOT = Path(__file__).resolve().parent.parent
LOG = open(os.environ.get("WORKER_LOG", os.devnull), "ab")  # noqa: SIM115  (the workers' output, to debug)


def _celery(arguments, *, redis_url, queue, log, env):
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kepuri.settings",
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_url,
        "SMS_BACKEND": "tests.slow_sms.SmsBackend",
        "CACHE_KEY_PREFIX": f"worker-{queue}",
        "CELERY_TASK_DEFAULT_QUEUE": queue,  # what a worker queues (delivery) comes back to the workers
        **env,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "kepuri", *arguments, "--loglevel=INFO"],
        cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip


def start_worker(redis_url, queue, *options, log=LOG, **env):
    """A worker consuming ``queue``: one process (``--pool=solo``) unless ``options`` say otherwise.

    ``env`` adds to (or overrides) the worker's environment.
    """
    arguments = ["worker", "-Q", queue, *(options or ["--pool=solo"]),
                 "--without-heartbeat", "--without-gossip", "--without-mingle"]  # fmt: skip
    return _celery(arguments, redis_url=redis_url, queue=queue, log=log, env=env)


def start_beat(redis_url, queue, schedule: Path, *, log=LOG, **env):
    """A beat sending the site's schedule (``CELERY_BEAT_SCHEDULE``) to ``queue``; its state in ``schedule``."""
    return _celery(["beat", "--schedule", str(schedule)], redis_url=redis_url, queue=queue, log=log, env=env)


def beat_state_with_due(schedule: Path, entry: str) -> None:
    """Write beat's state file as a beat would leave it, ``entry`` last sent two days ago: due at start.

    A beat started on it sends ``entry`` at once, as a running beat does when
    the entry's time comes (the reminders' 09:00).
    """
    scheduler = HeartbeatScheduler(app=celery_app, schedule_filename=str(schedule))
    try:
        due = scheduler.schedule[entry]
        due.last_run_at = due.default_now() - timedelta(days=2)
    finally:
        scheduler.close()


def delete_queue(queue) -> None:
    """Drop ``queue`` from Redis, with what is left in it."""
    with celery_app.connection_for_write() as connection:
        connection.default_channel.queue_delete(queue)


def wait_for(condition, seconds=60):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail("timed out")
        time.sleep(0.1)


def no_sms_twice():
    twice = SentSms.objects.values("phone", "text").annotate(n=Count("pk")).filter(n__gt=1)
    assert not twice.exists(), list(twice)


def make_due_drafts(organisers: int) -> None:
    """``organisers`` organisers (1370000xxxx), each with a draft whose report deadline is three days
    away by the real clock: each is owed one 提交活动填报 reminder today."""
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        year=today.year, name="测试年度", national_theme="主题", label="测试年度活动",
        report_opens=today - timedelta(days=30), report_closes=today + timedelta(days=3),
        supplement_closes=today + timedelta(days=20), summary_closes=today + timedelta(days=30),
    )  # fmt: skip
    for n in range(organisers):
        make_activity(UserFactory(phone=f"1370000{n:04d}"), status="draft", campaign=campaign,
                      category=None, name=f"草稿{n}")  # fmt: skip
