#!/usr/bin/env python
"""The reviewers' console at national scale: queue page time, export time and peak memory.

    .venv/bin/python bench/review.py [--activities 100000]   # DATABASE_URL=postgres://... for PostgreSQL
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kepuri_load500 \
        .venv/bin/python bench/review.py --activities 500000 --dataset [--export-only]

By default it builds a throw-away test database (as the tests do) and
bulk-inserts the activities over every city-level region (about 30 % waiting,
1 % with a change waiting, 20 % of the approved ones with a summary). With
``--dataset`` it uses the database ``DATABASE_URL`` names as it is, the load
benchmark's (bench/dataset.py: migrated and filled if needed, reused if it
holds the activities already; its reviewers of 河北省科协 and 中国科协), whose
rows are the realistic ones (names, addresses, hosts, 单位信息, summaries), and
leaves it as it found it but for the export jobs' rows. Then it:

- times the queue page through Django's whole stack in-process, for a
  provincial reviewer (its province's share) and for 中国科协 (everything),
  plain, filtered by city, and searched, and counts its SQL queries;
- builds the XLSX export of 中国科协's read set (every activity) and reports
  its time, the process's peak RSS (and its growth during the export), and the
  peak of Python allocations (tracemalloc, a second run: slower).
"""

import argparse
import os
import random
import resource
import statistics
import sys
import time
import tracemalloc
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kepuri.settings")

import django

django.setup()

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import (
    CaptureQueriesContext,
    setup_databases,
    setup_test_environment,
    teardown_databases,
)
from django.utils import timezone


def populate(count):
    from accounts.models import User
    from activities.models import Activity, ActivityChange, Campaign
    from directory.models import Region, SupervisingUnit
    from summaries.models import ActivitySummary

    rng = random.Random(2020)
    campaign = Campaign.objects.get(year=2020)
    categories = list(campaign.categories.all())
    cities = list(Region.objects.cities())
    city_units = {u.region_id: u for u in SupervisingUnit.objects.filter(kind="city")}
    owners = User.objects.bulk_create(User(phone=f"135{n:08d}", password="!") for n in range(2000))
    start = datetime(2020, 9, 15, 9, 0, tzinfo=timezone.get_current_timezone())
    batch = []
    made = 0
    print(f"Inserting {count} activities ...", flush=True)
    began = time.perf_counter()
    for n in range(count):
        city = rng.choice(cities)
        roll = rng.random()
        status = "pending" if roll < 0.3 else "rejected" if roll < 0.4 else "approved"
        submitted = start - timedelta(minutes=rng.randrange(60 * 24 * 40))
        batch.append(
            Activity(
                public_code=f"b{n:07d}",
                owner=owners[n % len(owners)],
                campaign=campaign,
                status=status,
                activity_type=rng.choice(["online", "offline", "hybrid"]),
                name=f"{city.name}科普活动第{n}场",
                starts_at=start + timedelta(hours=rng.randrange(24 * 20)),
                ends_at=start + timedelta(hours=rng.randrange(24 * 20) + 24 * 21),
                region=city,
                category=rng.choice(categories),
                description="节水、健康与安全科普。",
                address=f"{city.name}示范路{n}号",
                supervisor_type="city",
                supervisor=city_units[city.pk],
                owner_unit=city_units[city.pk],
                hosts=[f"{city.name}科学技术协会"],
                org_name=f"{city.name}第{n % 500}中学",
                org_contact_name="联系人",
                org_contact_phone="13800000000",
                submitted_at=submitted,
                first_submitted_at=submitted,
                waiting_since=submitted if status == "pending" else None,
                rejection_reason="请补充信息" if status == "rejected" else "",
                summarized_at=submitted if status == "approved" and rng.random() < 0.2 else None,
            )
        )
        if len(batch) == 5000:
            Activity.objects.bulk_create(batch)
            made += len(batch)
            batch = []
            print(f"  {made}", flush=True)
    Activity.objects.bulk_create(batch)
    approved = list(
        Activity.objects.filter(status="approved").values_list("pk", "summarized_at")[: count // 100]
    )
    ActivityChange.objects.bulk_create(
        ActivityChange(activity_id=pk, data={"name": "修改后的名称"}, submitted_by=owners[0])
        for pk, _ in approved
    )
    ActivitySummary.objects.bulk_create(
        ActivitySummary(
            activity_id=pk, text="顺利举行", participants=rng.randrange(10, 500), created_by=owners[0]
        )
        for pk, summarized in Activity.objects.filter(summarized_at__isnull=False).values_list(
            "pk", "summarized_at"
        )
    )
    if connection.vendor == "postgresql":  # as autovacuum would, before anyone reviews
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"Inserted in {time.perf_counter() - began:.0f} s", flush=True)


def reviewer(short_name, phone):
    from accounts.models import User
    from directory.models import SupervisingUnit
    from reviews.models import ReviewerRole

    user = User.objects.create_user(phone, "x")
    ReviewerRole.objects.create(user=user, unit=SupervisingUnit.objects.get(short_name=short_name))
    client = Client()
    client.force_login(user)
    return user, client


def time_page(client, url, repeat):
    samples, queries = [], 0
    client.get(url)  # warm up
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            response = client.get(url)
            samples.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, response.status_code
        queries = len(captured)
    return statistics.median(samples), max(samples), queries


def explain(client, url):
    """EXPLAIN ANALYZE the slowest queries of one page."""
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    slowest = sorted(captured.captured_queries, key=lambda q: float(q["time"]), reverse=True)[:3]
    for query in slowest:
        print(f"\n-- {query['time']} s: {query['sql'][:300]}")
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN ANALYZE " + query["sql"])
            for (line,) in cursor.fetchall():
                print(line)


def dataset_reviewers(count):
    """The load benchmark's data set and its reviewers of 河北省科协 and 中国科协 (``--dataset``)."""
    from django.core.management import call_command

    from accounts.models import User
    from bench.dataset import generate

    call_command("migrate", verbosity=0)
    facts = generate(count)
    clients = []
    for phone in (facts["province_reviewer_phone"], facts["cast_reviewer_phone"]):
        user = User.objects.get(phone=phone)
        client = Client()
        client.force_login(user)
        clients.append((user, client))
    return clients


def export(user, unit, *, traced: bool) -> None:
    """Build the export of ``unit``'s read set as the worker does and print its cost; then remove it."""
    from reviews import services
    from reviews.models import ExportJob

    job = ExportJob.objects.create(requested_by=user, unit=unit)
    if traced:  # slower: only the peak of Python allocations is read from this run
        tracemalloc.start()
        job = services.build_export(job)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"Peak Python allocations during the export (tracemalloc): {peak / 1e6:.1f} MB")
    else:
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        began = time.perf_counter()
        job = services.build_export(job)
        elapsed = time.perf_counter() - began
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(
            f"\nExport of {job.done} rows: {elapsed:.1f} s ({job.done / elapsed:.0f} rows/s), "
            f"file {job.file.size / 1e6:.1f} MB"
        )
        print(
            f"Peak RSS of the process: {rss_after / 1024:.1f} MB, "
            f"grown by {(rss_after - rss_before) / 1024:.1f} MB during the export"
        )
    job.file.delete()
    job.delete()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activities", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--explain", action="store_true", help="print the plans of the queue's queries")
    parser.add_argument(
        "--dataset",
        action="store_true",
        help="use DATABASE_URL's database as it is, filled by bench/dataset.py",
    )
    parser.add_argument("--export-only", action="store_true", help="skip the queue pages")
    parser.add_argument(
        "--no-trace", action="store_true", help="skip the export's second run under tracemalloc"
    )
    args = parser.parse_args()

    setup_test_environment(debug=False)  # no query log: it would be the biggest thing in memory
    config = None
    try:
        if args.dataset:
            (_, hebei), (national_user, national) = dataset_reviewers(args.activities)
        else:
            config = setup_databases(verbosity=0, interactive=False, aliases={"default"})
            populate(args.activities)
            _, hebei = reviewer("河北省科协", "13600000001")
            national_user, national = reviewer("中国科协", "13600000002")
        engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        if not args.export_only:
            print(
                f"\nQueue page ({engine}, {args.activities} activities, "
                f"median and max of {args.repeat} requests)"
            )
            print(f"{'':42}{'median ms':>10}{'max ms':>9}{'queries':>9}")
            for label, client, url in [
                ("河北省科协, waiting", hebei, "/review/"),
                ("河北省科协, 保定市", hebei, "/review/?region=130600&state=all"),
                ("中国科协, waiting (everything below it)", national, "/review/"),
                ("中国科协, all states, page 50", national, "/review/?state=all&page=50"),
                ("中国科协, search by organisation", national, "/review/?state=all&q=第123中学"),
            ]:
                median, worst, queries = time_page(client, url, args.repeat)
                print(f"{label:42}{median:10.1f}{worst:9.1f}{queries:9d}")
            if args.explain:
                explain(national, "/review/?state=all&page=50")

        from directory.models import SupervisingUnit

        cast = SupervisingUnit.objects.get(kind="cast")
        export(national_user, cast, traced=False)
        if not args.no_trace:
            export(national_user, cast, traced=True)
    finally:
        if config is not None:
            teardown_databases(config, verbosity=0)


if __name__ == "__main__":
    main()
