#!/usr/bin/env python
"""A summary reminder over 100,000 organisers, run by a real Celery worker, delivered through the
`database` SMS backend.

    DATABASE_URL=postgres://... REDIS_URL=redis://... .venv/bin/python bench/reminders.py \
        [--organisers 100000] [--concurrency 2]

Builds a throw-away test database and gives each organiser one approved
activity that has started and has no summary, with the summary deadline three
days away. Then starts a Celery worker (prefork, ``--concurrency`` processes)
on a queue of its own, sends it the day's ``send_reminders`` task as beat
would, and waits until every SMS is sent: the reminders are queued (site + SMS
rows, in chunks) and the delivery sweeps share the SMS, five at a time, each
marked after it is sent. Reports the time to queue and to deliver, and the
worker's peak memory: the high-water mark of resident memory (VmHWM) of each
of its processes.
"""

import argparse
import os
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kepuri.settings")
os.environ["SMS_BACKEND"] = "database"
QUEUE = os.environ["CELERY_TASK_DEFAULT_QUEUE"] = f"bench-reminders-{uuid.uuid4().hex[:8]}"  # ours alone

import django

django.setup()

from django.conf import settings
from django.db import connection
from django.test.utils import setup_databases, setup_test_environment, teardown_databases
from django.utils import timezone

from kepuri.testing import database_url


def populate(count):
    from accounts.models import User
    from activities.models import Activity, Campaign
    from directory.models import Region, SupervisingUnit

    today = timezone.localdate()
    campaign = Campaign.objects.create(
        year=today.year, name="基准年度", national_theme="主题", label="基准年度活动",
        report_opens=today - timedelta(days=40), report_closes=today - timedelta(days=10),
        supplement_closes=today + timedelta(days=1), summary_closes=today + timedelta(days=3),
    )  # fmt: skip
    city = Region.objects.get(code="130600")
    unit = SupervisingUnit.objects.get(region=city)
    started = timezone.now() - timedelta(days=5)
    print(f"Inserting {count} organisers and their activities ...", flush=True)
    began = time.perf_counter()
    for offset in range(0, count, 5000):
        users = User.objects.bulk_create(
            User(phone=f"13{n:09d}", password="!") for n in range(offset, min(offset + 5000, count))
        )
        Activity.objects.bulk_create(
            Activity(
                public_code=f"r{user.pk:07d}", owner=user, campaign=campaign, status="approved",
                name=f"科普活动{user.pk}", starts_at=started, ends_at=started + timedelta(hours=3),
                region=city, owner_unit=unit, supplemented_at=started,
            )
            for user in users
        )  # fmt: skip
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"Inserted in {time.perf_counter() - began:.0f} s", flush=True)
    return today


def start_worker(concurrency):
    env = {**os.environ, "DATABASE_URL": database_url(), "SMS_DELIVERY_TASKS": str(concurrency),
           # production settings: with DEBUG on, Django's query log would be most of the memory
           "DJANGO_DEBUG": "0", "SECRET_KEY": "bench-only", "ALLOWED_HOSTS": "127.0.0.1"}  # fmt: skip
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "--quiet", "-A", "kepuri", "worker", f"--concurrency={concurrency}", "-Q", QUEUE,
         "--without-heartbeat", "--without-gossip", "--without-mingle", "--loglevel=WARNING"],
        cwd=ROOT, env=env,
    )  # fmt: skip


def peak_rss_mb(pid) -> list[float]:
    """VmHWM of the worker and of its pool processes, in MB."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    peaks = []
    for each in [pid, *children]:
        for line in Path(f"/proc/{each}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(int(line.split()[1]) / 1024)
    return peaks


def wait_until(condition, what, seconds=3600):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            sys.exit(f"timed out waiting for {what}")
        time.sleep(0.5)
    return time.perf_counter()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisers", type=int, default=100_000)
    parser.add_argument("--concurrency", type=int, default=2, help="the worker's processes")
    args = parser.parse_args()
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        sys.exit("Set DATABASE_URL (PostgreSQL) and REDIS_URL: the worker shares the database through Redis.")

    setup_test_environment(debug=False)  # no query log: it would be the biggest thing in memory
    config = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    worker = None
    try:
        today = populate(args.organisers)
        from kepuri.celery import app
        from notifications.models import Heartbeat, Message
        from sms.models import SentSms

        worker = start_worker(args.concurrency)
        app.send_task("notifications.tasks.heartbeat")
        wait_until(Heartbeat.objects.filter(name="worker").exists, "the worker to answer", 120)

        sms_rows = Message.objects.filter(channel="sms")
        began = time.perf_counter()
        app.send_task("activities.tasks.send_reminders", args=[today.isoformat()])
        queued = wait_until(lambda: sms_rows.count() >= args.organisers, "the reminders to be queued")
        delivered = wait_until(lambda: not sms_rows.exclude(state="sent").exists(), "the SMS to be sent")
        peaks = peak_rss_mb(worker.pid)
        sent = SentSms.objects.count()

        print(f"\npostgresql, {args.organisers} organisers, worker --concurrency={args.concurrency}")
        print(f"Queued:    {Message.objects.count()} rows (site + SMS) in {queued - began:.1f} s")
        print(f"Delivered: {sent} SMS recorded in {delivered - queued:.1f} s more "
              f"({sent / (delivered - queued):.0f}/s); whole run {delivered - began:.1f} s")  # fmt: skip
        print("Worker peak RSS (VmHWM): " + ", ".join(f"{mb:.0f} MB" for mb in peaks)
              + f"; largest process {max(peaks):.0f} MB, all together {sum(peaks):.0f} MB")  # fmt: skip

        from activities.reminders import queue_reminders

        app.conf.update(task_always_eager=False)  # the delivery sweeps it starts go to the worker
        began = time.perf_counter()
        again = queue_reminders(today, kinds=["summary_missing"])
        took = time.perf_counter() - began
        time.sleep(3)  # the sweeps it started find nothing
        print(f"Run again: {again['summary_missing']} due, {sms_rows.exclude(state='sent').count()} new SMS "
              f"queued, {SentSms.objects.count() - sent} more sent, in {took:.1f} s")  # fmt: skip
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=60)
            from kepuri.celery import app

            with app.connection_for_write() as conn:
                conn.default_channel.queue_delete(QUEUE)
        teardown_databases(config, verbosity=0)


if __name__ == "__main__":
    main()
