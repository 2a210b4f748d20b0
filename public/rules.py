"""What the public may see and do on an activity's page (SPEC §8, §6's last column)."""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from activities.deadlines import SHANGHAI, format_short, start_of_day
from activities.models import Activity
from reviews import access


class Visibility:
    PUBLIC = "public"  # approved: its approved version, listed or not by 展示
    UNDER_REVIEW = "under_review"  # submitted, never approved: a notice, no details
    NONE = "none"  # a draft, deleted or unknown: 404


def visibility(activity: Activity) -> str:
    if activity.deleted_at is not None or activity.status == Activity.Status.DRAFT:
        return Visibility.NONE
    if activity.status == Activity.Status.APPROVED:
        return Visibility.PUBLIC
    return Visibility.UNDER_REVIEW


def may_preview(user, activity: Activity) -> bool:
    """Its organiser and its reviewers see any state, marked as a preview."""
    if not user.is_authenticated or activity.deleted_at is not None:
        return False
    if activity.owner_id == user.pk:
        return True
    unit = access.reviewer_unit(user)
    return unit is not None and access.read_set(unit).filter(pk=activity.pk).exists()


def may_moderate(user, activity: Activity) -> bool:
    """The organiser and the activity's reviewers hide comments."""
    return may_preview(user, activity)


@dataclass(frozen=True)
class CheckInWindow:
    """打卡: from the activity's start to the end of its last day, Asia/Shanghai."""

    opens_at: datetime
    closes_at: datetime
    at: datetime

    @property
    def is_open(self) -> bool:
        return self.opens_at <= self.at < self.closes_at

    @property
    def seconds_to_change(self) -> int:
        """Whole seconds until the window opens or closes (0 in its last second); long once closed."""
        upcoming = [edge for edge in (self.opens_at, self.closes_at) if edge > self.at]
        if not upcoming:
            return 10**9
        return math.floor((upcoming[0] - self.at).total_seconds())

    @property
    def code(self) -> str:
        """The API's machine code of a refusal by this window."""
        if self.at < self.opens_at:
            return "window_not_open"
        return "window_closed" if self.at >= self.closes_at else ""

    @property
    def message(self) -> str:
        if self.at < self.opens_at:
            return f"打卡将于 {format_short(self.opens_at)} 开放"
        if self.at >= self.closes_at:
            last = (self.closes_at.astimezone(SHANGHAI) - timedelta(days=1)).date()
            return f"活动已于 {last.month}月{last.day}日 结束，打卡已关闭"
        return "活动进行中，可以打卡"


def checkin_window(activity: Activity, at: datetime | None = None) -> CheckInWindow:
    last_day = timezone.localtime(activity.ends_at, SHANGHAI).date()
    return CheckInWindow(
        opens_at=activity.starts_at, closes_at=start_of_day(last_day, days_after=1), at=at or timezone.now()
    )
