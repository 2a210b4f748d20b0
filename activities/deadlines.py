"""The windows of SPEC §4, decided in Asia/Shanghai: one place for every deadline check.

A date means the whole of that day: a window whose last day is D closes at
00:00 of D+1 (exclusive), so 23:59:59.999999 on D is inside and 00:00:00 on
D+1 is not. Every write that a window governs asks ``window_state`` first, and
every page shows what it answers.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import models
from django.utils import timezone

SHANGHAI = ZoneInfo("Asia/Shanghai")


def start_of_day(day: date, *, days_after: int = 0) -> datetime:
    """00:00 Asia/Shanghai of ``day`` (plus ``days_after`` days)."""
    return datetime.combine(day + timedelta(days=days_after), time.min, tzinfo=SHANGHAI)


def format_day(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def format_instant(instant: datetime) -> str:
    local = instant.astimezone(SHANGHAI)
    if local.time() == time.min:
        return format_day(local.date())
    return f"{format_day(local.date())} {local:%H:%M}"


class Window(models.TextChoices):
    REPORT = "report", "活动填报"
    SUPPLEMENT = "supplement", "补充活动信息"
    SUMMARY = "summary", "活动总结"


SHORT_LABELS = {Window.REPORT: "填报", Window.SUPPLEMENT: "补充", Window.SUMMARY: "总结"}


def format_short(instant: datetime) -> str:
    local = instant.astimezone(SHANGHAI)
    day = f"{local.month}月{local.day}日"
    return day if local.time() == time.min else f"{day} {local:%H:%M}"


@dataclass(frozen=True)
class WindowState:
    """Whether a window is open at ``at``, and from when until when."""

    window: Window
    opens_at: datetime
    closes_at: datetime  # exclusive: the midnight that ends the last day
    at: datetime
    extended: bool = False

    @property
    def is_open(self) -> bool:
        return self.opens_at <= self.at < self.closes_at

    @property
    def not_yet_open(self) -> bool:
        return self.at < self.opens_at

    @property
    def is_closed(self) -> bool:
        return self.at >= self.closes_at

    @property
    def last_day(self) -> date:
        return (self.closes_at.astimezone(SHANGHAI) - timedelta(days=1)).date()

    @property
    def code(self) -> str:
        """The API's machine code of a refusal by this window: not yet open, or closed."""
        if self.not_yet_open:
            return "window_not_open"
        return "window_closed" if self.is_closed else ""

    @property
    def message(self) -> str:
        """What the page says: when it opens, until when it is open, or that it has closed."""
        label = Window(self.window).label
        if self.not_yet_open:
            return f"{label}将于{format_instant(self.opens_at)}开放"
        if self.is_closed:
            return f"{label}已于{format_day(self.last_day)}截止"
        extended = "（已延期）" if self.extended else ""
        return f"{label}截止日期：{format_day(self.last_day)}{extended}"

    @property
    def short_message(self) -> str:
        """The same, for a table cell: 填报截止 9月25日 / 总结 9月15日 09:30 起 / 补充已截止."""
        label = SHORT_LABELS[Window(self.window)]
        if self.not_yet_open:
            return f"{label} {format_short(self.opens_at)} 起"
        if self.is_closed:
            return f"{label}已截止"
        last = self.last_day
        return f"{label}截止 {last.month}月{last.day}日" + ("（延期）" if self.extended else "")


def window_state(
    window: Window,
    *,
    campaign,
    at: datetime | None = None,
    opened_at: datetime | None = None,
    extended_to: date | None = None,
) -> WindowState:
    """Is ``window`` of ``campaign`` open at ``at`` (default: now), and until when?

    ``opened_at`` is where an activity's own window starts, if later than the
    campaign's opening (补充活动信息: its first submission; 活动总结: its start).
    ``extended_to`` is a reviewer's 延期 for this activity and window: a later
    last day, never an earlier one.
    """
    last_day = {
        Window.REPORT: campaign.report_closes,
        Window.SUPPLEMENT: campaign.supplement_closes,
        Window.SUMMARY: campaign.summary_closes,
    }[Window(window)]
    opens_at = campaign.opens_at
    if opened_at is not None and opened_at > opens_at:
        opens_at = opened_at
    extended = extended_to is not None and extended_to > last_day
    if extended:
        last_day = extended_to
    return WindowState(
        window=Window(window),
        opens_at=opens_at,
        closes_at=start_of_day(last_day, days_after=1),
        at=at or timezone.now(),
        extended=extended,
    )
