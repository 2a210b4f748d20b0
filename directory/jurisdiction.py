"""Jurisdiction: which unit an activity belongs to, and what a unit may decide and read.

SPEC §7. An activity belongs to its 归口单位, or, when the organiser chose 其他,
to the 省科协 of its 所在地区 (河北省—保定市 → 河北省科协; 石河子市 →
新疆生产建设兵团科协). A reviewer decides the activities of their unit and of
every unit below it; a 省科协 or city-level 科协 reviewer also reads (statistics,
export, recommendations) every activity located in its region.

This module knows units and regions only; the activities app asks it with the
names of its own fields (``readable_q``), so that every list, count and export
builds on one definition.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from .models import Region, SupervisingUnit

Kind = SupervisingUnit.Kind


class SupervisorType(models.TextChoices):
    """What the organiser chooses as 归口单位 (the seed's five types)."""

    MINISTRY = Kind.MINISTRY.value, "部委"
    SOCIETY = Kind.SOCIETY.value, "全国学会"
    PROVINCIAL = Kind.PROVINCIAL.value, "省科协"
    CITY = Kind.CITY.value, "市科协"
    OTHER = "other", "其他"


def provincial_unit_of(region: Region) -> SupervisingUnit:
    """The 省科协 of the province that ``region`` (a province or a city) lies in."""
    return SupervisingUnit.objects.get(kind=Kind.PROVINCIAL, region_id=region.province.pk)


def unit_matches_region(unit: SupervisingUnit, region: Region) -> bool:
    """Whether ``unit`` may be chosen for an activity in ``region`` (a city-level choice).

    A 省科协 must be that of the region's province, a city-level 科协 that of the
    region itself; 部委 and 全国学会 are national and fit anywhere.
    """
    if unit.kind == Kind.PROVINCIAL:
        return unit.region_id == region.province.pk
    if unit.kind == Kind.CITY:
        return unit.region_id == region.pk
    return unit.kind in (Kind.MINISTRY, Kind.SOCIETY)


def validate_supervisor(
    *, supervisor_type: str, unit: SupervisingUnit | None, region: Region | None, other_name: str = ""
) -> None:
    """Refuse a 归口单位 choice that SPEC §5 does not allow, with a message per field.

    其他 needs the full name typed in; the four other types need an active unit
    of that type, and a 省科协 / 市科协 must be that of the activity's region.
    """
    if supervisor_type == SupervisorType.OTHER:
        if not other_name.strip():
            raise ValidationError({"supervisor_name": "请输入归口单位名称全称"})
        return
    label = SupervisorType(supervisor_type).label
    if unit is None:
        raise ValidationError({"supervisor": "请输入单位名称，并从检索结果中选择归口单位"})
    if unit.kind != supervisor_type or not unit.is_active:
        raise ValidationError({"supervisor": f"所选单位不是可选的{label}"})
    if region is not None and not unit_matches_region(unit, region):
        raise ValidationError({"supervisor": f"{label}须为所在地区的{label}"})


def owning_unit(*, supervisor_type: str, unit: SupervisingUnit | None, region: Region) -> SupervisingUnit:
    """The unit an activity belongs to, from what the organiser chose."""
    if supervisor_type == SupervisorType.OTHER:
        return provincial_unit_of(region)
    if unit is None:
        raise ValueError("a unit is needed unless the type is 其他")
    return unit


def decide_units(unit: SupervisingUnit):
    """The units whose activities a reviewer of ``unit`` decides: itself and all below it."""
    return SupervisingUnit.objects.filter(Q(pk=unit.pk) | Q(parent_id=unit.pk) | Q(parent__parent_id=unit.pk))


def read_regions(unit: SupervisingUnit):
    """The city-level regions whose activities a reviewer of ``unit`` reads, whatever their 归口."""
    if unit.kind == Kind.PROVINCIAL:
        return Region.objects.filter(parent_id=unit.region_id)
    if unit.kind == Kind.CITY:
        return Region.objects.filter(pk=unit.region_id)
    return Region.objects.none()


def decide_q(unit: SupervisingUnit, *, unit_field: str, units=None) -> Q:
    """A filter for the objects (by their ``unit_field``) that ``unit`` decides.

    ``units``: the ids of ``decide_units(unit)`` when the caller has them already (``scope_ids``),
    which lets the database plan with the values rather than a subquery.
    """
    if unit.kind == Kind.CAST:  # the root decides whatever has a unit: no list of 700 ids to check
        return Q(**{f"{unit_field}__isnull": False})
    return Q(**{f"{unit_field}__in": decide_units(unit) if units is None else units})


def readable_q(unit: SupervisingUnit, *, unit_field: str, region_field: str, units=None, regions=None) -> Q:
    """A filter for the objects ``unit`` may read: its decide set, plus all located in its region."""
    regions = read_regions(unit) if regions is None else regions
    return decide_q(unit, unit_field=unit_field, units=units) | Q(**{f"{region_field}__in": regions})


def scope_ids(unit: SupervisingUnit) -> dict[str, list[int]]:
    """The ids of ``decide_units`` and ``read_regions`` of ``unit`` (none listed for 中国科协)."""
    if unit.kind == Kind.CAST:
        return {"units": [], "regions": []}
    return {
        "units": list(decide_units(unit).values_list("pk", flat=True)),
        "regions": list(read_regions(unit).values_list("pk", flat=True)),
    }
