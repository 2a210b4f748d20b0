"""数据大屏: the season's figures of one scope on one screen, refreshed every minute by one JSON request.

**Scopes** follow the read sets of 统计 (``reviews.statistics``, ``directory.jurisdiction``):

- ``national``: 中国科协, and the public ``/screen/`` when the admin turned it on
  (``Campaign.public_screen``): the whole country, by province;
- ``units``: a 部委 or a 全国学会: its own activities (its read set), by province;
- ``province``: a 省科协: its province, by city;
- ``city``: a city-level 科协: its city.

**Where each figure comes from**: aggregates and indexes, never the activities scanned on a
request; a fixed number of queries whatever the data size (``tests/reviews/test_screen.py``), a
few tens of milliseconds at 500,000 activities and 10 million views (``bench/screen.py``).

- 活动数 and 参与人数 (participants as ``summaries.selectors.participants`` defines them) are 统计's
  (``statistics.page``: the same numbers, filtered by the same read-set rule, as of the aggregate's
  last rebuild every ``STATS_REFRESH_MINUTES``, and kept until the next one for the unit's 统计
  page and screen alike). So are the ranking's activities and participants, the daily
  submissions and the 活动类别 breakdown.
- 浏览量 and 分享数 are the audience flush's daily rows (``audience.models``, every
  ``AUDIENCE_FLUSH_SECONDS``): per region (``RegionReachDay``) for the whole country, a province
  or a city, and for the whole country the views of the home page and the list too
  (``audience.figures.season_pages``, from the day 填报 opened), as ``season_reach`` counts the
  season. A 省科协's and a city's are those of the pages of the activities located in its region:
  a 科协 reads what is located there and what it decides, and what it decides is located there
  too (a 省科协 or 市科协 is chosen only for its own region, ``jurisdiction.unit_matches_region``;
  其他 goes to the region's 省科协). A 部委's or 全国学会's activities lie anywhere, so no region's
  rows hold theirs: beat sums them per unit (``ranked``), as of its last run.
- 今日 (Asia/Shanghai): activities first submitted today (through the submissions' index), today's
  rows of views and shares, and for participants the growth since the day began: the figure is
  kept per scope with its day (``_growth_today``), and the first one of a day starts from the last
  one of the day before. Check-ins belong to the public site (``public``, above this app) and no
  dated count of them is within reach here, so after an evening nobody watched, a day starts from
  its first figure.
- The ten most viewed activities (approved, shown): the reach totals walked in the order of their
  views indexes until ten are found; the ten most liked: among each city's ten most liked, which
  beat ranks in one pass (``ranked``; likes are counters on the activities' rows, unindexed).

The JSON of a scope is kept in the shared cache for ``SECONDS`` (``json_of``), so a wall of screens
costs one computation per scope and period; ``build`` makes it afresh (the benchmark times it).
"""

import heapq
import itertools
import json
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import F, Q, Sum, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import timezone

from activities.deadlines import start_of_day
from activities.models import Activity, Campaign
from audience import figures, flush
from audience.models import ActivityReach, ActivityReachDay, RegionReachDay
from directory import jurisdiction
from directory.models import Region, SupervisingUnit
from kepuri import microcache

from . import access
from . import statistics as stats

NATIONAL, UNITS, PROVINCE, CITY = "national", "units", "province", "city"
# Units whose activities lie anywhere: their screens rank their own.
NATIONAL_UNITS = (SupervisingUnit.Kind.MINISTRY, SupervisingUnit.Kind.SOCIETY)
SECONDS = 30  # how long a scope's JSON is kept: the screens ask every minute
REFRESH_SECONDS = 60  # how often the page asks (``data-refresh`` on the page; ``?refresh=`` overrides)
TOP = 10
FIGURES = ("activities", "participants", "views", "shares")
DAY_START_KEPT = 3 * 24 * 3600

# The tile map: each provincial-level division a square in its approximate place, (row, column) on
# a 9 × 9 grid, north at the top. No boundary is drawn (a map of China needs an approved 审图号):
# only squares. 台湾, 香港 and 澳门 have no region in the 2020 list, so their squares stay empty;
# 新疆生产建设兵团 (660000, our own code) sits beside 新疆.
TILES = (
    ("230000", "黑龙江", 0, 8),
    ("220000", "吉林", 1, 8),
    ("150000", "内蒙古", 2, 5), ("110000", "北京", 2, 6), ("120000", "天津", 2, 7), ("210000", "辽宁", 2, 8),
    ("650000", "新疆", 3, 1), ("660000", "兵团", 3, 0), ("640000", "宁夏", 3, 4), ("140000", "山西", 3, 5),
    ("130000", "河北", 3, 6), ("370000", "山东", 3, 7),
    ("630000", "青海", 4, 2), ("620000", "甘肃", 4, 3), ("610000", "陕西", 4, 4), ("410000", "河南", 4, 5),
    ("320000", "江苏", 4, 6), ("310000", "上海", 4, 7),
    ("540000", "西藏", 5, 1), ("510000", "四川", 5, 3), ("500000", "重庆", 5, 4), ("420000", "湖北", 5, 5),
    ("340000", "安徽", 5, 6), ("330000", "浙江", 5, 7),
    ("530000", "云南", 6, 3), ("520000", "贵州", 6, 4), ("430000", "湖南", 6, 5), ("360000", "江西", 6, 6),
    ("350000", "福建", 6, 7), ("710000", "台湾", 6, 8),
    ("450000", "广西", 7, 4), ("440000", "广东", 7, 5), ("810000", "香港", 7, 6),
    ("460000", "海南", 8, 4), ("820000", "澳门", 8, 5),
)  # fmt: skip
SHORT_NAMES = {code: short for code, short, _, _ in TILES}


@dataclass(frozen=True)
class Scope:
    """What one screen shows: the read set of ``unit`` (中国科协's for the whole country)."""

    kind: str
    unit_id: int | None = None  # None: the whole country (中国科协, or the public)
    region_id: int | None = None  # a 省科协's province, a city-level 科协's city

    @property
    def key(self) -> str:
        return NATIONAL if self.kind == NATIONAL else f"{self.kind}:{self.unit_id}"

    @property
    def area(self) -> str | None:
        """What the ranking ranks: provinces, the cities of a province, or nothing (a city)."""
        return {NATIONAL: PROVINCE, UNITS: PROVINCE, PROVINCE: CITY}.get(self.kind)


def national() -> Scope:
    return Scope(NATIONAL)


def scope_of(unit: SupervisingUnit) -> Scope:
    """The screen of ``unit``'s reviewers, by the kind of unit (as 统计 breaks its figures down)."""
    Kind = SupervisingUnit.Kind
    if unit.kind == Kind.CAST:
        return national()
    if unit.kind == Kind.PROVINCIAL:
        return Scope(PROVINCE, unit.pk, unit.region_id)
    if unit.kind == Kind.CITY:
        return Scope(CITY, unit.pk, unit.region_id)
    return Scope(UNITS, unit.pk)


# --- the JSON, kept -----------------------------------------------------------------------------


def json_of(scope: Scope) -> bytes | None:
    """The scope's JSON (``build``), kept ``SECONDS`` in the shared cache; None without a campaign."""

    def make():
        flush.flush_if_due()  # a site without beat still shows its counts
        built = build(scope)
        return b"" if built is None else json.dumps(built, ensure_ascii=False, separators=(",", ":")).encode()

    made = microcache.get_or_make(f"reviews:screen:{scope.key}", make, SECONDS)
    return made or None


# --- the figures ----------------------------------------------------------------------------------


def build(scope: Scope) -> dict | None:
    """Everything the screen shows of ``scope``, made afresh but for the 统计 figures (kept until the
    aggregate's next rebuild, ``statistics.page``: the 统计 page of the same unit shares them); of
    the campaign 统计 shows (the current one, else the latest); None without any campaign."""
    unit = _unit(scope)
    shown = stats.page(unit, year=None)
    if shown is None:
        return None
    tally = shown.figures
    campaign = tally.campaign
    now = timezone.localtime()
    today = now.date()
    ids = access.kept_scope(unit)
    places = _places(scope)
    reach = _reach(scope, campaign, ids, today)

    activities = tally.totals["total"]
    participants = tally.totals["participants"]
    figures = {
        "activities": {"total": activities, "today": _submitted_today(unit, campaign, ids, today)},
        "participants": {
            "total": participants,
            "today": _growth_today(f"{campaign.pk}:{scope.key}", today, participants),
        },
        "views": {"total": reach["total"][0], "today": reach["today"][0]},
        "shares": {"total": reach["total"][1], "today": reach["today"][1]},
    }
    return {
        "scope": {
            "kind": scope.kind,
            "name": _scope_name(scope, unit, places),
            "area": scope.area,
            "area_title": {PROVINCE: "省份", CITY: "市"}.get(scope.area, ""),
        },
        "campaign": {"year": campaign.year, "name": campaign.name, "label": campaign.label},
        "updated_at": now.isoformat(timespec="seconds"),
        "updated_time": f"{now:%H:%M:%S}",
        "tally_at": timezone.localtime(tally.refreshed_at).isoformat(timespec="seconds"),
        "figures": figures,
        "areas": _areas(scope, tally, places, reach["areas"]),
        "daily": _daily(tally, reach["days"]),
        "categories": [row for row in tally.by_category if row["count"]],
        "top_viewed": _top_viewed(scope, campaign, ids),
        "top_liked": _top_liked(scope, campaign, ids),
    }


def _unit(scope: Scope) -> SupervisingUnit:
    """The unit whose read set the screen shows (中国科协's for the whole country), kept five minutes."""
    found = Q(kind=SupervisingUnit.Kind.CAST) if scope.unit_id is None else Q(pk=scope.unit_id)
    return microcache.get_or_make(
        f"reviews:screen:unit:{scope.key}",
        lambda: SupervisingUnit.objects.select_related("parent").get(found),
        access.SCOPE_TTL,
    )


def _places(scope: Scope) -> dict[int, Region]:
    """The regions the screen names, by id: every province, or a province and its cities, or a city
    (kept five minutes: reference data)."""
    if scope.kind in (NATIONAL, UNITS):
        regions = Region.objects.provinces()
    elif scope.kind == PROVINCE:
        regions = Region.objects.filter(Q(pk=scope.region_id) | Q(parent_id=scope.region_id))
    else:
        regions = Region.objects.filter(pk=scope.region_id)
    return microcache.get_or_make(
        f"reviews:screen:places:{scope.key}",
        lambda: {r.pk: r for r in regions.only("pk", "code", "name", "parent_id")},
        access.SCOPE_TTL,
    )


def _scope_name(scope: Scope, unit: SupervisingUnit, places: dict[int, Region]) -> str:
    if scope.kind == NATIONAL:
        return "全国"
    if scope.kind == UNITS:
        return unit.name
    region = places.get(scope.region_id)
    return region.name if region else unit.name


def _reach(scope: Scope, campaign: Campaign, ids: dict, today: date) -> dict:
    """Views and shares of the scope: in all, today, per area of the ranking and per day.

    {"total": [views, shares], "today": [..], "areas": {region id: [..]}, "days": {day: [..]}}
    """
    result = {"total": [0, 0], "today": [0, 0], "areas": {}, "days": {}}

    def add(into, key, views, shares):
        kept = into.setdefault(key, [0, 0])
        kept[0] += views
        kept[1] += shares

    if scope.kind == UNITS:  # activities anywhere: summed by beat (``ranked``)
        units = ranked(campaign)["units"]
        for pk in ids["units"]:
            mine = units.get(pk, {})
            for province, (views, shares) in mine.get("provinces", {}).items():
                add(result["areas"], province, views, shares)
            for day, (views, shares) in mine.get("days", {}).items():
                add(result["days"], day, views, shares)
    else:
        rows = RegionReachDay.objects.filter(campaign=campaign)
        area = {NATIONAL: "province_id", PROVINCE: "region_id", CITY: "region_id"}[scope.kind]
        if scope.kind == PROVINCE:
            rows = rows.filter(province_id=scope.region_id)
        elif scope.kind == CITY:
            rows = rows.filter(region_id=scope.region_id)
        grouped = rows.values(area, "day").annotate(v=Sum("views"), s=Sum("shares")).order_by()
        for place, day, views, shares in grouped.values_list(area, "day", "v", "s"):
            add(result["areas"], place, views, shares)
            add(result["days"], day, views, shares)
    for views, shares in result["areas"].values():
        result["total"][0] += views
        result["total"][1] += shares
    if scope.kind == NATIONAL:  # the home page and the list: the portal's views, in no province
        pages = figures.season_pages(campaign).values("day").annotate(v=Sum("views")).order_by()
        for row in pages:
            add(result["days"], row["day"], row["v"], 0)
            result["total"][0] += row["v"]
    result["today"] = list(result["days"].get(today, [0, 0]))
    return result


def _submitted_today(unit: SupervisingUnit, campaign: Campaign, ids: dict, today: date) -> int:
    """Activities of the read set first submitted today, found through the index of submissions
    (a later submission is no earlier than the first)."""
    start = start_of_day(today)
    submitted = [s for s in Activity.Status if s != Activity.Status.DRAFT]
    readable = jurisdiction.readable_q(
        unit, unit_field="owner_unit", region_field="region", units=ids["units"], regions=ids["regions"]
    )
    return (
        Activity.objects.filter(
            readable,
            campaign=campaign,
            status__in=submitted,
            submitted_at__gte=start,
            first_submitted_at__gte=start,
        )
        .order_by()
        .count()
    )


def _growth_today(key: str, today: date, value: int) -> int:
    """How much ``value`` (a scope's participants) grew today: since the day's first figure, or
    since the last figure of the day before when there is one. Kept in the shared cache."""
    name = f"reviews:screen:day-start:{key}"
    kept = cache.get(name)
    if kept and kept["day"] == today:
        start = kept["start"]
    elif kept and kept["day"] == today - timedelta(days=1):
        start = kept["last"]
    else:
        start = value
    cache.set(name, {"day": today, "start": start, "last": value}, DAY_START_KEPT)
    return value - start


def _areas(scope: Scope, tally, places: dict[int, Region], reach: dict) -> list[dict]:
    """The ranking: each province (or city) of the scope with its four figures, most activities first."""
    if scope.area is None:
        return []
    by_code = {r.code: (pk, r) for pk, r in places.items() if pk != scope.region_id}
    rows = []
    for row in tally.by_area:
        found = by_code.get(row["code"])
        if found is None:  # （未填地区）, or a region outside the scope's list
            continue
        pk, region = found
        views, shares = reach.get(pk, (0, 0))
        rows.append(
            {
                "code": region.code,
                "name": region.name,
                "short": SHORT_NAMES.get(region.code, region.name) if scope.area == PROVINCE else region.name,
                "activities": row["count"],
                "participants": row["participants"],
                "views": views,
                "shares": shares,
            }
        )
    rows.sort(key=lambda r: (-r["activities"], -r["views"], r["code"]))
    return rows


def _daily(tally, reach_days: dict) -> dict:
    """Submissions (the review log's, as 统计 counts them), views and shares per day through the season."""
    submitted = {row["day"]: row["submitted"] for row in tally.daily}
    days = sorted(set(submitted) | set(reach_days))
    return {
        "days": [day.isoformat() for day in days],
        "submitted": [submitted.get(day, 0) for day in days],
        "views": [reach_days.get(day, (0, 0))[0] for day in days],
        "shares": [reach_days.get(day, (0, 0))[1] for day in days],
    }


LISTED = {"status": Activity.Status.APPROVED, "is_public": True}
COUNTED = {"views": "reach__views", "likes": "like_count"}  # what a top list ranks by: the field


def _shown(prefix: str = "") -> dict:
    """What a top list shows of an activity (through ``prefix`` from another model)."""
    return {
        "code": F(f"{prefix}public_code"),
        "title": F(f"{prefix}name"),
        "city_name": F(f"{prefix}region__name"),
        "province_name": F(f"{prefix}region__parent__name"),
        "likes": F(f"{prefix}like_count"),
    }


def _activity_rows(scope: Scope, rows) -> list[dict]:
    """The rows of a top list; the place is the city, with its province where the scope has several."""

    def place(row):
        if scope.kind in (PROVINCE, CITY):
            return row["city_name"] or ""
        return " ".join(n for n in (row["province_name"], row["city_name"]) if n)

    return [
        {
            "code": row["code"],
            "name": row["title"],
            "place": place(row),
            "url": reverse("public:activity", args=[row["code"]]),
            "views": row["views"] or 0,
            "likes": row["likes"] or 0,
        }
        for row in rows
    ]


def _top_viewed(scope: Scope, campaign: Campaign, ids: dict) -> list[dict]:
    """The ten most viewed activities of the scope, approved and shown: for the whole country, a
    province or a city, the reach totals walked in their index's order (by campaign, province or
    city, most viewed first) until ten are found; for a 部委 or 全国学会, its ten ranked by beat."""
    if scope.kind == UNITS:
        mine = ranked(campaign)["units"]
        return _best(scope, campaign, [mine.get(pk, {}).get("viewed", ()) for pk in ids["units"]], "views")
    rows = ActivityReach.objects.filter(
        campaign=campaign,
        activity__status=Activity.Status.APPROVED,
        activity__is_public=True,
        activity__deleted_at__isnull=True,
        views__gt=0,
    )
    if scope.kind == PROVINCE:
        rows = rows.filter(province_id=scope.region_id)
    elif scope.kind == CITY:
        rows = rows.filter(region_id=scope.region_id)
    # Ordered by the views alone: the index's own order, no sort (equal views come in any order).
    rows = rows.order_by("-views").values("views", **_shown("activity__"))[:TOP]
    return _activity_rows(scope, sorted(rows, key=lambda row: (-row["views"], row["code"])))


def _top_liked(scope: Scope, campaign: Campaign, ids: dict) -> list[dict]:
    """The ten most liked activities of the scope, approved and shown, among the ten most liked of
    each of its cities (or of the 部委 or 全国学会) ranked by beat, with their likes as they are now."""
    kept = ranked(campaign)
    if scope.kind == UNITS:
        lists = [kept["units"].get(pk, {}).get("liked", ()) for pk in ids["units"]]
    elif scope.kind in (PROVINCE, CITY):
        lists = [kept["cities"].get(pk, ()) for pk in ids["regions"]]
    else:
        lists = kept["cities"].values()
    return _best(scope, campaign, lists, "likes")


def _best(scope: Scope, campaign: Campaign, lists, by: str) -> list[dict]:
    """The ten with the most ``by`` (views, likes) among (count, id) lists, each the best of a city
    or a unit (so the scope's best are among them), as they are now and still listed."""
    candidates = [pk for _, pk in heapq.nlargest(TOP + SPARE, itertools.chain.from_iterable(lists))]
    if not candidates:
        return []
    rows = (
        Activity.objects.filter(pk__in=candidates, campaign=campaign, **LISTED, **{f"{COUNTED[by]}__gt": 0})
        .order_by(f"-{COUNTED[by]}", "-pk")
        .values(views=F("reach__views"), **_shown())
    )
    return _activity_rows(scope, rows[:TOP])


# --- what beat ranks and sums for the screens, every STATS_REFRESH_MINUTES --------------------------

RANKED = "reviews:screen:ranked"
SPARE = 5  # candidates beyond ten, for those unlisted since the ranking


def ranked(campaign: Campaign) -> dict:
    """What no index or aggregate gives a request at once, ranked and summed by beat:

    - ``cities``: {region id: [(likes, id), …]}, each city's ten most liked activities (approved,
      shown). The likes are counters on the activities' rows; an index on them would cost every
      点赞 its heap-only update, so they are ranked here, once a period, in one pass;
    - ``units``: for each 部委 and 全国学会 (activities anywhere, so none of the regions' rows
      holds theirs): {unit id: {"liked": [(likes, id), …], "viewed": [(views, id), …],
      "days": {day: (views, shares)}, "provinces": {region id: (views, shares)}}}.

    Made by the beat task that rebuilds 统计 (``reviews.tasks.refresh_statistics`` calls ``prepare``)
    and kept for twice its period; a screen that finds none (no beat, a cache emptied) makes it.
    Kept in this process a second (``kepuri.microcache``): a screen reads it once or twice.
    """
    key = f"{RANKED}:{campaign.pk}"
    kept = microcache.get(key)
    if kept is None:
        kept = _rank(campaign)
        cache.set(key, kept, _ranking_kept())
    return kept


def prepare() -> None:
    """After each rebuild of 统计 (beat): rank and sum what the screens need (``ranked``), and make
    the whole country's 统计 figures, kept until the next rebuild, so that neither the public screen
    nor 中国科协's waits for them (a screen of another unit makes its unit's once a rebuild)."""
    campaign = Campaign.objects.current()
    if campaign is None:
        return
    key = f"{RANKED}:{campaign.pk}"
    cache.set(key, _rank(campaign), _ranking_kept())
    microcache.forget(key)
    stats.page(_unit(national()), year=None)


def _ranking_kept() -> int:
    return int(2 * stats.refresh_period().total_seconds())


def _rank(campaign: Campaign) -> dict:
    listed = Activity.objects.filter(campaign=campaign, **LISTED)
    theirs = {"owner_unit__kind__in": NATIONAL_UNITS}

    def top(rows, group: str, count: str):
        order = [F(count).desc(), F("pk").desc()]
        found: dict[int, list] = {}
        rows = (
            rows.annotate(n=Window(RowNumber(), partition_by=[F(group)], order_by=order))
            .filter(n__lte=TOP)
            .values_list(group, count, "pk")
        )
        for key, value, pk in rows:
            found.setdefault(key, []).append((value, pk))
        return found

    units: dict[int, dict] = {}
    for pk, rows in top(listed.filter(like_count__gt=0, **theirs), "owner_unit_id", "like_count").items():
        units.setdefault(pk, {})["liked"] = rows
    viewed = listed.filter(reach__views__gt=0, **theirs).annotate(reached=F("reach__views"))
    for pk, rows in top(viewed, "owner_unit_id", "reached").items():
        units.setdefault(pk, {})["viewed"] = rows
    sums = (
        ("days", ActivityReachDay.objects, "day", "activity__"),
        ("provinces", ActivityReach.objects, "province_id", "activity__"),
    )
    for name, rows, group, through in sums:
        rows = (
            rows.filter(**{f"{through}campaign": campaign, f"{through}owner_unit__kind__in": NATIONAL_UNITS})
            .values(f"{through}owner_unit_id", group)
            .annotate(v=Sum("views"), s=Sum("shares"))
            .order_by()
        )
        for row in rows:
            mine = units.setdefault(row[f"{through}owner_unit_id"], {}).setdefault(name, {})
            mine[row[group]] = (row["v"], row["s"])
    return {
        "cities": top(listed.filter(like_count__gt=0, region__isnull=False), "region_id", "like_count"),
        "units": units,
    }


# --- the page -------------------------------------------------------------------------------------

FIGURE_LABELS = (
    ("activities", "活动数", "个"),
    ("participants", "参与人数", "人次"),
    ("views", "浏览量", "次"),
    ("shares", "分享数", "次"),
)
METRICS = (("activities", "活动数"), ("participants", "参与人数"), ("views", "浏览量"))


def refresh_seconds(asked: str | None) -> int:
    """How often the page asks for the JSON: every minute, or as ``?refresh=`` says (2 s to an hour)."""
    if asked and asked.isascii() and asked.isdigit():
        return min(max(int(asked), 2), 3600)
    return REFRESH_SECONDS


def page_context(
    scope: Scope, *, data_url: str, refresh: str | None = None, back_url: str = ""
) -> dict | None:
    """What ``reviews/screen.html`` needs: the scope's figures as its script first draws them (the
    same JSON it then asks ``data_url`` for), the tile map and the labels; None without a campaign."""
    made = json_of(scope)
    if made is None:
        return None
    data = json.loads(made)
    figures = [
        {"key": key, "label": label, "unit": unit, **data["figures"][key]}
        for key, label, unit in FIGURE_LABELS
    ]
    return {
        "data": data,
        "figures": figures,
        "metrics": METRICS,
        "tiles": [{"code": code, "short": short, "row": row, "col": col} for code, short, row, col in TILES],
        "data_url": data_url,
        "refresh": refresh_seconds(refresh),
        "back_url": back_url,
        "stats_minutes": settings.STATS_REFRESH_MINUTES,
        "flush_minutes": max(1, round(settings.AUDIENCE_FLUSH_SECONDS / 60)),
    }


def shown_to_public() -> bool:
    """Whether the admin turned the public screen (``/screen/``, the whole country's) on for the
    current campaign (科普日年度 → 公开数据大屏)."""
    campaign = Campaign.objects.current()
    return campaign is not None and campaign.public_screen
