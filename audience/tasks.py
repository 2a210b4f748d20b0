from celery import shared_task

from . import flush


@shared_task
def flush_counts() -> int:
    """Add the views and shares counted in Redis to the daily rows (beat: every AUDIENCE_FLUSH_SECONDS)."""
    return flush.flush().counted
