"""What the public does with an activity: 打卡, 点赞, 收藏, 评论.

One row per user and activity for the first three (a database constraint);
the counts shown on pages live on the activity's row and move by atomic
updates in ``public.services``.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from activities.models import Activity


class _PerUser(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["-created_at"]


class CheckIn(_PerUser):
    class Meta(_PerUser.Meta):
        verbose_name = verbose_name_plural = "打卡"
        constraints = [models.UniqueConstraint(fields=["user", "activity"], name="checkin_once")]

    def __str__(self):
        return f"{self.user} 打卡 {self.activity}"


class Like(_PerUser):
    class Meta(_PerUser.Meta):
        verbose_name = verbose_name_plural = "点赞"
        constraints = [models.UniqueConstraint(fields=["user", "activity"], name="like_once")]

    def __str__(self):
        return f"{self.user} 点赞 {self.activity}"


class Favorite(_PerUser):
    class Meta(_PerUser.Meta):
        verbose_name = verbose_name_plural = "收藏"
        constraints = [models.UniqueConstraint(fields=["user", "activity"], name="favorite_once")]

    def __str__(self):
        return f"{self.user} 收藏 {self.activity}"


class CommentQuerySet(models.QuerySet):
    def visible(self):
        return self.filter(deleted_at__isnull=True, hidden_at__isnull=True)


class Comment(models.Model):
    MAX_LENGTH = 500

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments")
    text = models.TextField("评论", max_length=MAX_LENGTH)
    created_at = models.DateTimeField("时间", default=timezone.now)
    deleted_at = models.DateTimeField("删除时间", null=True, blank=True)
    hidden_at = models.DateTimeField("隐藏时间", null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = CommentQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "评论"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["activity", "-created_at"], name="comment_recent")]

    def __str__(self):
        return self.text[:30]
