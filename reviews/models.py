"""The reviewers' side: who reviews for which unit, recommendations, exports, the statistics aggregate."""

import uuid

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.utils import timezone

from activities.models import Activity, ActivityCategory, Campaign
from directory.models import Region, SupervisingUnit


class ReviewerRole(models.Model):
    """A staff member of a supervising unit, with its review rights; admins grant and revoke it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核员",
        on_delete=models.CASCADE,
        related_name="reviewer_roles",
    )
    unit = models.ForeignKey(
        SupervisingUnit, verbose_name="所属单位", on_delete=models.PROTECT, related_name="reviewers"
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="授权人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    granted_at = models.DateTimeField("授权时间", default=timezone.now)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="撤销人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = verbose_name_plural = "审核员"
        ordering = ["unit", "-granted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(revoked_at__isnull=True),
                name="reviewer_one_unit_at_a_time",
                violation_error_message="该用户已是某单位的审核员，请先撤销原授权",
            ),
        ]

    def __str__(self):
        return f"{self.user}（{self.unit}）"


class Recommendation(models.Model):
    """推荐: a city-level 科协 to its 省科协, a 省科协 to 中国科协, an activity or its organisation."""

    class Kind(models.TextChoices):
        ACTIVITY = "activity", "特色活动"
        ORGANIZATION = "organization", "优秀活动组织单位"

    kind = models.CharField("推荐类型", max_length=12, choices=Kind.choices)
    activity = models.ForeignKey(
        Activity, verbose_name="活动", on_delete=models.PROTECT, related_name="recommendations"
    )
    organization_name = models.CharField("单位名称", max_length=100, blank=True)
    from_unit = models.ForeignKey(
        SupervisingUnit,
        verbose_name="推荐单位",
        on_delete=models.PROTECT,
        related_name="recommendations_made",
    )
    to_unit = models.ForeignKey(
        SupervisingUnit,
        verbose_name="推荐给",
        on_delete=models.PROTECT,
        related_name="recommendations_received",
    )
    note = models.TextField("推荐理由", max_length=1000)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="推荐人", on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField("推荐时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "推荐"
        ordering = ["-at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "activity", "from_unit"],
                name="recommend_once",
                violation_error_message="已推荐过",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}：{self.organization_name or self.activity}"


class BackgroundJob(models.Model):
    """What a reviewer started and follows on a progress bar: its state and how far it got."""

    class State(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "进行中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(SupervisingUnit, on_delete=models.PROTECT, related_name="+")
    state = models.CharField("状态", max_length=8, choices=State.choices, default=State.QUEUED)
    total = models.PositiveIntegerField("总数", default=0)
    done = models.PositiveIntegerField("已完成", default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    @property
    def percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0


class BulkApproval(BackgroundJob):
    """批量审核通过 of every activity matching a queue's filters, one decision at a time."""

    query = models.TextField("筛选条件", blank=True)
    expected = models.PositiveIntegerField("确认时的数量", default=0)
    approved = models.PositiveIntegerField("已审核通过", default=0)
    refused = models.PositiveIntegerField("未处理", default=0)
    notes = models.TextField("未处理的原因", blank=True)

    class Meta(BackgroundJob.Meta):
        verbose_name = verbose_name_plural = "批量审核"

    def __str__(self):
        return f"批量审核通过 {self.created_at:%Y-%m-%d %H:%M}"


private_storage = FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT)


class ExportJob(BackgroundJob):
    """An XLSX export of a reviewer's read set, built in the background."""

    file = models.FileField(storage=private_storage, upload_to="exports/", blank=True)

    class Meta(BackgroundJob.Meta):
        verbose_name = verbose_name_plural = "导出任务"

    def __str__(self):
        return f"导出 {self.created_at:%Y-%m-%d %H:%M}"


# --- 统计: the aggregate the statistics page reads (built by reviews.statistics.rebuild) ----------
# Derived rows, replaced whole on each rebuild: no foreign-key constraints to check on insert,
# and only the indexes the page's jurisdiction filter (reviews.statistics) uses.
_DERIVED = {"on_delete": models.DO_NOTHING, "db_constraint": False, "db_index": False, "related_name": "+"}


class StatisticsState(models.Model):
    """The one row saying when the aggregate was last rebuilt; a rebuild locks it."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    refreshed_at = models.DateTimeField("数据更新时间", null=True, blank=True)
    duration_ms = models.PositiveIntegerField("重算耗时（毫秒）", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "统计数据状态"

    def __str__(self):
        return (
            f"统计数据（{self.refreshed_at:%Y-%m-%d %H:%M}）" if self.refreshed_at else "统计数据（未生成）"
        )


class _Tally(models.Model):
    """A row of the aggregate: a campaign's figures of one unit in one region, which is what the
    read set's rule (``directory.jurisdiction.readable_q``) filters by."""

    campaign = models.ForeignKey(Campaign, verbose_name="科普日年度", **_DERIVED)
    owner_unit = models.ForeignKey(SupervisingUnit, verbose_name="隶属单位", null=True, **_DERIVED)
    region = models.ForeignKey(Region, verbose_name="所在地区", null=True, **_DERIVED)

    class Meta:
        abstract = True


def _scope_indexes(prefix: str) -> list[models.Index]:
    """For the two halves of ``readable_q``: the units a reviewer decides, the regions they read."""
    return [
        models.Index(fields=["campaign", "owner_unit"], name=f"{prefix}_campaign_unit"),
        models.Index(fields=["campaign", "region"], name=f"{prefix}_campaign_region"),
    ]


class ActivityTally(_Tally):
    """Submitted activities counted by campaign, unit, region, status, 活动类型 and 活动类别, with
    their page views and shares (the audience flush's totals as of the rebuild)."""

    province = models.ForeignKey(Region, verbose_name="所在省份", null=True, **_DERIVED)
    status = models.CharField("状态", max_length=10, choices=Activity.Status.choices)
    activity_type = models.CharField("活动类型", max_length=10, choices=Activity.Type.choices, blank=True)
    category = models.ForeignKey(ActivityCategory, verbose_name="活动类别", null=True, **_DERIVED)
    count = models.PositiveIntegerField("活动数")
    summaries = models.PositiveIntegerField("已提交总结")
    participants = models.PositiveBigIntegerField("参与人数")
    views = models.PositiveBigIntegerField("浏览量", default=0)
    shares = models.PositiveBigIntegerField("分享数", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "活动统计"
        indexes = _scope_indexes("tally")

    def __str__(self):
        return f"{self.campaign_id}/{self.owner_unit_id}/{self.region_id}/{self.status}: {self.count}"


class DailyTally(_Tally):
    """Submissions and decisions of the review log, per day (Asia/Shanghai), unit and region."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", "提交"
        APPROVED = "approved", "审核通过"
        REJECTED = "rejected", "审核未通过"

    day = models.DateField("日期")
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    count = models.PositiveIntegerField("次数")

    class Meta:
        verbose_name = verbose_name_plural = "每日审核统计"
        indexes = _scope_indexes("daily")

    def __str__(self):
        return f"{self.day} {self.kind}: {self.count}"
