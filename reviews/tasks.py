import logging
from datetime import date

from celery import shared_task
from django.db import DatabaseError
from django.utils import timezone

from . import services
from .models import ExportJob

logger = logging.getLogger(__name__)


@shared_task
def build_export(job_id: str) -> None:
    """Build an export job's XLSX; a job that is gone or done already is left alone."""
    job = ExportJob.objects.filter(pk=job_id, state=ExportJob.State.QUEUED).select_related("unit").first()
    if job is None:
        return
    try:
        services.build_export(job)
    except Exception as exc:
        logger.exception("Export %s failed", job_id)
        ExportJob.objects.filter(pk=job_id).update(
            state=ExportJob.State.FAILED, error=str(exc)[:500], finished_at=timezone.now()
        )
        raise


@shared_task(autoretry_for=(DatabaseError,), retry_backoff=True, retry_backoff_max=600, max_retries=5)
def send_review_digests(day: str | None = None) -> int:
    """Each reviewer's count of what waits (beat: daily at REMINDER_HOUR, Asia/Shanghai)."""
    return services.send_review_digests(date.fromisoformat(day) if day else None)
