from datetime import date

from celery import shared_task
from django.db import DatabaseError

from . import reminders, services


@shared_task
def purge_staged_posters() -> int:
    """Housekeeping on beat: posters kept for a form that was never sent again."""
    return services.purge_staged_posters()


@shared_task(autoretry_for=(DatabaseError,), retry_backoff=True, retry_backoff_max=600, max_retries=5)
def send_reminders(day: str | None = None) -> dict:
    """The day's deadline reminders (beat: daily at REMINDER_HOUR, Asia/Shanghai)."""
    return reminders.queue_reminders(date.fromisoformat(day) if day else None)
