"""批量审核通过 of everything a filtered queue holds: a background job, one decision at a time.

The reviewer confirms the count they were shown; the job then approves, through
the one transition service (``activities.transitions.approve``: its lock, its
log, its notice), every activity of the filtered queue that waits and that the
reviewer decides, and records how far it got for the progress bar. What the
service refuses (decided meanwhile by someone else, deleted) is counted and
its reason kept; a job run twice finds those already approved and refuses them.
"""

from django.http import QueryDict
from django.utils import timezone

from activities import transitions
from activities.models import Activity
from activities.services import ActivityError

from . import access, services
from .models import BulkApproval
from .queue import ORDER, Queue

PROGRESS_EVERY = 20
NOTES_KEPT = 50
QUEUE_DOWN = "任务队列暂时不可用，请稍后再试"
ROLE_CHANGED = "审核员授权已变更，未执行"


def _candidates(queue: Queue, user):
    """What a bulk approval of ``queue`` acts on: waiting, decided by the reviewer, not their own."""
    return queue.rows.filter(waiting_since__isnull=False).exclude(owner=user)


def decide_queue(unit, query: str, user) -> Queue:
    """The queue a bulk approval works on: the filters of ``query`` over what the reviewer decides."""
    data = QueryDict(query, mutable=True)
    data.pop("scope", None)
    return Queue(unit, data, user=user)


def count(queue: Queue) -> int:
    """How many the button would approve now (shown on it and confirmed)."""
    return _candidates(queue, queue.user).count()


def start(*, user, unit, query: str, expected: int) -> BulkApproval:
    """A job approving the filtered queue, queued for ``tasks.bulk_approve``."""
    from .tasks import bulk_approve as bulk_task  # the task module imports this one

    job = BulkApproval.objects.create(requested_by=user, unit=unit, query=query, expected=expected)
    services.queue_job(job, bulk_task, refusal=QUEUE_DOWN)
    return job


def run(job: BulkApproval) -> BulkApproval:
    """Approve each activity of the job's queue that waited when the reviewer confirmed, oldest first.

    What was submitted after the confirmation is left for the reviewer to see; a reviewer whose
    role changed meanwhile has the job refused.
    """
    user = job.requested_by
    if access.reviewer_unit(user) != job.unit:
        job.state, job.error, job.finished_at = BulkApproval.State.FAILED, ROLE_CHANGED, timezone.now()
        job.save(update_fields=["state", "error", "finished_at"])
        return job
    queue = decide_queue(job.unit, job.query, user)
    confirmed = _candidates(queue, user).filter(waiting_since__lte=job.created_at)
    ids = list(confirmed.order_by(*ORDER).values_list("pk", flat=True))
    BulkApproval.objects.filter(pk=job.pk).update(state=BulkApproval.State.RUNNING, total=len(ids))
    approved = refused = 0
    notes = []
    for done, pk in enumerate(ids, start=1):
        activity = Activity.objects.filter(pk=pk).first()
        try:
            if activity is None:
                raise ActivityError("活动已删除")
            transitions.approve(activity=activity, by=user)
            approved += 1
        except ActivityError as exc:
            refused += 1
            if len(notes) < NOTES_KEPT:
                notes.append(f"“{activity or pk}”：{exc.message}")
        if done % PROGRESS_EVERY == 0:
            BulkApproval.objects.filter(pk=job.pk).update(done=done, approved=approved, refused=refused)
    job.state, job.finished_at = BulkApproval.State.DONE, timezone.now()
    job.total = job.done = len(ids)
    job.approved, job.refused, job.notes = approved, refused, "\n".join(notes)
    job.save(update_fields=["state", "finished_at", "total", "done", "approved", "refused", "notes"])
    return job
