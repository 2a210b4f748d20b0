"""The flush: what Redis counted since the last one, added to PostgreSQL's daily rows.

Beat runs ``flush()`` every ``AUDIENCE_FLUSH_SECONDS``. It takes the pending hash as a
new batch (an atomic rename: counts arriving meanwhile start a new hash), then adds each
batch still noted in Redis — this one, and any that a flush stopped half-way left behind
— in one transaction per batch, which first inserts the batch's id into
``FlushedBatch``. Two flushes at once (two beats, two workers) may read the same batch:
the second one's insert waits for the first one's commit and then fails on the primary
key, so the batch is added once (``tests/audience``). A batch is forgotten in Redis only
after its transaction committed.

What Redis loses when it restarts (it keeps nothing on disk) is what was counted since
the last flush: a few minutes of views. What was flushed is in PostgreSQL.
"""

import io
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from activities.models import Activity
from directory.models import Region

from . import counting
from .models import ActivityReach, ActivityReachDay, FlushedBatch, PageViewDay, RegionReachDay

logger = logging.getLogger(__name__)

PAGES = {counting.HOME: PageViewDay.Page.HOME, counting.LIST: PageViewDay.Page.LIST}
KEEP_BATCH_IDS = timedelta(days=2)  # longer than any batch can wait in Redis


@dataclass
class Flushed:
    batches: int = 0
    counted: int = 0  # views and shares added
    seconds: float = 0.0


def flush() -> Flushed:
    """Add everything counted so far; safe to run anywhere, any number of times at once."""
    started = time.monotonic()
    counting.TALLY.send()  # what this process counted is in Redis before the batch is taken
    store = counting.store()
    store.take(uuid.uuid4().hex)
    result = Flushed()
    for batch in store.batches():
        counts = store.read(batch)
        if _add(batch, counts):
            result.batches += 1
            result.counted += sum(counts.values())
        store.drop(batch)
    FlushedBatch.objects.filter(at__lt=timezone.now() - KEEP_BATCH_IDS).delete()
    result.seconds = time.monotonic() - started
    cache.set(FLUSHED_RECENTLY, True, 2 * settings.AUDIENCE_FLUSH_SECONDS)
    if result.batches:
        logger.info("Flushed %s views and shares in %.1f s", result.counted, result.seconds)
    return result


def _add(batch: str, counts: dict[str, int]) -> bool:
    """Add one batch, unless it was added already (by another flush, or before a crash)."""
    try:
        with transaction.atomic():
            FlushedBatch.objects.create(id=batch, counted=sum(counts.values()))
            _write(counts)
    except IntegrityError:
        return False
    return True


STAGE = "audience_flush_stage"  # a temporary table of the batch's counts, in the flush's session


def _rows(counts: dict[str, int]):
    """(day, kind, target, amount) of each readable field; others (not ours) are dropped."""
    days = {}
    for name, amount in counts.items():
        parts = name.split(":", 2)
        if len(parts) != 3 or parts[1] not in (counting.VIEW, counting.SHARE):
            continue
        text = parts[0]
        if text not in days:
            try:
                days[text] = datetime.strptime(text, "%Y%m%d").date().isoformat()
            except ValueError:
                days[text] = None
        if days[text] is not None:
            yield days[text], parts[1], parts[2], amount


def _stage(cursor, rows) -> None:
    """The batch into a temporary table: COPY on PostgreSQL, rows on SQLite."""
    cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
    columns = "day date, kind varchar(1), target varchar(64), n bigint"
    cursor.execute(f"CREATE TEMPORARY TABLE {STAGE} ({columns})")
    if connection.vendor == "postgresql":
        lines = io.StringIO("".join(f"{day}\t{kind}\t{target}\t{n}\n" for day, kind, target, n in rows))
        cursor.copy_expert(f"COPY {STAGE} (day, kind, target, n) FROM STDIN", lines)
        cursor.execute(f"ANALYZE {STAGE}")
    else:
        cursor.executemany(f"INSERT INTO {STAGE} VALUES (%s, %s, %s, %s)", list(rows))  # noqa: S608


def _write(counts: dict[str, int]) -> None:
    """Add the batch to the four tables: four INSERT … SELECT … GROUP BY … ON CONFLICT statements over
    the staged counts joined to the activities (codes that name none drop out of the join)."""
    quote = connection.ops.quote_name
    activity, region = quote(Activity._meta.db_table), quote(Region._meta.db_table)
    by_day, total = quote(ActivityReachDay._meta.db_table), quote(ActivityReach._meta.db_table)
    by_region, pages = quote(RegionReachDay._meta.db_table), quote(PageViewDay._meta.db_table)
    views = f"SUM(CASE WHEN f.kind = '{counting.VIEW}' THEN f.n ELSE 0 END)"
    shares = f"SUM(CASE WHEN f.kind = '{counting.SHARE}' THEN f.n ELSE 0 END)"
    counted = f"FROM {STAGE} f JOIN {activity} a ON a.public_code = f.target"
    province = "COALESCE(r.parent_id, a.region_id)"
    page_names = " ".join(f"WHEN '{target}' THEN '{page}'" for target, page in PAGES.items())
    page_targets = ", ".join(f"'{target}'" for target in PAGES)
    added = "views = {table}.views + EXCLUDED.views, shares = {table}.shares + EXCLUDED.shares"
    # Names from the models' metadata and constants of this module: no text from a request.
    statements = [
        f"INSERT INTO {by_day} (activity_id, day, views, shares) "
        f"SELECT a.id, f.day, {views}, {shares} {counted} WHERE true GROUP BY a.id, f.day "
        f"ON CONFLICT (activity_id, day) DO UPDATE SET {added.format(table=by_day)}",
        f"INSERT INTO {total} (activity_id, campaign_id, region_id, province_id, views, shares) "
        f"SELECT a.id, a.campaign_id, a.region_id, {province}, {views}, {shares} {counted} "
        f"LEFT JOIN {region} r ON r.id = a.region_id WHERE true "
        f"GROUP BY a.id, a.campaign_id, a.region_id, {province} "
        f"ON CONFLICT (activity_id) DO UPDATE SET {added.format(table=total)}, "
        "campaign_id = EXCLUDED.campaign_id, region_id = EXCLUDED.region_id, "
        "province_id = EXCLUDED.province_id",
        f"INSERT INTO {by_region} (day, campaign_id, region_id, province_id, views, shares) "
        f"SELECT f.day, a.campaign_id, a.region_id, {province}, {views}, {shares} {counted} "
        f"JOIN {region} r ON r.id = a.region_id WHERE true "
        f"GROUP BY f.day, a.campaign_id, a.region_id, {province} "
        f"ON CONFLICT (campaign_id, day, region_id) DO UPDATE SET {added.format(table=by_region)}",
        f"INSERT INTO {pages} (day, page, views) "  # noqa: S608
        f"SELECT f.day, CASE f.target {page_names} END, "
        f"SUM(f.n) FROM {STAGE} f WHERE f.kind = '{counting.VIEW}' AND f.target IN ({page_targets}) "
        "GROUP BY f.day, f.target "
        f"ON CONFLICT (day, page) DO UPDATE SET views = {pages}.views + EXCLUDED.views",
    ]
    with connection.cursor() as cursor:
        _stage(cursor, _rows(counts))
        for statement in statements:
            cursor.execute(statement)
        cursor.execute(f"DROP TABLE {STAGE}")


FLUSHED_RECENTLY = "audience:flushed-recently"


def flush_if_due() -> None:
    """On a machine without Redis (development: one process, no beat), flush first when no flush ran
    for two periods, so that its pages show their counts. With Redis, beat flushes: a page never
    starts a flush of the whole country's counts."""
    if isinstance(counting.store(), counting.MemoryStore) and not cache.get(FLUSHED_RECENTLY):
        flush()
