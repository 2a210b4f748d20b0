from dataclasses import asdict
from datetime import date

from celery import shared_task
from django.db import DatabaseError

from notifications.services import run_daily

from . import files, reminders


@shared_task
def delete_unused_files() -> dict:
    """Housekeeping on beat (hourly): staged, replaced and deleted activities' files leave the storage."""
    return asdict(files.sweep())


@shared_task(autoretry_for=(DatabaseError,), retry_backoff=True, retry_backoff_max=600, max_retries=5)
def send_reminders(day: str | None = None, scheduled: bool = False) -> dict | None:
    """The day's deadline reminders. Beat asks every minute (``scheduled``): they go out at
    REMINDER_HOUR, Asia/Shanghai, once a day (``notifications.services.run_daily``); sent by hand,
    the given day's (or today's) run now."""
    if scheduled:
        return run_daily("reminders", reminders.queue_reminders)
    return reminders.queue_reminders(date.fromisoformat(day) if day else None)
