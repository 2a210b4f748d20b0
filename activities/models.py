"""Campaigns (科普日年度) with their themes, categories and deadlines.

The activity itself and the wizard arrive with their issue.
"""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from directory.models import Region

from .deadlines import start_of_day


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
