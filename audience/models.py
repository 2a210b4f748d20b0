"""Page views and shares, in daily rows written by the flush (``audience.flush``).

A view or a share costs its request an addition in memory (``audience.counting``); the
flush adds what was counted to these tables every few minutes, in one transaction per
batch:

- ``ActivityReachDay``: an activity's views and shares on a day (Asia/Shanghai);
- ``ActivityReach``: its totals, always the sum of its days (written in the same
  transaction), with its campaign and region copied for rankings by scope;
- ``RegionReachDay``: a day's views and shares of a campaign's activities per region
  (city, or province where the activity has no city), for the 数据大屏's series and
  rankings without reading millions of rows;
- ``PageViewDay``: the views of the pages that are not an activity's (首页, 活动列表);
- ``FlushedBatch``: the batches already added, so that a batch is never added twice.
"""

from django.db import models

from activities.models import Activity, Campaign
from directory.models import Region

# The flush writes hundreds of thousands of rows at once, each made from a join with the activities:
# no foreign-key trigger checks them again at commit (14 s of a 60 s flush at 500,000), and no
# single-column index is kept where a composite one starts with the column.
UNCHECKED = {"db_constraint": False, "related_name": "+"}


class ActivityReach(models.Model):
    activity = models.OneToOneField(
        Activity,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="reach",
        verbose_name="活动",
        db_constraint=False,
    )
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, db_index=False, **UNCHECKED)
    region = models.ForeignKey(Region, on_delete=models.CASCADE, null=True, db_index=False, **UNCHECKED)
    province = models.ForeignKey(Region, on_delete=models.CASCADE, null=True, db_index=False, **UNCHECKED)
    views = models.PositiveBigIntegerField("浏览量", default=0)
    shares = models.PositiveBigIntegerField("分享数", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "活动浏览与分享"
        indexes = [
            models.Index(fields=["campaign", "-views"], name="reach_campaign_views"),
            models.Index(fields=["province", "-views"], name="reach_province_views"),
            models.Index(fields=["region", "-views"], name="reach_region_views"),
        ]

    def __str__(self):
        return f"{self.activity_id}：浏览 {self.views}，分享 {self.shares}"


class ActivityReachDay(models.Model):
    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="reach_days", db_constraint=False, db_index=False
    )
    day = models.DateField("日期")
    views = models.PositiveBigIntegerField("浏览量", default=0)
    shares = models.PositiveBigIntegerField("分享数", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "活动每日浏览与分享"
        constraints = [models.UniqueConstraint(fields=["activity", "day"], name="reach_day_one_per_activity")]

    def __str__(self):
        return f"{self.activity_id} {self.day}：浏览 {self.views}，分享 {self.shares}"


class RegionReachDay(models.Model):
    day = models.DateField("日期")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, db_index=False, **UNCHECKED)
    region = models.ForeignKey(Region, on_delete=models.CASCADE, db_index=False, **UNCHECKED)
    province = models.ForeignKey(Region, on_delete=models.CASCADE, db_index=False, **UNCHECKED)
    views = models.PositiveBigIntegerField("浏览量", default=0)
    shares = models.PositiveBigIntegerField("分享数", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "地区每日浏览与分享"
        constraints = [
            models.UniqueConstraint(fields=["campaign", "day", "region"], name="region_reach_day_unique")
        ]
        indexes = [models.Index(fields=["campaign", "province", "day"], name="region_reach_province_day")]

    def __str__(self):
        return f"{self.region_id} {self.day}：浏览 {self.views}，分享 {self.shares}"


class PageViewDay(models.Model):
    class Page(models.TextChoices):
        HOME = "home", "首页"
        LIST = "list", "活动列表"

    day = models.DateField("日期")
    page = models.CharField("页面", max_length=10, choices=Page.choices)
    views = models.PositiveBigIntegerField("浏览量", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "页面每日浏览量"
        constraints = [models.UniqueConstraint(fields=["day", "page"], name="page_view_day_unique")]

    def __str__(self):
        return f"{self.get_page_display()} {self.day}：浏览 {self.views}"


class FlushedBatch(models.Model):
    id = models.CharField(primary_key=True, max_length=40)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    counted = models.PositiveIntegerField(default=0)

    def __str__(self):
        return self.id
