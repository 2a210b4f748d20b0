import logging
from datetime import date

from celery import shared_task
from django.db import DatabaseError
from django.utils import timezone

from notifications.services import run_daily

from . import bulk, screen, services, statistics
from .models import BulkApproval, ExportJob

logger = logging.getLogger(__name__)


def _run_job(model, job_id: str, work) -> None:
    """Run ``work`` on a queued job; a job that is gone or started already is left alone, a failure kept."""
    job = (
        model.objects.filter(pk=job_id, state=model.State.QUEUED)
        .select_related("unit", "requested_by")
        .first()
    )
    if job is None:
        return
    try:
        work(job)
    except Exception as exc:
        logger.exception("%s %s failed", model.__name__, job_id)
        model.objects.filter(pk=job_id).update(
            state=model.State.FAILED, error=str(exc)[:500], finished_at=timezone.now()
        )
        raise


@shared_task
def build_export(job_id: str) -> None:
    """Build an export job's XLSX."""
    _run_job(ExportJob, job_id, services.build_export)


@shared_task
def bulk_approve(job_id: str) -> None:
    """批量审核通过 of a filtered queue (``reviews.bulk``)."""
    _run_job(BulkApproval, job_id, bulk.run)


@shared_task(autoretry_for=(DatabaseError,), retry_backoff=True, retry_backoff_max=600, max_retries=5)
def send_review_digests(day: str | None = None, scheduled: bool = False) -> int | None:
    """Each reviewer's count of what waits. Beat asks every minute (``scheduled``): once a day from
    REMINDER_HOUR, Asia/Shanghai (``notifications.services.run_daily``); sent by hand, now."""
    if scheduled:
        return run_daily("review_digests", services.send_review_digests)
    return services.send_review_digests(date.fromisoformat(day) if day else None)


@shared_task
def refresh_statistics() -> None:
    """Recompute the 统计 aggregate (beat: every STATS_REFRESH_MINUTES); runs at once wait for each other.
    Then prepare what the 数据大屏 cannot read from an index at once (``screen.prepare``)."""
    statistics.rebuild()
    screen.prepare()
