from celery import shared_task
from django.db import DatabaseError

from . import services


@shared_task(autoretry_for=(DatabaseError,), retry_backoff=True, retry_backoff_max=300, max_retries=5)
def deliver_sms() -> dict:
    """Send what the outbox holds for SMS, at most once each (beat runs it every minute too)."""
    report = services.deliver_sms()
    return {"sent": report.sent, "failed": report.failed, "skipped": report.skipped}


@shared_task
def heartbeat() -> None:
    """Run by a worker every minute (sent by beat): the health check's sign that workers answer."""
    services.beat("worker")
