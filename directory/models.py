"""Reference data: the regions an activity is located in, and the supervising units (归口单位).

Regions are the 所在地区 choices of SPEC §4: 32 province-level entries and 449
city-level choices under them, each with its official division code (the one
exception, 新疆生产建设兵团, has none; see ``data/regions-2020.csv``).

Supervising units form a shallow tree fixed by their kinds: 中国科协 at the root;
部委, 全国学会 and the 32 省科协 under it; one city-level 科协 under each 省科协 per
city-level region. The kinds bound the depth at three, so "a unit and all below
it" is three joins, not a recursive query.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone


class RegionQuerySet(models.QuerySet):
    def provinces(self):
        return self.filter(level=Region.Level.PROVINCE)

    def cities(self):
        return self.filter(level=Region.Level.CITY)


class Region(models.Model):
    class Level(models.TextChoices):
        PROVINCE = "province", "省级"
        CITY = "city", "市级"

    code = models.CharField("区划代码", max_length=6, unique=True)
    name = models.CharField("名称", max_length=50)
    level = models.CharField("级别", max_length=8, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="所属省份",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "地区"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level="province", parent__isnull=True) | Q(level="city", parent__isnull=False),
                name="region_city_has_province",
            ),
        ]

    def __str__(self):
        return self.name if self.parent_id is None else f"{self.parent.name}—{self.name}"

    @property
    def province(self) -> "Region":
        """The province-level entry: itself, or its parent."""
        return self if self.level == self.Level.PROVINCE else self.parent


class SupervisingUnitQuerySet(models.QuerySet):
    def active(self):
        return self.filter(retired_at__isnull=True)


class SupervisingUnit(models.Model):
    """A unit that mobilises and reviews activities: a 科协, a 部委 or a 全国学会."""

    class Kind(models.TextChoices):
        CAST = "cast", "中国科协"
        MINISTRY = "ministry", "部委"
        SOCIETY = "society", "全国学会"
        PROVINCIAL = "provincial", "省科协"
        CITY = "city", "市科协"

    # The kind each kind hangs under.
    PARENT_KIND = {
        Kind.CAST: None,
        Kind.MINISTRY: Kind.CAST,
        Kind.SOCIETY: Kind.CAST,
        Kind.PROVINCIAL: Kind.CAST,
        Kind.CITY: Kind.PROVINCIAL,
    }
    REGION_LEVEL = {Kind.PROVINCIAL: Region.Level.PROVINCE, Kind.CITY: Region.Level.CITY}

    name = models.CharField("全称", max_length=100, unique=True, error_messages={"unique": "已有同名单位"})
    short_name = models.CharField("简称", max_length=50, blank=True)
    kind = models.CharField("类型", max_length=12, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    region = models.ForeignKey(
        Region,
        verbose_name="所辖地区",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="units",
        help_text="省科协、市科协必填：其所辖的省或市。",
    )
    initials = models.CharField(
        "拼音首字母", max_length=60, blank=True, editable=False, help_text="简称的拼音首字母，供检索。"
    )
    full_initials = models.CharField("全称拼音首字母", max_length=120, blank=True, editable=False)
    retired_at = models.DateTimeField("停用时间", null=True, blank=True)
    is_demo = models.BooleanField("演示数据", default=False)
    created_at = models.DateTimeField("创建时间", default=timezone.now, editable=False)

    objects = SupervisingUnitQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "归口单位"
        ordering = ["kind", "region__code", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind"],
                condition=Q(kind="cast"),
                name="unit_one_cast",
                violation_error_message="中国科协只能有一个",
            ),
            models.UniqueConstraint(
                fields=["region"],
                condition=Q(kind="provincial"),
                name="unit_one_provincial_per_region",
                violation_error_message="每个省只能有一个省科协",
            ),
            models.UniqueConstraint(
                fields=["region"],
                condition=Q(kind="city"),
                name="unit_one_city_per_region",
                violation_error_message="每个市只能有一个市科协",
            ),
            models.CheckConstraint(
                condition=Q(kind="cast", parent__isnull=True) | (~Q(kind="cast") & Q(parent__isnull=False)),
                name="unit_only_the_root_has_no_parent",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["provincial", "city"], region__isnull=False)
                | (~Q(kind__in=["provincial", "city"]) & Q(region__isnull=True)),
                name="unit_region_for_kexie_only",
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "initials"], name="unit_kind_initials"),
        ]

    def __str__(self):
        return self.short_name or self.name

    def clean(self):
        """The tree's shape: each kind under its parent kind, 科协 with a region of their level."""
        errors = {}
        label = self.Kind(self.kind).label if self.kind in self.Kind.values else "该单位"
        parent_kind = self.PARENT_KIND.get(self.kind)
        if parent_kind is None and self.parent_id:
            errors["parent"] = "中国科协是最上级单位，不能有上级单位。"
        elif parent_kind and (self.parent is None or self.parent.kind != parent_kind):
            errors["parent"] = f"{label}的上级单位应为{self.Kind(parent_kind).label}。"
        level = self.REGION_LEVEL.get(self.kind)
        if level and (self.region is None or self.region.level != level):
            errors["region"] = f"{label}须选择所辖的{Region.Level(level).label}地区。"
        elif not level and self.region_id:
            errors["region"] = "只有省科协、市科协有所辖地区。"
        if (
            self.kind == self.Kind.CITY
            and "parent" not in errors
            and "region" not in errors
            and self.parent.region_id != self.region.parent_id
        ):
            errors["parent"] = "市科协的上级单位应为其所在省的省科协。"
        if errors:
            raise ValidationError(errors)

    @property
    def is_active(self) -> bool:
        return self.retired_at is None

    @property
    def display_name(self) -> str:
        return self.short_name or self.name
