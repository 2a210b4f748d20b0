"""Celery for real: a worker process consumes a task from Redis and changes the database."""

import json
import os
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from accounts.models import SmsCode
from accounts.tasks import purge_expired_sms_codes
from kepuri.celery import app as celery_app
from kepuri.logs import REQUEST_ID
from kepuri.testing import database_url

ROOT = Path(__file__).resolve().parent.parent


def code(phone, expires_at):
    return SmsCode.objects.create(
        phone=phone, purpose=SmsCode.Purpose.REGISTER, code_hmac="0" * 64, expires_at=expires_at
    )


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_worker_consumes_a_task_from_redis(redis_url, postgres):
    now = timezone.now()
    expired = code("13800000001", now - timedelta(days=2))
    fresh = code("13800000002", now + timedelta(minutes=5))
    queue = f"wiring-test-{uuid.uuid4().hex[:12]}"
    request_id = f"req-{uuid.uuid4().hex}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kepuri.settings",
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_url,
        "LOG_FORMAT": "json",
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "kepuri",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    celery_app.conf.task_always_eager = False
    try:
        assert celery_app.conf.broker_url == redis_url
        token = REQUEST_ID.set(request_id)  # as while serving a request (kepuri.logs.request_id_middleware)
        try:
            purge_expired_sms_codes.apply_async(queue=queue)
        finally:
            REQUEST_ID.reset(token)
        deadline = time.monotonic() + 60
        while SmsCode.objects.filter(pk=expired.pk).exists():
            if worker.poll() is not None:
                pytest.fail(f"the worker exited early:\n{worker.stdout.read()}")
            if time.monotonic() > deadline:
                worker.terminate()
                pytest.fail(f"the task was not consumed in 60 s:\n{worker.communicate(timeout=10)[0]}")
            time.sleep(0.2)
    finally:
        celery_app.conf.task_always_eager = True
        if worker.poll() is None:
            worker.terminate()
            output = worker.communicate(timeout=20)[0]
        else:
            output = ""
        with celery_app.connection_for_write() as conn:
            conn.default_channel.queue_delete(queue)
    assert SmsCode.objects.filter(pk=fresh.pk).exists()
    assert "accounts.tasks.purge_expired_sms_codes" in output
    # The worker logs JSON lines, the task's under the id of the request that queued it.
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    done = [
        line
        for line in lines
        if "purge_expired_sms_codes" in line["message"] and "succeeded" in line["message"]
    ]
    assert done and done[0]["request_id"] == request_id and done[0]["level"] == "INFO"
