from django.db import models


class SentSms(models.Model):
    """A message as the ``database`` backend recorded it (tests only)."""

    phone = models.CharField("手机号码", max_length=11, db_index=True)
    template = models.CharField("模板", max_length=64)
    params = models.JSONField("参数", default=dict)
    text = models.TextField("内容")
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "已发短信（测试）"
        ordering = ["id"]

    def __str__(self):
        return f"{self.phone}: {self.text}"
