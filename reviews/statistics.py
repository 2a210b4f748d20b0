"""统计: the reviewers' figures, read from an aggregate instead of scanning the activities on each view.

Two tables (``reviews.models``) hold the aggregate:

- ``ActivityTally``: the submitted activities (``access.submitted()``: not drafts, not
  deleted) counted per campaign, unit, region, status, 活动类型 and 活动类别, with their
  summaries, their participants (``summaries.selectors.participants``) and their page
  views and shares (the totals the audience flush keeps, ``ActivityReach``: one LEFT JOIN);
- ``DailyTally``: the review log per day (Asia/Shanghai), unit, region and kind: each
  submission (a report or a change waiting for review) and each decision.

``rebuild()`` replaces both in one transaction with two ``INSERT … SELECT … GROUP BY``
statements, holding the lock of the one ``StatisticsState`` row so that two rebuilds at
once never count anything twice. Beat runs it every ``STATS_REFRESH_MINUTES``
(``reviews.tasks.refresh_statistics``); a page that finds the figures never built or
older than twice that period rebuilds them first (``ensure_fresh``), so a site without
beat still shows figures.

``figures()`` reads a unit's share with the read set's own rule
(``directory.jurisdiction.readable_q``): a fixed handful of small queries whatever the
number of activities. 中国科协 (and a 部委 or 全国学会) sees its figures by province, a
省科协 by city, a city-level 科协 its own.

The figures change only when the aggregate is rebuilt, so ``page()`` keeps what the page
shows of a unit's 年度 (the figures and the console block rendered from them) in the shared
cache under ``GENERATION``, a counter every rebuild moves on (``kepuri.microcache``): a page
asked again costs one round trip to the cache, no query; the first one after a rebuild
reads and renders the figures again.
"""

import io
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, Count, F, Q, Sum, Value, When
from django.db.models.functions import Coalesce, TruncDate
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from openpyxl import Workbook

from activities.deadlines import SHANGHAI
from activities.models import Activity, Campaign, ReviewDecision
from directory import jurisdiction
from directory.models import Region, SupervisingUnit
from kepuri import microcache
from kepuri.spreadsheets import append_row
from summaries.selectors import participants

from . import access
from .models import ActivityTally, DailyTally, StatisticsState

State = ReviewDecision.State
Kind = DailyTally.Kind
# What each logged transition counts as: a submission (a report or a change waiting) or a decision.
KIND_OF_TRANSITION = {
    State.PENDING: Kind.SUBMITTED,
    State.CHANGE_PENDING: Kind.SUBMITTED,
    State.APPROVED: Kind.APPROVED,
    State.REJECTED: Kind.REJECTED,
    State.CHANGE_REJECTED: Kind.REJECTED,
}
STATUSES = [s for s in Activity.Status if s != Activity.Status.DRAFT]
UNSET = "（未选）"
# Moved on by every rebuild: what ``page()`` kept before it is never shown again.
GENERATION = "reviews:statistics:generation"
# PostgreSQL's memory for the rebuild's grouping (``rebuild``); beyond it, it spills to files.
REBUILD_WORK_MEM = "128MB"


# What a tally row adds up besides the activities it counts (its fields, and the figures' keys).
SUMS = ("summaries", "participants", "views", "shares")


def _no_figures() -> dict:
    """An area's figures before any row is added: the counts, by status, summaries, participants,
    views and shares."""
    return {"count": 0, **dict.fromkeys(SUMS, 0), **dict.fromkeys((s.value for s in STATUSES), 0)}


def refresh_period() -> timedelta:
    return timedelta(minutes=settings.STATS_REFRESH_MINUTES)


# --- building the aggregate --------------------------------------------------------------------


def _activity_rows():
    """The submitted activities grouped by every dimension the page breaks them down by."""
    return (
        access.submitted()
        .order_by()
        .values(
            t_campaign=F("campaign_id"),
            t_unit=F("owner_unit_id"),
            t_region=F("region_id"),
            t_province=Coalesce(F("region__parent_id"), F("region_id")),
            t_status=F("status"),
            t_type=F("activity_type"),
            t_category=F("category_id"),
        )
        .annotate(
            t_count=Count("pk"),
            t_summaries=Count("pk", filter=Q(summarized_at__isnull=False)),
            t_participants=Coalesce(Sum(participants()), 0),
            # ActivityReach is one row per activity that has any (a LEFT JOIN on its key): none is 0.
            t_views=Coalesce(Sum("reach__views"), 0),
            t_shares=Coalesce(Sum("reach__shares"), 0),
        )
    )


def _daily_rows():
    """The review log of the submitted activities, per Asia/Shanghai day and kind of transition."""
    kind = Case(
        *(
            When(decisions__to_status=state, then=Value(kind.value))
            for state, kind in KIND_OF_TRANSITION.items()
        )
    )
    return (
        access.submitted()
        .filter(decisions__to_status__in=list(KIND_OF_TRANSITION))
        .order_by()
        .values(
            t_campaign=F("campaign_id"),
            t_day=TruncDate("decisions__at", tzinfo=SHANGHAI),
            t_unit=F("owner_unit_id"),
            t_region=F("region_id"),
            t_kind=kind,
        )
        .annotate(t_count=Count("decisions__id"))
    )


TALLY_COLUMNS = {
    "campaign": "t_campaign",
    "owner_unit": "t_unit",
    "region": "t_region",
    "province": "t_province",
    "status": "t_status",
    "activity_type": "t_type",
    "category": "t_category",
    "count": "t_count",
    "summaries": "t_summaries",
    "participants": "t_participants",
    "views": "t_views",
    "shares": "t_shares",
}
DAILY_COLUMNS = {
    "campaign": "t_campaign",
    "day": "t_day",
    "owner_unit": "t_unit",
    "region": "t_region",
    "kind": "t_kind",
    "count": "t_count",
}


def _insert_select(model, rows, columns: dict[str, str]) -> None:
    """INSERT INTO ``model`` SELECT … FROM ``rows``: one statement, no row passing through Python.

    ``columns`` maps each of the model's fields to the alias ``rows`` gives it, so the
    statement does not depend on the order in which the ORM writes its select list.
    """
    sql, params = rows.query.sql_with_params()
    quote = connection.ops.quote_name
    targets = ", ".join(quote(model._meta.get_field(name).column) for name in columns)
    sources = ", ".join(quote(alias) for alias in columns.values())
    with connection.cursor() as cursor:
        # Names from our models; values as parameters.
        insert = (
            f"INSERT INTO {quote(model._meta.db_table)} ({targets}) SELECT {sources} FROM ({sql}) AS grouped"  # noqa: S608
        )
        cursor.execute(insert, params)


def rebuild(*, unless_since: datetime | None = None) -> datetime:
    """Replace the aggregate with the figures of now, in one transaction; return when they were taken.

    The lock on the ``StatisticsState`` row makes concurrent rebuilds wait for each
    other: each replaces the whole aggregate, so nothing is counted twice. With
    ``unless_since``, a rebuild that finds the figures taken since then (by the one it
    waited for) leaves them as they are.
    """
    began = time.monotonic()
    with transaction.atomic():
        StatisticsState.objects.get_or_create(pk=1)
        state = StatisticsState.objects.select_for_update().get(pk=1)
        if unless_since is not None and state.refreshed_at is not None and state.refreshed_at >= unless_since:
            return state.refreshed_at
        taken_at = timezone.now()
        if connection.vendor == "postgresql":
            # Two statements run once: compiling their expressions (JIT) would cost a tenth of a second.
            # The activities are grouped in memory (a hash of about 80 MB at 500,000 activities) rather
            # than sorted in files: with their views and shares joined in, the sort spilled and the
            # rebuild took up to a second more (bench/RESULTS.md); this transaction only, one at a time.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
                cursor.execute(f"SET LOCAL work_mem = '{REBUILD_WORK_MEM}'")
        ActivityTally.objects.all().delete()
        _insert_select(ActivityTally, _activity_rows(), TALLY_COLUMNS)
        DailyTally.objects.all().delete()
        _insert_select(DailyTally, _daily_rows(), DAILY_COLUMNS)
        state.refreshed_at = taken_at
        state.duration_ms = round((time.monotonic() - began) * 1000)
        state.save(update_fields=["refreshed_at", "duration_ms"])
    _move_on()  # this connection reads the new rows at once: so do its pages
    if connection.in_atomic_block:  # the others read them once committed: move on again then
        transaction.on_commit(_move_on, robust=True)
    _vacuum()
    return taken_at


def _move_on() -> None:
    microcache.next_generation(GENERATION)


def _vacuum() -> None:
    """On PostgreSQL, reclaim the rows a rebuild replaced at once, so that reads never scan them."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return  # autovacuum will, a little later
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {ActivityTally._meta.db_table}, {DailyTally._meta.db_table}")


def _stale_before() -> datetime:
    return timezone.now() - 2 * refresh_period()


def ensure_fresh() -> datetime:
    """When the figures were taken; rebuilt first if never built or older than twice the refresh period."""
    stale_before = _stale_before()
    refreshed_at = StatisticsState.objects.filter(pk=1).values_list("refreshed_at", flat=True).first()
    if refreshed_at is None or refreshed_at < stale_before:
        return rebuild(unless_since=stale_before)  # a second reader waits for the first one's rebuild
    return refreshed_at


# --- reading a unit's figures ------------------------------------------------------------------


def choose_campaign(year: str | None) -> tuple[Campaign | None, list[Campaign]]:
    """The campaign of the ``year`` asked for, else the current one, else the latest; and all of them."""
    campaigns = list(Campaign.objects.order_by("-year"))
    chosen = next((c for c in campaigns if str(c.year) == year), None)
    return chosen or Campaign.objects.current() or next(iter(campaigns), None), campaigns


def _area(unit: SupervisingUnit) -> tuple[str, str] | None:
    """How ``unit``'s figures are broken down: (tally field, title), or None for a city-level 科协."""
    if unit.kind == SupervisingUnit.Kind.CITY:
        return None
    if unit.kind == SupervisingUnit.Kind.PROVINCIAL:
        return "region", "市"
    return "province", "省份"


def _area_regions(unit: SupervisingUnit, seen: set[int]):
    """The regions ``unit``'s figures are broken down by: all of its scope's, and any that has figures."""
    scope = (
        jurisdiction.read_regions(unit)
        if unit.kind == SupervisingUnit.Kind.PROVINCIAL
        else Region.objects.provinces()
    )
    return Region.objects.filter(Q(pk__in=scope.values("pk")) | Q(pk__in=seen)).only("pk", "name", "code")


@dataclass
class Figures:
    """A unit's statistics for one campaign, as the page and the workbook show them."""

    unit: SupervisingUnit
    campaign: Campaign
    refreshed_at: datetime
    area_title: str = ""
    totals: dict = field(default_factory=dict)
    by_status: list[dict] = field(default_factory=list)
    by_type: list[dict] = field(default_factory=list)
    by_category: list[dict] = field(default_factory=list)
    by_area: list[dict] = field(default_factory=list)
    daily: list[dict] = field(default_factory=list)

    @property
    def refresh_minutes(self) -> int:
        return settings.STATS_REFRESH_MINUTES

    def breakdowns(self) -> list[tuple[str, str, str, list[dict]]]:
        """The simple breakdowns: (chart name, title, what the rows are, rows)."""
        return [
            ("status", "按状态", "状态", self.by_status),
            ("type", "按活动类型", "活动类型", self.by_type),
            ("category", "按活动类别", "活动类别", self.by_category),
        ]

    def charts(self) -> dict:
        """What static/js/review-statistics.js draws, for the page's json_script block."""
        pairs = {
            name: [{"label": row["label"], "count": row["count"]} for row in rows]
            for name, _, _, rows in [*self.breakdowns(), ("area", "", "", self.by_area)]
        }
        pairs["daily"] = {
            "labels": [f"{row['day']:%m-%d}" for row in self.daily],
            **{kind.value: [row[kind.value] for row in self.daily] for kind in Kind},
        }
        return pairs


def figures(unit: SupervisingUnit, *, campaign: Campaign, refreshed_at: datetime) -> Figures:
    """``unit``'s figures for ``campaign`` from the aggregate: four small queries, whatever the data size."""
    ids = access.kept_scope(unit)  # the scope's ids as values: PostgreSQL plans with its indexes
    readable = jurisdiction.readable_q(
        unit, unit_field="owner_unit", region_field="region", units=ids["units"], regions=ids["regions"]
    )
    area = _area(unit)
    area_field = f"{area[0]}_id" if area else None
    dimensions = ["status", "activity_type", "category_id", *([area_field] if area else [])]
    rows = (
        ActivityTally.objects.filter(readable, campaign=campaign)
        .values(*dimensions)
        .annotate(n=Sum("count"), **{name: Sum(name) for name in SUMS})
        .order_by()
    )
    result = Figures(
        unit=unit, campaign=campaign, refreshed_at=refreshed_at, area_title=area[1] if area else ""
    )
    by = {name: {} for name in ("status", "activity_type", "category_id", "area")}
    totals = {"total": 0, **dict.fromkeys(SUMS, 0)}
    for row in rows:
        totals["total"] += row["n"]
        for name in SUMS:
            totals[name] += row[name]
        for name in ("status", "activity_type", "category_id"):
            by[name][row[name]] = by[name].get(row[name], 0) + row["n"]
        if area:
            into = by["area"].setdefault(row[area_field], _no_figures())
            into["count"] += row["n"]
            into[row["status"]] += row["n"]
            for name in SUMS:
                into[name] += row[name]
    result.totals = totals
    result.by_status = [{"label": s.label, "count": by["status"].get(s.value, 0)} for s in STATUSES]
    result.by_type = [{"label": t.label, "count": by["activity_type"].get(t.value, 0)} for t in Activity.Type]
    result.by_category = [
        {"label": category.name, "count": by["category_id"].pop(category.pk, 0)}
        for category in campaign.categories.order_by("position", "pk")
    ]
    if by["category_id"].get(None):
        result.by_category.append({"label": UNSET, "count": by["category_id"][None]})
    if by["activity_type"].get(""):
        result.by_type.append({"label": UNSET, "count": by["activity_type"][""]})
    if area:
        result.by_area = _area_rows(unit, by["area"])
    result.daily = _daily(campaign, readable)
    return result


def _area_rows(unit: SupervisingUnit, by_area: dict) -> list[dict]:
    """One row per region of the breakdown, busiest first; a region with none shows zeros."""
    regions = _area_regions(unit, {pk for pk in by_area if pk})
    rows = [{"label": r.name, "code": r.code, **by_area.get(r.pk, _no_figures())} for r in regions]
    if None in by_area:
        rows.append({"label": "（未填地区）", "code": "", **by_area[None]})
    rows.sort(key=lambda row: (-row["count"], row["code"]))
    return [{**row, "by_status": [row[s.value] for s in STATUSES]} for row in rows]


def _daily(campaign: Campaign, readable: Q) -> list[dict]:
    """Submissions and decisions per day through the season: from the report window's first day
    to today (or the summary deadline, if that is earlier), and any other day that has some."""
    counts: dict[date, dict] = {}
    rows = (
        DailyTally.objects.filter(readable, campaign=campaign)
        .values("day", "kind")
        .annotate(n=Sum("count"))
        .order_by()
    )
    for row in rows:
        counts.setdefault(row["day"], dict.fromkeys(Kind.values, 0))[row["kind"]] = row["n"]
    first = campaign.report_opens
    last = min(timezone.localdate(), campaign.summary_closes)
    days = {first + timedelta(days=n) for n in range((last - first).days + 1)} | set(counts)
    return [{"day": day, **counts.get(day, dict.fromkeys(Kind.values, 0))} for day in sorted(days)]


# --- the page, kept until the next rebuild -----------------------------------------------------


@dataclass(frozen=True)
class Page:
    """What the 统计 page shows of one unit's 年度, the same for each of the unit's reviewers: the
    figures (the workbook's too) and the console block rendered from them."""

    figures: Figures
    html: str  # _statistics_figures.html's output

    def console(self) -> SafeString:
        return mark_safe(self.html)  # noqa: S308 -- our template's output: every name escaped there


def page(unit: SupervisingUnit, *, year: str | None) -> Page | None:
    """``unit``'s figures of the 年度 ``year`` (else the current one, as ``choose_campaign``) and
    the block showing them; None when there is no campaign at all.

    Kept in the shared cache per unit and 年度 until the next rebuild moves ``GENERATION`` on,
    or the figures are older than twice the refresh period (``ensure_fresh`` rebuilds them
    then): one round trip to the cache and no query, until then. A ``year`` naming no
    campaign is answered (with the current one's) but not kept, so no address fills the cache.
    """
    year = year if year and year.isascii() and year.isdigit() and len(year) == 4 else ""  # else: the current
    key = f"reviews:statistics:{unit.pk}:{year}"
    kept = microcache.get_current(key, GENERATION)[1]
    if kept is not None and kept.figures.refreshed_at >= _stale_before():
        return kept
    campaign, campaigns = choose_campaign(year)
    if campaign is None:
        return None
    refreshed_at = ensure_fresh()  # may rebuild, moving the generation on: read it after
    generation = microcache.generation(GENERATION)  # the figures below are at least this one's
    made = _made(figures(unit, campaign=campaign, refreshed_at=refreshed_at), campaigns)
    if year in ("", str(campaign.year)):
        microcache.set_current(key, generation, made, int(2 * refresh_period().total_seconds()))
    return made


def _made(shown: Figures, campaigns: list[Campaign]) -> Page:
    context = {
        "figures": shown,
        "campaigns": campaigns,
        "totals": shown.totals,
        "by_status": shown.by_status,
        "by_area": shown.by_area,
        "daily": shown.daily,
        "charts": shown.charts(),
    }
    return Page(figures=shown, html=render_to_string("reviews/_statistics_figures.html", context))


# --- the workbook ------------------------------------------------------------------------------


def workbook(figures: Figures) -> bytes:
    """The page's tables as the sheets of an XLSX file."""
    book = Workbook(write_only=True)
    sheets = [
        (
            "概况",
            ["项目", "数值"],
            [
                ["科普日年度", figures.campaign.name],
                ["审核单位", figures.unit.name],
                ["数据更新于", timezone.localtime(figures.refreshed_at).strftime("%Y-%m-%d %H:%M")],
                ["活动总数", figures.totals["total"]],
                ["已提交总结", figures.totals["summaries"]],
                ["参与人数合计", figures.totals["participants"]],
                ["浏览量合计", figures.totals["views"]],
                ["分享数合计", figures.totals["shares"]],
            ],
        ),
        *(
            (title, [label, "活动数"], [[r["label"], r["count"]] for r in rows])
            for _, title, label, rows in figures.breakdowns()
        ),
    ]
    if figures.area_title:
        sheets.append(
            (
                f"按{figures.area_title}",
                [
                    figures.area_title,
                    "活动数",
                    *(s.label for s in STATUSES),
                    "已提交总结",
                    "参与人数",
                    "浏览量",
                    "分享数",
                ],
                [
                    [
                        r["label"],
                        r["count"],
                        *r["by_status"],
                        r["summaries"],
                        r["participants"],
                        r["views"],
                        r["shares"],
                    ]
                    for r in figures.by_area
                ],
            )
        )
    sheets.append(
        (
            "每日提交与审核",
            ["日期", *Kind.labels],
            [[r["day"], *(r[kind] for kind in Kind.values)] for r in figures.daily],
        )
    )
    for title, header, rows in sheets:
        sheet = book.create_sheet(title)
        append_row(sheet, header)
        for row in rows:
            append_row(sheet, row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
