"""Review decisions: the one way an activity, or a change of it, is approved or rejected.

Each decision locks the activity's row, refuses anything that is not 待审核
(so of two reviewers deciding at once exactly one wins), applies an approved
change to the activity, writes the append-only log, and queues the notice to
the organiser, keyed by the log entry. The reviewers' console and the admin's
actions both call these.
"""

from datetime import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from notifications.services import notify

from . import files, search
from .models import Activity, ActivityChange, ReviewDecision
from .reports import Report
from .services import POSTER_FIELDS, ActivityError, record_decision

Status = Activity.Status
State = ReviewDecision.State


def _locked(activity: Activity) -> Activity:
    """The living activity's row, locked; its organiser may have deleted it since the page was read."""
    locked = Activity.objects.select_for_update().filter(pk=activity.pk).first()
    if locked is None:
        raise ActivityError("活动已删除")
    return locked


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
        files.discard(files.poster_names(activity), reason=files.Reason.REPLACED)
        for field in POSTER_FIELDS.values():
            setattr(activity, field, getattr(change, field).name)


def _tell_owner(activity: Activity, decision: ReviewDecision, *, title: str, body: str) -> None:
    notify(
        activity.owner,
        kind="decision",
        key=f"decision:{decision.pk}",
        title=title,
        body=body,
        url=reverse("activities:user_center"),
        obj=activity,
        sms_params={"activity": activity.name[:20], "result": title, "reason": decision.reason[:30]},
    )


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
        from_status = State.CHANGE_PENDING
    else:
        from_status = activity.status
        activity.status = Status.APPROVED
        activity.rejection_reason = ""
    search.refresh(activity)  # what the public search finds is what the public sees
    activity.decided_at = at
    activity.waiting_since = None
    activity.save()
    decision = record_decision(
        activity, change=change, actor=by, at=at, from_status=from_status, to_status=State.APPROVED
    )
    what = "活动的修改" if change else "活动"
    _tell_owner(
        activity,
        decision,
        title=f"{'活动修改' if change else '活动'}审核通过",
        body=f"您发布的{what}“{activity}”已审核通过。",
    )
    return decision


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
        files.discard(files.poster_names(change), reason=files.Reason.REFUSED)
        activity.waiting_since = None
        activity.save(update_fields=["waiting_since"])
        from_status, to_status = State.CHANGE_PENDING, State.CHANGE_REJECTED
    else:
        from_status, to_status = activity.status, State.REJECTED
        activity.status = Status.REJECTED
        activity.rejection_reason = reason
        activity.decided_at = at
        activity.waiting_since = None
        activity.save(update_fields=["status", "rejection_reason", "decided_at", "waiting_since"])
    decision = record_decision(
        activity, change=change, actor=by, at=at, from_status=from_status, to_status=to_status, reason=reason
    )
    if change:
        title, body = (
            "活动修改未通过审核",
            f"您对活动“{activity}”的修改未通过审核，原因：{reason}。已通过的版本保持不变。",
        )
    else:
        title, body = (
            "活动未通过审核",
            f"您发布的活动“{activity}”未通过审核，原因：{reason}。请在用户中心修改后重新提交。",
        )
    _tell_owner(activity, decision, title=title, body=body)
    return decision
