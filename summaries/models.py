from django.conf import settings
from django.db import models
from django.utils import timezone

from activities.models import Activity


def attachment_upload_to(instance, filename):
    return f"activities/{instance.summary.activity.public_code}/summary/{filename}"


class ActivitySummary(models.Model):
    """编辑总结: written once, final once saved (SPEC §6)."""

    activity = models.OneToOneField(Activity, on_delete=models.PROTECT, related_name="summary")
    text = models.TextField("活动总结", max_length=5000)
    participants = models.PositiveIntegerField("活动参与人数")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("提交时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "活动总结"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.activity}的总结"


class SummaryAttachment(models.Model):
    class Kind(models.TextChoices):
        IMAGE = "image", "图片"
        PDF = "pdf", "PDF"

    summary = models.ForeignKey(ActivitySummary, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField("类型", max_length=8, choices=Kind.choices)
    file = models.FileField("文件", upload_to=attachment_upload_to)
    original_name = models.CharField("原文件名", max_length=255, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "总结附件"
        ordering = ["summary", "id"]

    def __str__(self):
        return self.original_name
