#!/usr/bin/env python
"""The flush of a day's views and shares for every activity of the bench data set (issue 20: ≤ 30 s
for 500,000 activities).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kepuri_load500 REDIS_URL=redis://127.0.0.1:6379/9 \\
        .venv/bin/python bench/flush.py [--days 1] [--runs 2]

Counts, in Redis as the pages do, a view and a share for each activity on each of ``--days`` days
(HINCRBY in pipelines of 10,000, not timed), then times ``audience.flush.flush()`` adding them to
PostgreSQL: the first run inserts the daily rows, a second one adds to the rows it finds. The
database is the load benchmark's (bench/dataset.py); the daily rows the runs add are deleted
afterwards and the activities' totals put back as they were (kept aside in a table meanwhile).
"""

import argparse
import os
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kepuri.settings")

import django

django.setup()

from django.db import connection

from activities.models import Activity
from audience import counting, flush
from audience.models import ActivityReach, ActivityReachDay, PageViewDay, RegionReachDay

DAY = date(2031, 9, 15)  # days no other bench writes: what the runs add is removed by day


def fill(codes, days: int) -> None:
    store = counting.store()
    if not isinstance(store, counting.RedisStore):
        sys.exit("Set REDIS_URL: the flush is measured as it runs, from Redis.")
    pending = store.key(counting.PENDING)
    with store.client.pipeline(transaction=False) as pipe:
        for offset in range(days):
            day = DAY + timedelta(days=offset)
            for n, code in enumerate(codes, 1):
                pipe.hincrby(pending, counting.field(counting.VIEW, code, day), 1 + n % 50)
                pipe.hincrby(pending, counting.field(counting.SHARE, code, day), 1 + n % 3)
                if n % 10_000 == 0:
                    pipe.execute()
        pipe.execute()


SNAPSHOT = "bench_flush_reach_before"


def keep_totals() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {SNAPSHOT}")
        cursor.execute(f"CREATE TABLE {SNAPSHOT} AS SELECT * FROM {ActivityReach._meta.db_table}")  # noqa: S608


def clean() -> None:
    later = {"day__gte": DAY}
    ActivityReachDay.objects.filter(**later).delete()
    RegionReachDay.objects.filter(**later).delete()
    PageViewDay.objects.filter(**later).delete()
    table = ActivityReach._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608
        cursor.execute(f"INSERT INTO {table} SELECT * FROM {SNAPSHOT}")  # noqa: S608
        cursor.execute(f"DROP TABLE {SNAPSHOT}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=1)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    codes = list(Activity.objects.values_list("public_code", flat=True))
    counting.store().clear()
    keep_totals()
    print(f"{connection.vendor}: {len(codes):,} activities, {args.days} day(s) of counts per run")
    try:
        for run in range(1, args.runs + 1):
            started = time.monotonic()
            fill(codes, args.days)
            filled = time.monotonic() - started
            result = flush.flush()
            print(
                f"run {run}: {result.counted:,} views and shares of {len(codes) * args.days:,} activity-days "
                f"flushed in {result.seconds:.1f} s (counting them in Redis took {filled:.1f} s)"
            )
    finally:
        clean()


if __name__ == "__main__":
    main()
