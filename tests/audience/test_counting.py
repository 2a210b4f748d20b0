"""Page views and shares: counted on the request (one Redis command), added by the flush.

Counts go through the page cache, skip bots, survive a Redis restart up to the last
flush, and are added once however many flushes run at once.
"""

import threading
import time
from datetime import date, datetime, timedelta

import pytest
from django.db import connection, transaction
from django.db.models import Sum

from audience import counting, flush
from audience.models import ActivityReach, ActivityReachDay, FlushedBatch, PageViewDay, RegionReachDay
from tests.factories import make_activity
from tests.support import SHANGHAI

pytestmark = pytest.mark.django_db

PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"
DESKTOP = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36"
AS_PHONE = {"HTTP_USER_AGENT": PHONE}
DAY = date(2020, 9, 15)


def url(activity):
    return f"/a/{activity.public_code}/"


def views(activity):
    reach = ActivityReach.objects.filter(activity=activity).first()
    return (reach.views, reach.shares) if reach else (0, 0)


def test_every_view_counts_the_cached_ones_and_304s_too(client, approved, during, django_assert_num_queries):
    first = client.get(url(approved), **AS_PHONE)
    with django_assert_num_queries(0):  # served from the cache, and counted
        client.get(url(approved), **AS_PHONE)
    assert client.get(url(approved), HTTP_IF_NONE_MATCH=first["ETag"], **AS_PHONE).status_code == 304
    client.get(url(approved), HTTP_USER_AGENT=DESKTOP)
    assert views(approved) == (0, 0)  # waiting for the flush
    flush.flush()
    assert views(approved) == (4, 0)
    day = ActivityReachDay.objects.get(activity=approved)
    assert (day.day, day.views, day.shares) == (DAY, 4, 0)
    region = RegionReachDay.objects.get()
    assert (region.day, region.region_id, region.views) == (DAY, approved.region_id, 4)
    assert region.province_id == (approved.region.parent_id or approved.region_id)


def test_bots_and_clients_without_a_user_agent_are_not_counted(client, approved, during):
    for agent in (
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
        "Mozilla/5.0 (Linux; Android 5.0) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 "
        "(compatible; Bytespider; spider-feedback@bytedance.com)",
        "facebookexternalhit/1.1",
        "curl/8.5.0",
        "python-requests/2.32",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/126.0 Safari/537.36",
    ):
        assert client.get(url(approved), HTTP_USER_AGENT=agent).status_code == 200
    assert client.get(url(approved)).status_code == 200  # no User-Agent at all
    assert client.post(f"{url(approved)}share/", HTTP_USER_AGENT="Googlebot/2.1").status_code == 204
    flush.flush()
    assert views(approved) == (0, 0)
    assert not ActivityReachDay.objects.exists()


def test_the_list_and_the_home_page_are_counted_per_day(client, approved, clock):
    clock.move_to(datetime(2020, 9, 15, 23, 59, 59, 999999, tzinfo=SHANGHAI), tick=False)
    client.get("/", **AS_PHONE)
    client.get("/activities/", **AS_PHONE)
    client.get("/activities/?page=2&keyword=节水", **AS_PHONE)
    clock.move_to(datetime(2020, 9, 16, tzinfo=SHANGHAI), tick=False)  # the next day in Asia/Shanghai
    client.get("/", **AS_PHONE)
    client.get(url(approved), **AS_PHONE)
    flush.flush()
    rows = sorted(PageViewDay.objects.values_list("day", "page", "views"))
    assert rows == [(DAY, "home", 1), (DAY, "list", 2), (DAY + timedelta(days=1), "home", 1)]
    assert list(ActivityReachDay.objects.values_list("day", "views")) == [(DAY + timedelta(days=1), 1)]


def test_errors_redirects_and_pages_of_no_activity_are_not_counted(client, organiser, during):
    draft = make_activity(organiser, status="draft")
    assert client.get(url(draft), **AS_PHONE).status_code == 404
    assert client.get("/a/nosuchcode/", **AS_PHONE).status_code == 404
    assert client.head("/", **AS_PHONE).status_code == 200
    flush.flush()
    assert not ActivityReach.objects.exists() and not PageViewDay.objects.exists()


def test_a_share_is_counted_like_a_view(client, approved, during):
    share = f"{url(approved)}share/"
    assert client.post(share, **AS_PHONE).status_code == 204
    assert client.post(share, HTTP_USER_AGENT=DESKTOP).status_code == 204
    assert client.get(share, **AS_PHONE).status_code == 405
    assert client.post("/a/nosuchcode/share/", **AS_PHONE).status_code == 204  # dropped by the flush
    flush.flush()
    assert views(approved) == (0, 2)
    assert ActivityReach.objects.count() == 1


def test_the_share_needs_no_csrf_token(approved, during):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post(f"{url(approved)}share/", **AS_PHONE).status_code == 204
    flush.flush()
    assert views(approved) == (0, 1)


def test_totals_equal_their_daily_rows_across_flushes(client, approved, clock):
    for day in (14, 15, 16):
        clock.move_to(datetime(2020, 9, day, 12, tzinfo=SHANGHAI), tick=False)
        for _ in range(day - 12):
            client.get(url(approved), **AS_PHONE)
        client.post(f"{url(approved)}share/", **AS_PHONE)
        flush.flush()
    reach = ActivityReach.objects.get(activity=approved)
    days = ActivityReachDay.objects.filter(activity=approved).aggregate(v=Sum("views"), s=Sum("shares"))
    regions = RegionReachDay.objects.aggregate(v=Sum("views"), s=Sum("shares"))
    assert (
        (reach.views, reach.shares)
        == (days["v"], days["s"])
        == (regions["v"], regions["s"])
        == (2 + 3 + 4, 3)
    )


def test_a_batch_added_but_not_forgotten_is_not_added_again(approved):
    """A flush that stopped after its commit, before Redis forgot the batch: the next one skips it."""
    store = counting.store()
    store.add(counting.field(counting.VIEW, approved.public_code, DAY), 5)
    assert store.take("stopped")
    assert flush._add("stopped", store.read("stopped"))  # committed; the batch is still in Redis
    result = flush.flush()
    assert (result.batches, result.counted) == (0, 0)
    assert views(approved) == (5, 0)
    assert store.batches() == []


def test_a_batch_taken_but_not_added_is_added_by_the_next_flush(approved):
    """A flush that stopped after taking the batch, before its commit: nothing is lost."""
    store = counting.store()
    store.add(counting.field(counting.VIEW, approved.public_code, DAY), 3)
    assert store.take("stopped")
    store.add(counting.field(counting.VIEW, approved.public_code, DAY), 2)  # counted meanwhile
    result = flush.flush()
    assert (result.batches, result.counted) == (2, 5)
    assert views(approved) == (5, 0)
    assert FlushedBatch.objects.filter(pk="stopped").exists()


def test_a_redis_restart_loses_only_what_was_counted_since_the_last_flush(client, approved, during):
    for _ in range(2):
        client.get(url(approved), **AS_PHONE)
    flush.flush()
    for _ in range(3):
        client.get(url(approved), **AS_PHONE)
    counting.store().clear()  # Redis restarted: it keeps nothing on disk
    assert flush.flush().counted == 0  # nothing pending, nothing fails
    for _ in range(4):
        client.get(url(approved), **AS_PHONE)
    client.post(f"{url(approved)}share/", **AS_PHONE)
    flush.flush()
    assert views(approved) == (2 + 4, 1)


def test_redis_down_drops_the_count_not_the_page(client, approved, during, redis_url, settings, caplog):
    settings.CACHES = {  # the cache handler starts again on the new settings (setting_changed)
        **settings.CACHES,
        "default": {**settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:1/0"},
    }
    assert client.get(url(approved), **AS_PHONE).status_code == 200
    assert client.post(f"{url(approved)}share/", **AS_PHONE).status_code == 204
    counting.TALLY.send()  # as the process's thread does each second
    assert "2 counts were dropped" in caplog.text
    assert counting.TALLY.counts == {}  # not kept to grow while Redis is away


def test_the_request_only_adds_to_the_process_tally_and_a_thread_sends_it(
    client, approved, during, redis_url, django_assert_num_queries
):
    """A counted page costs no Redis command; the process's thread sends its tally within a second."""
    import redis

    counting.TALLY.automatic = True
    counting.TALLY.pid = None  # as in a freshly forked app server
    pending = redis.Redis.from_url(redis_url)
    key = counting.cache.make_key(counting.PENDING)
    client.get(url(approved), **AS_PHONE)  # made and kept by the page cache
    client.get(url(approved), **AS_PHONE)
    client.post(f"{url(approved)}share/", **AS_PHONE)
    name = counting.field(counting.VIEW, approved.public_code)
    assert counting.TALLY.counts.get(name, 0) + int(pending.hget(key, name) or 0) == 2
    for _ in range(100):  # 5 s at most (the clock is stopped: count the naps)
        if pending.hget(key, name) is not None:
            break
        time.sleep(0.05)
    assert int(pending.hget(key, name)) == 2
    assert int(pending.hget(key, counting.field(counting.SHARE, approved.public_code))) == 1
    assert counting.TALLY.counts == {}


def test_unreadable_fields_are_skipped(approved):
    store = counting.store()
    store.add("garbage", 7)
    store.add(f"2020xx15:v:{approved.public_code}", 7)
    store.add(counting.field("x", approved.public_code, DAY), 7)
    store.add(counting.field(counting.SHARE, counting.HOME, DAY), 7)
    store.add(counting.field(counting.VIEW, approved.public_code, DAY), 1)
    flush.flush()
    assert views(approved) == (1, 0)
    assert not PageViewDay.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_flushes_at_once_add_a_batch_once(approved, postgres, redis_url):
    """Two beats (or workers) flush together: the second waits on the first's batch id, then skips it."""
    store = counting.store()
    store.add(counting.field(counting.VIEW, approved.public_code, DAY), 7)
    store.add(counting.field(counting.SHARE, approved.public_code, DAY), 2)
    assert store.take("shared")
    counts = store.read("shared")
    inside, release = threading.Event(), threading.Event()
    real_write = flush._write
    results = {}

    def slow_write(found):
        real_write(found)
        inside.set()
        release.wait(10)  # the first holds its transaction open while the second tries

    def first():
        try:
            flush._write = slow_write
            results["first"] = flush._add("shared", counts)
        finally:
            connection.close()

    def second():
        try:
            inside.wait(10)
            timer = threading.Timer(0.5, release.set)  # let the first commit while the second waits
            timer.start()
            results["second"] = flush._add("shared", counts)
        finally:
            connection.close()

    try:
        threads = [threading.Thread(target=first), threading.Thread(target=second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(20)
    finally:
        flush._write = real_write
    assert results == {"first": True, "second": False}
    assert views(approved) == (7, 2)
    with transaction.atomic():
        assert ActivityReachDay.objects.get(activity=approved).views == 7


def test_the_home_page_shows_the_seasons_four_figures(client, approved, during):
    for _ in range(1234):
        counting.store().add(counting.field(counting.VIEW, approved.public_code))
    client.post(f"{url(approved)}share/", **AS_PHONE)
    client.get("/activities/", **AS_PHONE)
    flush.flush()
    html = client.get("/", **AS_PHONE).content.decode()
    assert 'data-figure="activities">1<' in html
    assert 'data-figure="participants">0<' in html
    assert 'data-figure="views">1,235<' in html  # the activity's and the list's
    assert 'data-figure="shares">1<' in html
    for label in ("科普活动", "参与人次", "浏览量", "分享次数"):
        assert label in html


def test_without_redis_a_page_with_figures_flushes_first(client, approved, during, monkeypatch):
    """No beat on a development machine: the home page adds what waits in memory before it counts."""
    memory = counting.MemoryStore()
    monkeypatch.setattr(counting, "store", lambda: memory)
    for _ in range(3):
        client.get(url(approved), **AS_PHONE)
    assert 'data-figure="views">3<' in client.get("/", **AS_PHONE).content.decode()


def test_with_redis_pages_leave_the_flush_to_beat(client, approved, during, redis_url):
    for _ in range(3):
        client.get(url(approved), **AS_PHONE)
    assert 'data-figure="views">0<' in client.get("/", **AS_PHONE).content.decode()
    assert views(approved) == (0, 0)


def test_beat_flushes_every_few_minutes(approved, settings):
    from audience import tasks

    entry = settings.CELERY_BEAT_SCHEDULE["flush-views-and-shares"]
    assert (entry["task"], entry["schedule"]) == ("audience.tasks.flush_counts", 120.0)
    counting.store().add(counting.field(counting.VIEW, approved.public_code, DAY), 4)
    assert tasks.flush_counts.delay().get() == 4
    assert views(approved) == (4, 0)
