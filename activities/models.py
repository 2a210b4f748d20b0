"""Campaigns, and the activities reported for them (SPEC §4–§6).

An activity's own fields hold what the public sees: for an activity never
approved, its latest report; once approved, the approved version. An edit of an
approved activity waits beside it as an ``ActivityChange`` until a reviewer
decides it. Supplements (photos and links) and the summary are added once each.
"""

import secrets
import uuid
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from directory.jurisdiction import SupervisorType
from directory.models import Region, SupervisingUnit

from .deadlines import Window, WindowState, start_of_day, window_state


class CampaignQuerySet(models.QuerySet):
    def current(self, at: datetime | None = None) -> "Campaign | None":
        """SPEC §4: the campaign whose report window opens latest among those already opened."""
        today = timezone.localdate(at or timezone.now())
        return self.filter(report_opens__lte=today).order_by("-report_opens", "-year").first()


class Campaign(models.Model):
    """One year's 全国科普日: its themes, its label, its categories and its four dates.

    Each date means the whole of that day in Asia/Shanghai: the report window
    opens at 00:00 of ``report_opens``, and every window closes at the midnight
    that ends its last day. ``activities.deadlines`` turns the dates into instants.
    """

    year = models.PositiveSmallIntegerField("年度", unique=True)
    name = models.CharField("名称", max_length=50, help_text="如：2020年全国科普日")
    national_theme = models.CharField("全国活动主题", max_length=100)
    label = models.CharField(
        "活动标注", max_length=50, help_text="各类线上线下科普活动须标注的字样，如：2020年全国科普日活动"
    )
    report_opens = models.DateField("活动填报开始日期")
    report_closes = models.DateField("活动填报截止日期")
    supplement_closes = models.DateField("补充活动信息截止日期")
    summary_closes = models.DateField("活动总结截止日期")
    is_demo = models.BooleanField("演示数据", default=False)
    public_screen = models.BooleanField(
        "公开数据大屏",
        default=False,
        help_text="开启后，任何人都可在 /screen/ 查看本年度全国的数据大屏",
    )

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "科普日年度"
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(report_opens__lte=F("report_closes"))
                & Q(report_closes__lte=F("supplement_closes"))
                & Q(report_closes__lte=F("summary_closes")),
                name="campaign_dates_in_order",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        dates = (self.report_opens, self.report_closes, self.supplement_closes, self.summary_closes)
        if None in dates:
            return
        errors = {}
        if self.report_closes < self.report_opens:
            errors["report_closes"] = "活动填报截止日期不能早于开始日期。"
        if self.supplement_closes < self.report_closes:
            errors["supplement_closes"] = "补充活动信息截止日期不能早于活动填报截止日期。"
        if self.summary_closes < self.report_closes:
            errors["summary_closes"] = "活动总结截止日期不能早于活动填报截止日期。"
        if errors:
            raise ValidationError(errors)

    @property
    def opens_at(self) -> datetime:
        """The first instant of the campaign: 00:00 of the report opening date."""
        return start_of_day(self.report_opens)

    @property
    def ends_at(self) -> datetime:
        """The end of the summary deadline's day; an activity's dates lie before it."""
        return start_of_day(self.summary_closes, days_after=1)

    def theme_for(self, province: Region | None) -> str:
        """The province's own theme, if it has one."""
        if province is None:
            return ""
        theme = self.province_themes.filter(province=province).first()
        return theme.theme if theme else ""


class ProvinceTheme(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="province_themes")
    province = models.ForeignKey(
        Region,
        verbose_name="省份",
        on_delete=models.PROTECT,
        limit_choices_to={"level": Region.Level.PROVINCE},
    )
    theme = models.CharField("活动主题", max_length=100)

    class Meta:
        verbose_name = verbose_name_plural = "省级活动主题"
        ordering = ["province__code"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "province"], name="theme_one_per_province"),
        ]

    def __str__(self):
        return f"{self.province.name}：{self.theme}"


class ActivityCategoryQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class ActivityCategory(models.Model):
    """活动类别: the campaign's list, ordered; retired categories stay on old activities."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="categories")
    name = models.CharField("类别", max_length=30)
    position = models.PositiveSmallIntegerField("顺序", default=0)
    is_active = models.BooleanField("可选", default=True)

    objects = ActivityCategoryQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "活动类别"
        ordering = ["campaign", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "name"], name="category_unique_per_campaign"),
        ]

    def __str__(self):
        return self.name


# --- Activities -----------------------------------------------------------------

PUBLIC_CODE_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"  # no 0/o, 1/l/i
PUBLIC_CODE_LENGTH = 8


def new_public_code() -> str:
    """The activity's path on the public site and in its QR code: short, random, never its id."""
    return "".join(secrets.choice(PUBLIC_CODE_ALPHABET) for _ in range(PUBLIC_CODE_LENGTH))


def activity_upload_to(instance, filename):
    return f"activities/{instance.public_code}/{filename}"


def related_upload_to(instance, filename):
    return f"activities/{instance.activity.public_code}/{filename}"


class ActivityQuerySet(models.QuerySet):
    def alive(self):
        return self.filter(deleted_at__isnull=True)


class AliveActivityManager(models.Manager.from_queryset(ActivityQuerySet)):
    """Deleted activities are kept but never found by accident: only ``all_objects`` sees them."""

    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)


class Activity(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        PENDING = "pending", "待审核"
        APPROVED = "approved", "审核通过"
        REJECTED = "rejected", "审核未通过"

    class Type(models.TextChoices):
        ONLINE = "online", "线上"
        OFFLINE = "offline", "线下"
        HYBRID = "hybrid", "线上线下"

    public_code = models.CharField(
        "公开编号", max_length=PUBLIC_CODE_LENGTH, unique=True, default=new_public_code, editable=False
    )
    creation_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="填报账号", on_delete=models.PROTECT, related_name="activities"
    )
    campaign = models.ForeignKey(
        Campaign, verbose_name="科普日年度", on_delete=models.PROTECT, related_name="activities"
    )
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)

    # The report (SPEC §5 step 2); blank while a draft.
    activity_type = models.CharField("活动类型", max_length=10, choices=Type.choices, blank=True)
    name = models.CharField("活动名称", max_length=100)
    starts_at = models.DateTimeField("活动开始时间", null=True, blank=True)
    ends_at = models.DateTimeField("活动结束时间", null=True, blank=True)
    region = models.ForeignKey(
        Region,
        verbose_name="所在地区",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
    )
    category = models.ForeignKey(
        ActivityCategory, verbose_name="活动类别", on_delete=models.PROTECT, null=True, blank=True
    )
    description = models.TextField("活动简介", max_length=2000, blank=True)
    address = models.CharField("活动地址", max_length=200, blank=True)
    url = models.URLField("活动网址", max_length=500, blank=True)
    supervisor_type = models.CharField(
        "归口单位类型", max_length=12, choices=SupervisorType.choices, blank=True
    )
    supervisor = models.ForeignKey(
        SupervisingUnit,
        verbose_name="归口单位",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="chosen_by",
    )
    supervisor_name = models.CharField("归口单位名称（其他）", max_length=100, blank=True)
    hosts = models.JSONField("主办单位", default=list, blank=True)
    organizers = models.JSONField("承办单位", default=list, blank=True)
    poster = models.FileField("活动宣传图", upload_to=activity_upload_to, blank=True)
    poster_list = models.FileField("宣传图（列表）", upload_to=activity_upload_to, blank=True)
    poster_page = models.FileField("宣传图（详情页）", upload_to=activity_upload_to, blank=True)
    is_public = models.BooleanField("是否在云上科普日展示", default=True)

    # The public's counts, kept on the row and changed only by atomic updates (public.services).
    checkin_count = models.PositiveIntegerField("打卡数", default=0)
    like_count = models.PositiveIntegerField("点赞数", default=0)
    favorite_count = models.PositiveIntegerField("收藏数", default=0)
    comment_count = models.PositiveIntegerField("评论数", default=0)
    # Overlapping character pairs of name, organisation and hosts, for the public search (see search.py).
    search_text = models.TextField("检索词", blank=True, editable=False)

    # Who reviews it: its 归口单位, or the 省科协 of its region for 其他 (set on submission).
    owner_unit = models.ForeignKey(
        SupervisingUnit,
        verbose_name="隶属单位",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
    )
    # The organisation as submitted (SPEC §3): a later rename does not change what was reviewed.
    org_name = models.CharField("单位名称（提交时）", max_length=100, blank=True)
    org_contact_name = models.CharField("填报人姓名（提交时）", max_length=50, blank=True)
    org_contact_phone = models.CharField("填报人电话（提交时）", max_length=30, blank=True)

    created_at = models.DateTimeField("创建时间", default=timezone.now, editable=False)
    updated_at = models.DateTimeField("修改时间", default=timezone.now)
    first_submitted_at = models.DateTimeField("首次提交时间", null=True, blank=True)
    submitted_at = models.DateTimeField("最近提交时间", null=True, blank=True)
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    # Set while something waits for a reviewer (a report, or a change of an approved activity):
    # the queue's order, kept by the submission and decision services.
    waiting_since = models.DateTimeField("待审核时间", null=True, blank=True)
    rejection_reason = models.TextField("未通过原因", blank=True)
    supplemented_at = models.DateTimeField("补充信息提交时间", null=True, blank=True)
    summarized_at = models.DateTimeField("总结提交时间", null=True, blank=True)
    deleted_at = models.DateTimeField("删除时间", null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="删除人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = AliveActivityManager()
    all_objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "活动"
        ordering = ["-created_at", "-id"]
        base_manager_name = "all_objects"
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="activity_owner_recent"),
            models.Index(fields=["owner_unit", "status"], name="activity_unit_status"),
            models.Index(fields=["status", "submitted_at"], name="activity_queue"),
            # The review queue's order has its indexes on PostgreSQL (migration 0008: NULLS LAST).
            models.Index(fields=["owner_unit", "waiting_since"], name="activity_unit_waiting"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__isnull=True) | Q(ends_at__isnull=True) | Q(starts_at__lt=F("ends_at")),
                name="activity_starts_before_it_ends",
            ),
        ]

    def __str__(self):
        return self.name or "未命名活动"

    @property
    def is_online(self) -> bool:
        return self.activity_type in (self.Type.ONLINE, self.Type.HYBRID)

    @property
    def is_offline(self) -> bool:
        return self.activity_type in (self.Type.OFFLINE, self.Type.HYBRID)

    @property
    def time_display(self) -> str:
        """活动时间 in local time, the date once when it starts and ends on the same day."""
        if not (self.starts_at and self.ends_at):
            return ""
        start, end = timezone.localtime(self.starts_at), timezone.localtime(self.ends_at)
        if start.date() == end.date():
            return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}"
        return f"{start:%Y-%m-%d %H:%M} 至 {end:%Y-%m-%d %H:%M}"

    @property
    def was_submitted(self) -> bool:
        return self.first_submitted_at is not None

    @property
    def supervisor_display(self) -> str:
        if self.supervisor_type == SupervisorType.OTHER:
            return self.supervisor_name
        return self.supervisor.name if self.supervisor else ""

    def extension_for(self, window: Window) -> date | None:
        """The last day a reviewer's 延期 gives this activity for ``window``, if any."""
        return max((e.last_day for e in self.extensions.all() if e.window == window), default=None)

    def window(self, window: Window, at: datetime | None = None) -> WindowState:
        """This activity's ``window``: the campaign's, from the activity's own opening, with its 延期."""
        opened_at = {
            Window.REPORT: None,
            Window.SUPPLEMENT: self.first_submitted_at,
            Window.SUMMARY: self.starts_at,
        }[window]
        return window_state(
            window, campaign=self.campaign, at=at, opened_at=opened_at, extended_to=self.extension_for(window)
        )

    @property
    def pending_change(self) -> "ActivityChange | None":
        return next((c for c in self.changes.all() if c.status == ActivityChange.Status.PENDING), None)

    @property
    def latest_change(self) -> "ActivityChange | None":
        return max(self.changes.all(), key=lambda c: c.submitted_at, default=None)


class ActivityChange(models.Model):
    """An edit of an approved activity, waiting for review beside the approved version."""

    class Status(models.TextChoices):
        PENDING = "pending", "待审核"
        APPROVED = "approved", "审核通过"
        REJECTED = "rejected", "审核未通过"

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="changes")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    data = models.JSONField("修改内容")
    poster = models.FileField("新宣传图", upload_to=related_upload_to, blank=True)
    poster_list = models.FileField(upload_to=related_upload_to, blank=True)
    poster_page = models.FileField(upload_to=related_upload_to, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField("提交时间", default=timezone.now)
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    rejection_reason = models.TextField("未通过原因", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "活动修改"
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity"],
                condition=Q(status="pending"),
                name="change_one_pending_per_activity",
                violation_error_message="该活动已有待审核的修改",
            ),
        ]

    def __str__(self):
        return f"{self.activity}（修改）"


class ActivityPhoto(models.Model):
    """A photo of 补充活动信息."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField("图片", upload_to=related_upload_to)
    image_list = models.FileField("图片（缩略图）", upload_to=related_upload_to)
    original_name = models.CharField("原文件名", max_length=255, blank=True)
    position = models.PositiveSmallIntegerField("顺序", default=0)
    hidden_at = models.DateTimeField("隐藏时间", null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "活动图片"
        ordering = ["activity", "position", "id"]

    def __str__(self):
        return self.original_name or f"图片{self.position + 1}"


class ActivityLink(models.Model):
    """A video or news link of 补充活动信息 (videos stay on video sites)."""

    class Kind(models.TextChoices):
        VIDEO = "video", "视频链接"
        NEWS = "news", "新闻报道链接"

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="links")
    kind = models.CharField("类型", max_length=8, choices=Kind.choices)
    url = models.URLField("链接", max_length=500)
    position = models.PositiveSmallIntegerField("顺序", default=0)
    hidden_at = models.DateTimeField("隐藏时间", null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "活动链接"
        ordering = ["activity", "kind", "position", "id"]

    def __str__(self):
        return self.url


class DeadlineExtension(models.Model):
    """延期: a later last day for one window of one activity, granted by a reviewer."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="extensions")
    window = models.CharField("窗口", max_length=12, choices=Window.choices)
    last_day = models.DateField("延至（含当日）")
    reason = models.TextField("原因")
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "延期"
        ordering = ["-granted_at"]

    def __str__(self):
        return f"{Window(self.window).label}延至{self.last_day}"


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete an entry of an append-only log."""


class ReviewDecisionQuerySet(models.QuerySet):
    """No change or removal in bulk: ``update()``, ``bulk_update()`` and ``delete()`` refuse.

    Related managers (``activity.decisions``) are made from this queryset: they refuse too.
    """

    def update(self, **kwargs):
        raise AppendOnlyError("The review log is append-only: its entries are never updated.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError("The review log is append-only: its entries are never updated.")

    def delete(self):
        raise AppendOnlyError("The review log is append-only: its entries are never deleted.")


class ReviewDecision(models.Model):
    """The append-only log of every status transition of an activity or of its change.

    Held at three levels: the admin offers no change or delete, the model refuses
    to save an existing entry or delete one (here and in its querysets), and on
    PostgreSQL a trigger (migration 0007) refuses any UPDATE or DELETE of its rows,
    whatever the client. Emptying the whole table (TRUNCATE, as a test teardown
    or a restore does) stays possible.
    """

    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="decisions")
    change = models.ForeignKey(
        ActivityChange, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("时间", default=timezone.now)

    class State(models.TextChoices):
        DRAFT = "draft", "草稿"
        PENDING = "pending", "待审核"
        APPROVED = "approved", "审核通过"
        REJECTED = "rejected", "审核未通过"
        CHANGE_PENDING = "change_pending", "修改待审核"
        CHANGE_REJECTED = "change_rejected", "修改未通过"

    from_status = models.CharField("原状态", max_length=20, choices=State.choices)
    to_status = models.CharField("新状态", max_length=20, choices=State.choices)
    reason = models.TextField("原因", blank=True)

    objects = ReviewDecisionQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "审核记录"
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.from_status} → {self.to_status}"

    def save(self, **kwargs):
        """Insert, once: an entry read back from the database, or one given an existing id, is refused."""
        if not self._state.adding or kwargs.get("force_update") or kwargs.get("update_fields") is not None:
            raise AppendOnlyError("The review log is append-only: an entry is written once, never updated.")
        super().save(**{**kwargs, "force_insert": True})

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The review log is append-only: its entries are never deleted.")


class StagedPoster(models.Model):
    """A poster that passed its checks on a form that failed elsewhere, kept for the next try."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    original_name = models.CharField(max_length=255, blank=True)
    poster = models.FileField(upload_to="staged/")
    poster_list = models.FileField(upload_to="staged/")
    poster_page = models.FileField(upload_to="staged/")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return self.original_name


class DiscardedFile(models.Model):
    """A stored file that nothing shows any more, deleted from storage by beat after ``delete_after``.

    Django deletes no file when a field changes: whoever replaces a poster notes the
    old one here (``activities.files.discard``), and the sweep deletes it once the
    grace period is over — unless a row names it again by then.
    """

    class Reason(models.TextChoices):
        STAGED = "staged", "已使用的暂存宣传图"
        REPLACED = "replaced", "被替换的宣传图"
        REFUSED = "refused", "未通过审核的修改中的宣传图"

    name = models.CharField("文件", max_length=255, unique=True)
    reason = models.CharField("原因", max_length=10, choices=Reason.choices)
    discarded_at = models.DateTimeField("弃用时间", default=timezone.now)
    delete_after = models.DateTimeField("删除时间", db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "待删除文件"

    def __str__(self):
        return self.name
