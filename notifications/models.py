"""The outbox: every message to a user is a row, one per channel, sent at most once per key.

Generic on purpose: it knows users and "some object", never activities. Who is
told what, and when, is decided by the apps that own the rules; they hand the
outbox a message with a key that makes it unique.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone


class Message(models.Model):
    class Channel(models.TextChoices):
        SITE = "site", "站内消息"
        SMS = "sms", "短信"

    class State(models.TextChoices):
        QUEUED = "queued", "待发送"
        SENDING = "sending", "发送中"
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败"
        # The recipient's account was 停用 when the message was queued or due to go out.
        SKIPPED = "skipped", "未发送（账号已停用）"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="收件人", on_delete=models.CASCADE, related_name="messages"
    )
    kind = models.CharField("类型", max_length=40)
    key = models.CharField("去重键", max_length=200, help_text="同一键同一渠道只发送一次。")
    channel = models.CharField("渠道", max_length=8, choices=Channel.choices)
    state = models.CharField("状态", max_length=8, choices=State.choices, default=State.QUEUED)
    title = models.CharField("标题", max_length=100)
    body = models.TextField("内容")
    url = models.CharField("链接", max_length=300, blank=True)
    # Real providers send approved templates only: the template's name and its parameters.
    sms_template = models.CharField("短信模板", max_length=40, blank=True)
    sms_params = models.JSONField("短信参数", default=dict, blank=True)
    object_type = models.ForeignKey(ContentType, on_delete=models.SET_NULL, null=True, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    object = GenericForeignKey("object_type", "object_id")
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    claimed_at = models.DateTimeField("开始发送时间", null=True, blank=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("发送次数", default=0)
    last_error = models.TextField("错误", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "消息"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["key", "channel"], name="message_once_per_key_and_channel"),
        ]
        indexes = [
            models.Index(
                fields=["recipient", "channel", "read_at"],
                name="message_unread",
                condition=models.Q(channel="site"),
            ),
            # The delivery sweep takes the oldest queued SMS; the health check counts stuck ones.
            models.Index(
                fields=["id"], name="message_sms_queued", condition=models.Q(channel="sms", state="queued")
            ),
            models.Index(
                fields=["claimed_at"],
                name="message_sms_sending",
                condition=models.Q(channel="sms", state="sending"),
            ),
        ]

    def __str__(self):
        return self.title


class Heartbeat(models.Model):
    """When the beat scheduler last ticked and a worker last ran a task: reminders need both."""

    name = models.CharField(max_length=20, primary_key=True)
    at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "任务心跳"

    def __str__(self):
        return f"{self.name} {self.at:%Y-%m-%d %H:%M:%S}"


class DailyRun(models.Model):
    """A daily job's run (the reminders, the reviewers' digests) for one day, Asia/Shanghai.

    Beat asks for the job every minute; it runs only until it has finished once
    that day (``notifications.services.run_daily``): a worker killed in the middle
    of it, or beat down at the hour, is made good a minute later.
    """

    job = models.CharField("任务", max_length=40)
    day = models.DateField("日期")
    started_at = models.DateTimeField("最近开始于")
    finished_at = models.DateTimeField("完成于", null=True, blank=True)
    attempts = models.PositiveIntegerField("运行次数", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "每日任务"
        constraints = [models.UniqueConstraint(fields=["job", "day"], name="daily_run_once_per_day")]
        ordering = ["-day", "job"]

    def __str__(self):
        return f"{self.job} {self.day}"
