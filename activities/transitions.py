"""Review decisions: the one way an activity, or a change of it, is approved or rejected.

Each decision locks the activity's row, refuses anything that is not 待审核
(so of two reviewers deciding at once exactly one wins), applies an approved
change to the activity, and writes the append-only log. The reviewers' console
(and its notices) builds on these; the admin's actions call them too.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from .models import Activity, ActivityChange, ReviewDecision
from .reports import Report
from .services import POSTER_FIELDS, ActivityError, record_decision

Status = Activity.Status


def _locked(activity: Activity) -> Activity:
    return Activity.objects.select_for_update().get(pk=activity.pk)


def _check(activity: Activity, by) -> ActivityChange | None:
    if activity.owner_id == by.pk:
        raise ActivityError("不能审核自己发布的活动")
    change = activity.pending_change
    if activity.status != Status.PENDING and change is None:
        raise ActivityError("该活动没有待审核的内容，可能已被其他审核员处理")
    return change


def _apply(change: ActivityChange, activity: Activity) -> None:
    Report.from_json(change.data).apply_to(activity)
    for field in ("org_name", "org_contact_name", "org_contact_phone"):
        setattr(activity, field, change.data.get(field, getattr(activity, field)))
    if change.poster:
        for field in POSTER_FIELDS.values():
            setattr(activity, field, getattr(change, field).name)


@transaction.atomic
def approve(*, activity: Activity, by, at: datetime | None = None) -> ReviewDecision:
    """审核通过: the report becomes public, or the change replaces the approved version."""
    at = at or timezone.now()
    activity = _locked(activity)
    change = _check(activity, by)
    if change is not None:
        _apply(change, activity)
        change.status, change.decided_at = ActivityChange.Status.APPROVED, at
        change.save(update_fields=["status", "decided_at"])
        from_status = ReviewDecision.State.CHANGE_PENDING
    else:
        from_status = activity.status
        activity.status = Status.APPROVED
        activity.rejection_reason = ""
    activity.decided_at = at
    activity.save()
    return record_decision(
        activity, change=change, actor=by, at=at, from_status=from_status, to_status=Status.APPROVED
    )


@transaction.atomic
def reject(*, activity: Activity, by, reason: str, at: datetime | None = None) -> ReviewDecision:
    """审核未通过, with the reason the organiser will read; a rejected change leaves the approved version."""
    reason = (reason or "").strip()
    if not reason:
        raise ActivityError("请填写审核未通过的原因")
    at = at or timezone.now()
    activity = _locked(activity)
    change = _check(activity, by)
    if change is not None:
        change.status, change.decided_at, change.rejection_reason = ActivityChange.Status.REJECTED, at, reason
        change.save(update_fields=["status", "decided_at", "rejection_reason"])
        from_status, to_status = ReviewDecision.State.CHANGE_PENDING, ReviewDecision.State.CHANGE_REJECTED
    else:
        from_status, to_status = activity.status, Status.REJECTED
        activity.status = Status.REJECTED
        activity.rejection_reason = reason
        activity.decided_at = at
        activity.save(update_fields=["status", "rejection_reason", "decided_at"])
    return record_decision(
        activity, change=change, actor=by, at=at, from_status=from_status, to_status=to_status, reason=reason
    )
