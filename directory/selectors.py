"""Reading the directory: the 归口单位 autocomplete and the region choices."""

import hashlib

from django.core.cache import cache
from django.db.models import Case, IntegerField, Q, Value, When
from django.db.models.functions import Length

from kepuri import microcache

from .jurisdiction import SupervisorType
from .models import Region, SupervisingUnit

AUTOCOMPLETE_LIMIT = 20
AUTOCOMPLETE_SECONDS = 3600
GENERATION = "directory:generation"
Kind = SupervisingUnit.Kind


def forget_units() -> None:
    """The directory changed: every cached autocomplete answer goes."""
    microcache.next_generation(GENERATION)


def autocomplete(*, supervisor_type: str, region_code: str, query: str) -> dict:
    """The autocomplete's answer (units and a hint), kept in the cache until the directory changes."""
    asked = hashlib.md5("\n".join([supervisor_type, region_code, query]).encode(), usedforsecurity=False)
    key = f"directory:autocomplete:{microcache.generation(GENERATION)}:{asked.hexdigest()}"
    return microcache.get_or_make(
        key, lambda: _autocomplete(supervisor_type, region_code, query), AUTOCOMPLETE_SECONDS
    )


def _autocomplete(supervisor_type: str, region_code: str, query: str) -> dict:
    region = Region.objects.filter(code=region_code).select_related("parent").first()
    units = search_units(supervisor_type=supervisor_type, region=region, query=query)
    results = [{"id": unit.pk, "name": unit.name, "short_name": unit.short_name} for unit in units]
    hint = ""
    if supervisor_type in (SupervisorType.PROVINCIAL, SupervisorType.CITY) and region is None:
        hint = "请先选择所在地区"
    elif not results:
        hint = "没有找到匹配的单位，请换个关键词；如不在列表中，可选择“其他”并输入全称"
    return {"results": results, "hint": hint}


def search_units(*, supervisor_type: str, region: Region | None, query: str, limit: int = AUTOCOMPLETE_LIMIT):
    """Active units of ``supervisor_type`` matching ``query`` (part of a name, or pinyin initials).

    For 省科协 and 市科协 only the units of ``region`` (a province or a city)
    are offered, since SPEC §5 allows no other; without a region, none.
    Best matches first: a short name that starts with the query, then the
    shortest names.
    """
    if supervisor_type not in (
        SupervisorType.MINISTRY,
        SupervisorType.SOCIETY,
        SupervisorType.PROVINCIAL,
        SupervisorType.CITY,
    ):
        return SupervisingUnit.objects.none()
    units = SupervisingUnit.objects.active().filter(kind=supervisor_type)
    if supervisor_type == SupervisorType.PROVINCIAL:
        if region is None:
            return SupervisingUnit.objects.none()
        units = units.filter(region_id=region.province.pk)
    elif supervisor_type == SupervisorType.CITY:
        if region is None:
            return SupervisingUnit.objects.none()
        field = "region__parent_id" if region.level == Region.Level.PROVINCE else "region_id"
        units = units.filter(**{field: region.pk})

    query = query.strip()
    if query:
        letters = query.lower()
        units = units.filter(
            Q(name__contains=query)
            | Q(short_name__contains=query)
            | Q(initials__startswith=letters)
            | Q(full_initials__startswith=letters)
        ).annotate(
            rank=Case(
                When(short_name__startswith=query, then=Value(0)),
                When(initials__startswith=letters, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
    else:
        units = units.annotate(rank=Value(0, output_field=IntegerField()))
    return units.order_by("rank", Length("name"), "name").only("pk", "name", "short_name", "kind")[:limit]


def grouped_city_choices():
    """The city-level regions grouped under their provinces, for a <select> with optgroups.

    Regions are reference data (loaded by migrations, read-only in the admin): kept for an hour.
    """
    return cache.get_or_set("directory:grouped-cities", _grouped_city_choices, 3600)


def _grouped_city_choices():
    groups: dict[str, list[tuple[str, str]]] = {}
    for city in Region.objects.cities().select_related("parent").order_by("parent__code", "code"):
        groups.setdefault(city.parent.name, []).append((city.code, city.name))
    return list(groups.items())
