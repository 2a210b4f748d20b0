from django.conf import settings
from django.db import models


class Organization(models.Model):
    """单位信息: the one organisation behind an organiser account (SPEC §3).

    Filling it makes a user an organiser. When an activity is submitted, its
    name and contact are copied onto the activity, so a later edit here does
    not change what was reviewed.
    """

    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="填报账号",
        on_delete=models.PROTECT,
        related_name="organization",
    )
    name = models.CharField("单位名称", max_length=100)
    contact_name = models.CharField("填报人姓名", max_length=50)
    contact_phone = models.CharField("填报人电话", max_length=30)
    address = models.CharField("单位地址", max_length=200)
    description = models.TextField("单位简介", max_length=1000, blank=True)
    created_at = models.DateTimeField("填写时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "单位信息"
        ordering = ["-updated_at"]

    def __str__(self):
        return self.name
