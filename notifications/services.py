"""The outbox: queue messages once per key, deliver SMS at most once, send nothing to an inactive
account, report the tasks' health."""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

import sms
from kepuri.locks import try_lock

from . import kinds
from .models import DailyRun, Heartbeat, Message

logger = logging.getLogger(__name__)

CLAIM_BATCH = 5  # a worker killed mid-batch leaves at most this many rows "sending"
STUCK_AFTER = timedelta(minutes=10)


@dataclass(frozen=True)
class Notice:
    """One message to queue: the same text on the site and, by template, by SMS."""

    recipient_id: int
    kind: str
    key: str
    title: str
    body: str
    url: str = ""
    sms_template: str = ""
    sms_params: dict = field(default_factory=dict)
    object_type_id: int | None = None
    object_id: str = ""


def _rows(notice: Notice, channels, now) -> list[Message]:
    rows = []
    for channel in channels:
        site = channel == Message.Channel.SITE
        rows.append(
            Message(
                recipient_id=notice.recipient_id,
                kind=notice.kind,
                key=notice.key,
                channel=channel,
                title=notice.title,
                body=notice.body,
                url=notice.url,
                sms_template=notice.sms_template,
                sms_params=notice.sms_params,
                object_type_id=notice.object_type_id,
                object_id=notice.object_id,
                state=Message.State.SENT if site else Message.State.QUEUED,
                sent_at=now if site else None,
                created_at=now,
            )
        )
    return rows


def enqueue(notices, *, channels=(Message.Channel.SITE, Message.Channel.SMS), chunk=1000) -> int:
    """Queue each notice on each channel; a key already queued is skipped. Returns the notices seen.

    ``notices`` may be a generator: rows are written ``chunk`` at a time, so a
    run over 100,000 recipients never holds them all.
    """
    now = timezone.now()
    seen, buffer = 0, []
    for notice in notices:
        seen += 1
        buffer.extend(_rows(notice, channels, now))
        if len(buffer) >= chunk:
            _write(buffer)
            buffer = []
    if buffer:
        _write(buffer)
    if any(channel == Message.Channel.SMS for channel in channels):
        _deliver_after_commit()
    return seen


# --- who receives nothing -----------------------------------------------------------------

# Why a message is not sent: shown with it in the admin (消息 → 状态 未发送).
INACTIVE = "收件人账号已停用，未发送"


def receives_messages(user) -> bool:
    """The outbox's one rule on recipients: an account 停用 by an admin or 注销 by its owner gets nothing."""
    return user.is_active and user.deleted_at is None


def _inactive_recipients(ids) -> dict[int, bool]:
    """Of the accounts ``ids``, those that receive nothing (``receives_messages``): id → deleted."""
    inactive = get_user_model().objects.filter(Q(is_active=False) | Q(deleted_at__isnull=False), pk__in=ids)
    return {pk: deleted_at is not None for pk, deleted_at in inactive.values_list("pk", "deleted_at")}


def _write(rows: list[Message]) -> None:
    """Store the rows; those of an account that receives nothing are kept from being sent.

    - 停用 (an admin): the rows are stored as ``skipped``, SMS and site alike, with
      the reason: an admin sees in 消息 what was not sent and why; the SMS never goes
      out and the inbox never shows them, not even after 启用 (a reminder or a
      decision of that time is not sent late);
    - 注销 (the owner): no row at all. The account is erased (``erase_inbox``), it has
      no number and nobody reads its inbox; the count is logged.
    """
    inactive = _inactive_recipients({row.recipient_id for row in rows})
    kept, dropped, skipped = [], 0, 0
    for row in rows:
        if row.recipient_id not in inactive:
            kept.append(row)
        elif inactive[row.recipient_id]:
            dropped += 1
        else:
            row.state, row.sent_at, row.last_error = Message.State.SKIPPED, None, INACTIVE
            kept.append(row)
            skipped += 1
    if skipped or dropped:
        logger.info(
            "Messages not sent: %d to accounts 停用 (stored as skipped), %d to deleted accounts (not stored)",
            skipped,
            dropped,
        )
    Message.objects.bulk_create(kept, ignore_conflicts=True)


def notify(recipient, *, kind, key, title, body, url="", obj=None, sms_template="", sms_params=None):
    """Queue one notice for ``recipient`` on the site and by SMS, once per ``key``."""
    object_fields = {}
    if obj is not None:
        object_fields = {
            "object_type_id": ContentType.objects.get_for_model(obj).pk,
            "object_id": str(obj.pk),
        }
    enqueue(
        [
            Notice(
                recipient_id=recipient.pk,
                kind=kind,
                key=key,
                title=title,
                body=body,
                url=url,
                sms_template=sms_template or kind,
                sms_params=sms_params or {},
                **object_fields,
            )
        ]
    )


def _deliver_after_commit() -> None:
    """Once the rows are committed, start SMS_DELIVERY_TASKS sweeps: they share the queue.

    If the task queue cannot be reached (Redis down), the error is logged and the
    action that queued the notice stands: the rows wait, and beat's ``deliver-sms``
    sweep sends them within a minute of the queue's return.
    """
    from .tasks import deliver_sms  # the task module imports this one

    def start():
        for _ in range(settings.SMS_DELIVERY_TASKS):
            deliver_sms.delay()

    transaction.on_commit(start, robust=True)


# --- delivery -------------------------------------------------------------------------------


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    skipped: int = 0

    @property
    def handled(self) -> int:
        return self.sent + self.failed + self.skipped


def _claim(batch: int) -> list[Message]:
    """Move up to ``batch`` queued SMS to "sending" in one transaction; other workers skip them."""
    with transaction.atomic():
        claimed = list(
            Message.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(channel=Message.Channel.SMS, state=Message.State.QUEUED)
            .select_related("recipient")
            .order_by("pk")[:batch]
        )
        Message.objects.filter(pk__in=[message.pk for message in claimed]).update(
            state=Message.State.SENDING, claimed_at=timezone.now(), attempts=F("attempts") + 1
        )
    return claimed


def deliver_sms(*, max_messages: int | None = None) -> DeliveryReport:
    """Send queued SMS at most once each: claim, call the provider, then mark sent or failed.

    A row claimed by a worker that dies before marking it stays "sending":
    admins see it as stuck and decide to resend; nothing resends it blindly.
    An SMS whose recipient was 停用 after it was queued is marked ``skipped``, not sent.
    """
    backend = sms.get_backend()
    report = DeliveryReport()
    while max_messages is None or report.handled < max_messages:
        batch = _claim(CLAIM_BATCH)
        if not batch:
            break
        for message in batch:
            if not receives_messages(message.recipient):
                logger.info("SMS %s to %s not sent: account inactive", message.pk, message.recipient_id)
                Message.objects.filter(pk=message.pk, state=Message.State.SENDING).update(
                    state=Message.State.SKIPPED, last_error=INACTIVE
                )
                report.skipped += 1
                continue
            text = f"【{settings.SMS_SIGN_NAME}】{message.body}"
            outgoing = sms.SmsMessage(
                phone=message.recipient.phone,
                template=message.sms_template,
                text=text,
                params=message.sms_params,
            )
            try:
                backend.send_messages([outgoing])
            except sms.SmsSendError as exc:
                logger.warning("SMS %s to %s failed: %s", message.pk, message.recipient_id, exc)
                Message.objects.filter(pk=message.pk, state=Message.State.SENDING).update(
                    state=Message.State.FAILED, last_error=str(exc)[:1000]
                )
                report.failed += 1
            else:
                Message.objects.filter(pk=message.pk, state=Message.State.SENDING).update(
                    state=Message.State.SENT, sent_at=timezone.now(), last_error=""
                )
                report.sent += 1
    return report


def resend(messages) -> int:
    """An admin's decision: put failed or stuck SMS back in the queue."""
    count = messages.filter(
        channel=Message.Channel.SMS, state__in=[Message.State.FAILED, Message.State.SENDING]
    ).update(state=Message.State.QUEUED, claimed_at=None)
    if count:
        _deliver_after_commit()
    return count


def stuck(now: datetime | None = None):
    """SMS claimed long ago and never marked: a worker died while sending them."""
    return Message.objects.filter(
        channel=Message.Channel.SMS,
        state=Message.State.SENDING,
        claimed_at__lt=(now or timezone.now()) - STUCK_AFTER,
    )


# --- inbox ---------------------------------------------------------------------------------


def inbox(user):
    """``user``'s site messages; none kept from them while their account was 停用 (``_write``)."""
    return Message.objects.filter(recipient=user, channel=Message.Channel.SITE).exclude(
        state=Message.State.SKIPPED
    )


def unread(user):
    """``user``'s unread messages (``user`` may be an ``OuterRef`` in a subquery)."""
    return inbox(user).filter(read_at__isnull=True)


def unread_count(user) -> int:
    return unread(user).count()


def mark_read(user, *, message_id=None) -> int:
    """Mark one message (or all) of ``user`` as read."""
    messages = inbox(user).filter(read_at__isnull=True)
    if message_id is not None:
        messages = messages.filter(pk=message_id)
    return messages.update(read_at=timezone.now())


# --- daily jobs -------------------------------------------------------------------------------

# How long after REMINDER_HOUR:MINUTE a day's job that has not finished is still run: a run killed
# at 09:00 is made good at 09:01, one whose database was down all morning not in the evening.
CATCH_UP = timedelta(hours=3)


def daily_due(now: datetime) -> datetime:
    """When today's daily jobs are due: REMINDER_HOUR:MINUTE of ``now``'s day, Asia/Shanghai."""
    now = timezone.localtime(now)
    return now.replace(hour=settings.REMINDER_HOUR, minute=settings.REMINDER_MINUTE, second=0, microsecond=0)


def run_daily(job: str, work: Callable[[date], object], *, now: datetime | None = None):
    """Run ``work(today)`` for beat's daily ``job``, which beat asks for every minute.

    It runs from today's REMINDER_HOUR:MINUTE (Asia/Shanghai) for CATCH_UP,
    until one run has finished; a run in progress elsewhere (another worker, a
    second beat) is left alone. A worker killed in the middle of it, or beat
    down at the hour, is made good at the next minute, not an hour later when
    the broker gives the unacknowledged task out again. The messages a job
    queues are keyed per day, so a run taken up again tells nobody twice.
    Returns what ``work`` returned, or None when nothing was due.
    """
    now = timezone.localtime(now)
    due = daily_due(now)
    if not due <= now < due + CATCH_UP:
        return None
    today = now.date()
    if DailyRun.objects.filter(job=job, day=today, finished_at__isnull=False).exists():
        return None
    with try_lock(f"notifications.daily:{job}:{today}") as taken:
        if not taken:
            return None
        run, _ = DailyRun.objects.get_or_create(job=job, day=today, defaults={"started_at": now})
        if run.finished_at is not None:  # finished between the check and the lock
            return None
        if run.attempts:
            logger.warning("The daily %s of %s did not finish (%d runs); again", job, today, run.attempts)
        DailyRun.objects.filter(pk=run.pk).update(started_at=timezone.now(), attempts=F("attempts") + 1)
        result = work(today)
        DailyRun.objects.filter(pk=run.pk).update(finished_at=timezone.now())
    return result


# --- health ---------------------------------------------------------------------------------

BEAT_LATE = timedelta(minutes=10)
WORKER_LATE = timedelta(minutes=10)
# A daily job not finished this long after it was due is reported (it is still tried until CATCH_UP).
DAILY_LATE = timedelta(minutes=30)


def beat(name: str) -> None:
    Heartbeat.objects.update_or_create(name=name, defaults={"at": timezone.now()})


@dataclass(frozen=True)
class TaskHealth:
    in_process: bool
    beat_at: datetime | None
    worker_at: datetime | None
    stuck: int
    late_jobs: tuple[str, ...] = ()  # labels of the daily jobs not finished today though due

    @property
    def problems(self) -> list[str]:
        now, found = timezone.now(), []
        if not self.in_process and (self.beat_at is None or now - self.beat_at > BEAT_LATE):
            found.append("定时任务调度（Celery beat）没有在运行：提醒不会按时发出")
        if not self.in_process and (self.worker_at is None or now - self.worker_at > WORKER_LATE):
            found.append("后台任务进程（Celery worker）没有响应：短信和提醒不会发出")
        if self.stuck:
            found.append(f"{self.stuck} 条短信发送中断，需要管理员确认后重发")
        found.extend(f"今天的{job}没有完成：请查看“每日任务”和后台任务进程的日志" for job in self.late_jobs)
        return found

    @property
    def ok(self) -> bool:
        return not self.problems


def late_daily_jobs(now: datetime | None = None) -> tuple[str, ...]:
    """The daily jobs that have not finished today though DAILY_LATE has passed since they were due."""
    now = timezone.localtime(now)
    if now < daily_due(now) + DAILY_LATE:
        return ()
    finished = set(
        DailyRun.objects.filter(day=now.date(), finished_at__isnull=False).values_list("job", flat=True)
    )
    return tuple(label for job, label in kinds.DAILY_JOBS.items() if job not in finished)


def task_health() -> TaskHealth:
    """The background tasks' health (``TASK_HEALTH``: the admin's front page, /health/tasks/)."""
    beats = dict(Heartbeat.objects.values_list("name", "at"))
    in_process = bool(settings.CELERY_TASK_ALWAYS_EAGER)
    return TaskHealth(
        in_process=in_process,
        beat_at=beats.get("beat"),
        worker_at=beats.get("worker"),
        stuck=stuck().count(),
        late_jobs=() if in_process else late_daily_jobs(),  # in-process, beat runs nothing by itself
    )


# --- 注销账号 -------------------------------------------------------------------------------


def erase_inbox(user) -> None:
    """An account is deleted: its messages go, read or not, and any SMS still queued for its number."""
    Message.objects.filter(recipient=user).delete()
