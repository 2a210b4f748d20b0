from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from activities import rules
from activities.models import Activity
from activities.services import ActivityError

from .models import ActivitySummary, SummaryAttachment


@transaction.atomic
def save_summary(
    *, activity: Activity, user, text: str, participants: int, attachments, at: datetime | None = None
):
    """编辑总结, once: approved activities, from their start until the summary deadline; final once saved."""
    at = at or timezone.now()
    activity = Activity.all_objects.select_for_update().get(pk=activity.pk)
    permission = rules.can_summarize(activity, user, at)
    if not permission:
        raise ActivityError(permission.reason, permission.code)
    try:
        with transaction.atomic():
            summary = ActivitySummary.objects.create(
                activity=activity, text=text, participants=participants, created_by=user, created_at=at
            )
    except IntegrityError as exc:
        raise ActivityError("活动总结已提交，不可修改", "locked") from exc
    for attachment in attachments:
        item = SummaryAttachment(summary=summary, kind=attachment.kind, original_name=attachment.name[:255])
        item.file.save(attachment.content.name, attachment.content, save=False)
        item.save()
    activity.summarized_at = at
    activity.save(update_fields=["summarized_at"])
    return summary
