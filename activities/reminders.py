"""Who still owes what before which deadline (SPEC §9), as messages for the outbox.

Three days and one day before each deadline — the activity's own, 延期
included — an organiser is told about:

- ``report_draft``: a 草稿 not yet submitted (活动填报 deadline);
- ``supplement_missing``: a 待审核 or approved activity not yet supplemented;
- ``summary_missing``: an approved activity that has started and has no summary.

Each message is keyed by (recipient, kind, activity, effective deadline, days
before), so running a day's reminders twice sends nothing twice, and a 延期
(a new deadline) earns new reminders before the new date.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import DateField, F, Max, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from notifications.services import Notice, enqueue

from .deadlines import Window, format_day
from .models import Activity, DeadlineExtension

DAYS_BEFORE = (3, 1)


@dataclass(frozen=True)
class Kind:
    name: str
    window: Window
    owed: str  # what the organiser still has to do
    url_name: str

    @property
    def message_kind(self) -> str:
        return f"reminder_{self.name}"

    def activities(self, now: datetime):
        base = Activity.objects.filter(campaign__isnull=False)
        if self.name == "report_draft":
            return base.filter(status=Activity.Status.DRAFT)
        if self.name == "supplement_missing":
            return base.filter(
                status__in=[Activity.Status.PENDING, Activity.Status.APPROVED], supplemented_at__isnull=True
            )
        return base.filter(status=Activity.Status.APPROVED, starts_at__lte=now, summarized_at__isnull=True)


KINDS = {
    kind.name: kind
    for kind in (
        Kind("report_draft", Window.REPORT, "提交活动填报", "activities:edit"),
        Kind("supplement_missing", Window.SUPPLEMENT, "补充活动信息", "activities:supplement"),
        Kind("summary_missing", Window.SUMMARY, "提交活动总结", "summaries:edit"),
    )
}
CAMPAIGN_DEADLINE = {
    Window.REPORT: "campaign__report_closes",
    Window.SUPPLEMENT: "campaign__supplement_closes",
    Window.SUMMARY: "campaign__summary_closes",
}


def with_deadline(activities, window: Window):
    """Annotate ``deadline``: the activity's last day for ``window``, its 延期 included."""
    extended = (
        DeadlineExtension.objects.filter(activity=OuterRef("pk"), window=window)
        .values("activity")
        .annotate(last=Max("last_day"))
        .values("last")
    )
    return activities.annotate(
        deadline=Coalesce(Subquery(extended, output_field=DateField()), F(CAMPAIGN_DEADLINE[window]))
    )


def due(kind: Kind, today: date, now: datetime | None = None):
    """The activities whose ``kind`` reminder falls on ``today``, with their deadline annotated."""
    days = [today + timedelta(days=n) for n in DAYS_BEFORE]
    return (
        with_deadline(kind.activities(now or timezone.now()), kind.window)
        .filter(deadline__in=days)
        .only("pk", "name", "owner_id", "public_code")
        .order_by("pk")
    )


def notices(kind: Kind, today: date, now: datetime | None = None):
    """One notice per activity due today (a generator: the query is read in chunks)."""
    content_type = ContentType.objects.get_for_model(Activity)
    for activity in due(kind, today, now).iterator(chunk_size=2000):
        days_left = (activity.deadline - today).days
        path = reverse(kind.url_name, args=[activity.public_code])
        label = kind.window.label
        yield Notice(
            recipient_id=activity.owner_id,
            kind=kind.message_kind,
            key=f"reminder:{activity.owner_id}:{kind.name}:{activity.pk}:{activity.deadline.isoformat()}:{days_left}",
            title=f"{label}还有{days_left}天截止",
            body=(
                f"您的活动“{activity.name}”尚未{kind.owed}，{label}将于{format_day(activity.deadline)}"
                f"（{days_left}天后）截止，请及时登录云上科普日办理：{settings.SITE_URL.rstrip('/')}{path}"
            ),
            url=path,
            sms_template="deadline_reminder",
            sms_params={
                "activity": activity.name[:20],
                "what": kind.owed,
                "date": format_day(activity.deadline),
                "link": f"{settings.SITE_URL.rstrip('/')}{path}",
            },
            object_type_id=content_type.pk,
            object_id=str(activity.pk),
        )


def queue_reminders(today: date | None = None, *, kinds=None) -> dict[str, int]:
    """Queue the day's reminders (all kinds, or ``kinds``); returns how many were due per kind."""
    today = today or timezone.localdate()
    counts = {}
    for name in kinds or KINDS:
        counts[name] = enqueue(notices(KINDS[name], today))
    return counts
