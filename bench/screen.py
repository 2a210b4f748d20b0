#!/usr/bin/env python
"""The 数据大屏's JSON at national scale (issue 20: ≤ 50 ms in-process at 500,000 activities and 10
million counted views).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kepuri_load500 \\
        .venv/bin/python bench/screen.py [--fill [--views 10000000]] [--runs 30]

On the load benchmark's database (``bench/dataset.py``, migrated). ``--fill`` first gives its
submitted activities the season's views and shares as the audience flush would have left them
(``audience.models``), by set-based SQL in one transaction, a few tens of seconds: each activity
viewed on one to eight days of the season (``report_opens`` … ``summary_closes``), more the more it
is liked, ``--views`` in all and a share for about every seven views; its totals
(``ActivityReach``) and the regions' days (``RegionReachDay``) summed from those days; the home
page and the list viewed every day (``PageViewDay``). The season's rows of any earlier fill are
replaced; days outside the season (``bench/flush.py`` writes in 2031) are left alone.

Then it brings the 统计 aggregate and what the screens rank up to date (what beat does every few
minutes, ``screen.prepare``: timed, not part of a request) and times ``reviews.screen.build`` and
the JSON it is written as, uncached, ``--runs`` times for each scope — 中国科协 (the whole country,
also the public /screen/), 河北省科协 (a province), the busiest city's 科协 and 教育部 (a 部委, its
activities anywhere) — with the unit's 统计 figures kept (as between two rebuilds) and made too
(a unit's first screen after a rebuild; beat makes the whole country's), and prints the median,
the slowest and the queries of one.
"""

# The fill's SQL is built from our table names and constants; every value is a parameter.
# ruff: noqa: S608

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kepuri.settings")

import django

django.setup()

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from activities.models import Activity, Campaign
from audience.models import ActivityReach, ActivityReachDay, PageViewDay, RegionReachDay
from directory.models import SupervisingUnit
from kepuri import microcache
from reviews import screen
from reviews import statistics as stats

HOME_VIEWS, LIST_VIEWS = 20_000, 8_000  # a day's views of the home page and of the list
SHARE_EVERY = 7


def fill(campaign: Campaign, views: int) -> None:
    opens, closes = campaign.report_opens, campaign.summary_closes
    days = (closes - opens).days + 1
    tables = {m: m._meta.db_table for m in (ActivityReach, ActivityReachDay, RegionReachDay, PageViewDay)}
    params = {"campaign": campaign.pk, "opens": opens, "closes": closes, "days": days}
    # Each submitted activity on 1–8 distinct days of the season (13 and the season's length share
    # no factor, so the days differ), weighted by its likes and a little by the day.
    weight = "(1 + a.like_count) * (1 + (a.id + k) %% 5)"
    source = """
        FROM activities_activity a CROSS JOIN LATERAL generate_series(0, a.id %% 8) AS k
        WHERE a.campaign_id = %(campaign)s AND a.status <> 'draft' AND a.deleted_at IS NULL
    """
    started = time.monotonic()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(f"SELECT sum({weight}) {source}", params)
        params["scale"] = views / float(cursor.fetchone()[0])
        day_range = "day BETWEEN %(opens)s AND %(closes)s"
        cursor.execute(
            f"DELETE FROM {tables[ActivityReachDay]} d USING activities_activity a "
            f"WHERE a.id = d.activity_id AND a.campaign_id = %(campaign)s AND d.{day_range}",
            params,
        )
        cursor.execute(
            f"DELETE FROM {tables[RegionReachDay]} WHERE campaign_id = %(campaign)s AND {day_range}", params
        )
        cursor.execute(f"DELETE FROM {tables[PageViewDay]} WHERE {day_range}", params)
        cursor.execute(
            f"""
            INSERT INTO {tables[ActivityReachDay]} (activity_id, day, views, shares)
            SELECT id, %(opens)s::date + ((id * 7 + k * 13) %% %(days)s)::int, n, n / {SHARE_EVERY}
            FROM (SELECT a.id, k, greatest(1, round(%(scale)s * {weight}))::bigint AS n {source}) AS viewed
            """,
            params,
        )
        # The totals are the sum of every day (the flush's invariant), the regions' days those of the season.
        cursor.execute(
            f"DELETE FROM {tables[ActivityReach]} r USING activities_activity a WHERE a.id = r.activity_id AND a.campaign_id = %(campaign)s",
            params,
        )
        cursor.execute(
            f"""
            INSERT INTO {tables[ActivityReach]} (activity_id, campaign_id, region_id, province_id, views, shares)
            SELECT a.id, a.campaign_id, a.region_id, coalesce(r.parent_id, r.id), sum(d.views), sum(d.shares)
            FROM {tables[ActivityReachDay]} d JOIN activities_activity a ON a.id = d.activity_id
            LEFT JOIN directory_region r ON r.id = a.region_id
            WHERE a.campaign_id = %(campaign)s
            GROUP BY a.id, a.campaign_id, a.region_id, r.parent_id, r.id
            """,
            params,
        )
        cursor.execute(
            f"""
            INSERT INTO {tables[RegionReachDay]} (day, campaign_id, region_id, province_id, views, shares)
            SELECT d.day, a.campaign_id, a.region_id, coalesce(r.parent_id, r.id), sum(d.views), sum(d.shares)
            FROM {tables[ActivityReachDay]} d JOIN activities_activity a ON a.id = d.activity_id
            JOIN directory_region r ON r.id = a.region_id
            WHERE a.campaign_id = %(campaign)s AND d.{day_range}
            GROUP BY d.day, a.campaign_id, a.region_id, r.parent_id, r.id
            """,
            params,
        )
        cursor.execute(
            f"""
            INSERT INTO {tables[PageViewDay]} (day, page, views)
            SELECT %(opens)s::date + n, p.page, p.views
            FROM generate_series(0, %(days)s - 1) n
            CROSS JOIN (VALUES ('home', {HOME_VIEWS}), ('list', {LIST_VIEWS})) AS p(page, views)
            """,
            params,
        )
    with connection.cursor() as cursor:
        for table in tables.values():
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    print(f"filled in {time.monotonic() - started:.1f} s")


def describe(campaign: Campaign) -> None:
    reach = ActivityReach.objects.filter(campaign=campaign)
    days = ActivityReachDay.objects.filter(activity__campaign=campaign).count()
    totals = screen.build(screen.national())["figures"]
    print(
        f"{Activity.objects.filter(campaign=campaign).count():,} activities; {reach.count():,} with views, "
        f"{days:,} activity-days, {RegionReachDay.objects.filter(campaign=campaign).count():,} region-days; "
        f"the season: {totals['views']['total']:,} views (pages included), {totals['shares']['total']:,} shares"
    )


def scopes() -> list[tuple[str, screen.Scope]]:
    busiest = (
        Activity.objects.filter(region__isnull=False)
        .values("region_id")
        .annotate(n=django.db.models.Count("pk"))
        .order_by("-n")
        .first()
    )
    units = SupervisingUnit.objects
    city = units.get(kind="city", region_id=busiest["region_id"])
    return [
        ("中国科协（全国）", screen.scope_of(units.get(kind="cast"))),
        ("河北省科协（省）", screen.scope_of(units.get(name="河北省科学技术协会"))),
        (f"{city.name}（市，{busiest['n']:,} 个活动）", screen.scope_of(city)),
        ("教育部（部委）", screen.scope_of(units.get(name="教育部"))),
    ]


def time_scope(scope: screen.Scope, runs: int, *, first: bool) -> tuple[float, float, int]:
    """Median and slowest milliseconds of the JSON made afresh, and its queries. ``first``: with the
    unit's 统计 figures made too (kept for the unit until the next rebuild otherwise)."""

    def once():
        if first:
            microcache.next_generation(stats.GENERATION)
        return json.dumps(screen.build(scope), ensure_ascii=False).encode()

    once()  # the unit and its scope, kept five minutes in the process as for every reviewer's request
    with CaptureQueriesContext(connection) as captured:
        once()
    taken = []
    for _ in range(runs):
        started = time.perf_counter()
        once()
        taken.append((time.perf_counter() - started) * 1000)
    return statistics.median(taken), max(taken), len(captured)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fill", action="store_true", help="(re)fill the season's views and shares first")
    parser.add_argument("--views", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to the bench's PostgreSQL database.")
    campaign = Campaign.objects.current()
    if args.fill:
        fill(campaign, args.views)

    started = time.monotonic()
    stats.rebuild()
    rebuilt = time.monotonic() - started
    started = time.monotonic()
    screen.prepare()
    ranked = time.monotonic() - started
    describe(campaign)
    print(
        f"beat's work, every STATS_REFRESH_MINUTES: 统计 rebuilt in {rebuilt:.1f} s, the screens' rankings and units' sums in {ranked:.2f} s"
    )
    print()
    print(
        f"| 数据大屏 JSON, uncached ({args.runs} runs each) | median ms | max ms | queries "
        "| with the 统计 figures made too: median ms | max ms | queries |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, scope in scopes():
        kept = time_scope(scope, args.runs, first=False)
        first = time_scope(scope, args.runs, first=True)
        print(
            f"| {name} | {kept[0]:.1f} | {kept[1]:.1f} | {kept[2]} | {first[0]:.1f} | {first[1]:.1f} | {first[2]} |"
        )


if __name__ == "__main__":
    main()
