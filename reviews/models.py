"""The reviewers' side: who reviews for which unit, recommendations, exports."""

import uuid

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.utils import timezone

from activities.models import Activity
from directory.models import SupervisingUnit


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


private_storage = FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT)


class ExportJob(models.Model):
    """An XLSX export of a reviewer's read set, built in the background."""

    class State(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "生成中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(SupervisingUnit, on_delete=models.PROTECT, related_name="+")
    state = models.CharField("状态", max_length=8, choices=State.choices, default=State.QUEUED)
    total = models.PositiveIntegerField("总行数", default=0)
    done = models.PositiveIntegerField("已完成行数", default=0)
    file = models.FileField(storage=private_storage, upload_to="exports/", blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "导出任务"
        ordering = ["-created_at"]

    def __str__(self):
        return f"导出 {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0
