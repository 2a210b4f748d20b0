"""Two app servers, two workers, two beats on one PostgreSQL and one Redis: one state (issue 11).

- Two gunicorn servers, A and B, each of two processes, serve the site under the
  production settings (plain HTTP on 127.0.0.1 aside) on two ports, as behind a
  load balancer: a browser's cookies go to both. A login, the SMS and login
  limits, a like and an approval made through one are seen through the other.
- Cached pages: a change moves the page's generation on in Redis, and every app
  process reads the generation there on each request (its own copy of the page,
  ``kepuri.microcache``, is kept under it): the change shows at once through both.
- Two Celery workers share the delivery of a reminder run, and a second beat
  started by mistake sends the 09:00 run twice: every organiser is told once.
"""

import functools
import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.cache import caches
from django.db.models import Count
from django.utils import timezone

from activities.reports import Report
from kepuri.testing import PLAIN_HTTP_PRODUCTION, ROOT, database_url, free_port, start_gunicorn, stop
from notifications.models import DailyRun, Message
from public import pagecache
from reviews.models import ReviewerRole
from sms.models import SentSms
from tests.factories import PASSWORD, UserFactory, make_activity, make_change
from tests.reviews.conftest import unit
from tests.support import header_text, text_of
from tests.workers import (
    beat_state_with_due,
    delete_queue,
    make_due_drafts,
    no_sms_twice,
    start_beat,
    start_worker,
    wait_for,
)

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


# --- two app servers -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def _started():
    """The module's servers, started by the first test that asks for them and stopped after the last."""
    started = {"processes": [], "urls": []}
    yield started
    for server in started["processes"]:
        stop(server)
    if "log" in started:
        started["log"].close()
        delete_queue(started["queue"])


@pytest.fixture
def servers(postgres, redis_url, _started, tmp_path_factory):
    """The base URLs of servers A and B: gunicorn, two processes of two threads each, on the test database."""
    if not _started["urls"]:
        folder = tmp_path_factory.mktemp("scale-out")
        queue = _started["queue"] = f"scale-out-{uuid.uuid4().hex[:10]}"
        env = {
            **os.environ,
            **PLAIN_HTTP_PRODUCTION,
            "DJANGO_SETTINGS_MODULE": "kepuri.settings",
            "SECRET_KEY": "scale-out-" + "x" * 50,
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": database_url(),
            "REDIS_URL": redis_url,
            # This run's prefixes (tests/conftest.py): the test reads what the servers keep and
            # empties it before each test, as its own.
            "CACHE_KEY_PREFIX": settings.CACHES["default"]["KEY_PREFIX"],
            "RATELIMIT_KEY_PREFIX": settings.RATELIMIT_KEY_PREFIX,
            "CELERY_TASK_DEFAULT_QUEUE": queue,  # the notices' delivery sweeps, dropped at the end
            "SMS_BACKEND": "database",
            "STATIC_ROOT": str(folder / "static"),
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "PRIVATE_MEDIA_ROOT": str(folder / "private"),
            "LOG_LEVEL": "WARNING",
        }
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity=0"],
            cwd=ROOT, env=env, check=True,
        )  # fmt: skip
        log = _started["log"] = open(folder / "gunicorn.log", "ab")  # noqa: SIM115  (closed at the end)
        urls = []
        for _ in range(2):
            port = free_port()
            _started["processes"].append(start_gunicorn(port, env=env, workers=2, threads=2, log=log))
            urls.append(f"http://127.0.0.1:{port}")
        _started["urls"] = urls
    return _started["urls"]


@functools.cache
def server_password() -> str:
    """``PASSWORD`` hashed as the servers check it (PBKDF2): the tests' own MD5 hasher is not theirs."""
    hasher = PBKDF2PasswordHasher()
    return hasher.encode(PASSWORD, hasher.salt())


def account(phone):
    """A user who can log in through the servers with ``PASSWORD``."""
    user = UserFactory(phone=phone)
    user.password = server_password()
    user.save(update_fields=["password"])
    return user


class Browser:
    """One browser's cookies: it may reach either server, as through a load balancer."""

    def __init__(self):
        self.session = requests.Session()

    def get(self, url):
        return self.session.get(url, allow_redirects=False, timeout=30)

    def post(self, url, data, *, page, ajax=False):
        """Send ``data`` from ``page`` with the CSRF token of the cookie, as Django wants it."""
        headers = {"X-CSRFToken": self.session.cookies.get("csrftoken", ""), "Referer": page}
        if ajax:
            headers["X-Requested-With"] = "XMLHttpRequest"
        return self.session.post(url, data=data, headers=headers, allow_redirects=False, timeout=30)

    def log_in(self, server, phone, password=PASSWORD):
        page = server + "/accounts/login/"
        self.get(page)
        return self.post(page, {"phone": phone, "password": password}, page=page)


def shown_at_once(ask, shows_change) -> None:
    """Every answer from now on shows the change, whichever of the server's processes gives it.

    Each process keeps its own copy of a cached page for a second (kepuri.microcache), but under
    the page's generation, read from Redis each time: a change through another server shows at once.
    """
    for _ in range(6):
        assert shows_change(ask())


# --- sessions ----------------------------------------------------------------------------------


def test_logged_in_on_one_server_is_logged_in_on_the_other(servers):
    a, b = servers
    user = account("13800138000")
    browser = Browser()

    assert browser.log_in(a, user.phone).status_code == 302
    me = browser.get(b + "/accounts/me/")
    assert me.status_code == 200
    assert user.masked_phone in header_text(me)

    # 退出 through B ends the session through A too, even for a copy of its cookie (another tab's).
    cookie = browser.session.cookies["sessionid"]
    assert browser.post(b + "/accounts/logout/", {}, page=b + "/accounts/me/").status_code == 302
    other_tab = Browser()
    other_tab.session.cookies.set("sessionid", cookie)
    again = other_tab.get(a + "/accounts/me/")
    assert again.status_code == 302 and again.headers["Location"].startswith("/accounts/login/")


# --- limits ------------------------------------------------------------------------------------


def test_sms_code_limits_count_requests_to_both_servers(servers):
    a, b = servers
    browser = Browser()
    browser.get(a + "/accounts/register/")

    def ask(server, phone):
        return browser.post(
            server + "/accounts/sms-code/",
            {"phone": phone, "purpose": "register"},
            page=server + "/accounts/register/",
        )

    sent = ask(a, "13800138000")
    assert sent.status_code == 200 and sent.json()["message"] == "验证码已发送，5分钟内有效"
    again = ask(b, "13800138000")  # at once, through the other server
    assert again.status_code == 429
    assert re.fullmatch(r"验证码发送过于频繁，请 (59|60) 秒后再试", again.json()["message"])
    assert SentSms.objects.filter(phone="13800138000").count() == 1

    # Per address: both servers see the same client; 20 requests an hour, the two above included.
    for n in range(18):
        assert ask([a, b][n % 2], f"1370000{n:04d}").status_code == 200
    refused = ask(a, "13711112222")
    assert refused.status_code == 429
    assert re.fullmatch(
        r"当前网络1小时内获取验证码已达20次，请于 \d\d:\d\d 后再试", refused.json()["message"]
    )
    assert SentSms.objects.count() == 19


LOCKED = r"该手机号15分钟内连续登录失败5次，已锁定15分钟，请于 \d\d:\d\d 后再试"


def test_login_failures_on_both_servers_lock_the_phone(servers):
    a, b = servers
    user = account("13800138000")
    browser = Browser()

    said = []
    for server in [a, b, a, b, a]:
        response = browser.log_in(server, user.phone, password="wrong-password-2020")
        assert response.status_code == 200
        said.append(re.search(f"手机号码或密码错误，还可尝试\\d次|{LOCKED}", text_of(response))[0])
    assert said[:4] == [f"手机号码或密码错误，还可尝试{n}次" for n in (4, 3, 2, 1)]
    assert re.fullmatch(LOCKED, said[4])

    # The right password, through either server: refused while the lock lasts.
    for server in [b, a]:
        response = browser.log_in(server, user.phone)
        assert response.status_code == 200
        assert re.search(LOCKED, text_of(response))
        assert browser.get(server + "/accounts/me/").status_code == 302


# --- cached pages ------------------------------------------------------------------------------


def shared_page(code: str):
    """The visitors' page of ``code`` in Redis, as a server now reads it (not this process's old copy)."""
    caches["local"].clear()
    return pagecache.cached_activity_page(code)


def likes(response) -> int:
    return int(re.search(r'data-count="likes">(\d+)<', response.text)[1])


def test_a_like_through_one_server_shows_through_the_other(servers):
    a, b = servers
    activity = make_activity(UserFactory(), status="approved")
    page = f"/a/{activity.public_code}/"
    member = Browser()
    member.log_in(a, account("13700137000").phone)
    visitor = Browser()
    for _ in range(4):  # rendered by B once, then from the cache (Redis, and the process's own copy)
        assert likes(visitor.get(b + page)) == 0
    assert shared_page(activity.public_code) is not None

    liked = member.post(a + page + "like/", {"on": "1"}, page=a + page, ajax=True)
    assert liked.json()["counts"]["likes"] == 1

    # At once: the shared copy is gone; on B the page counts the like, the member's own state (what
    # the page's script asks for) says 已点赞, and 个人中心 lists it.
    assert shared_page(activity.public_code) is None
    assert likes(member.get(b + page)) == 1
    state = member.get(b + page + "me").json()
    assert state["liked"] is True and state["counts"]["likes"] == 1
    assert activity.name in text_of(member.get(b + "/accounts/me/?tab=liked"))
    # Visitors on B: at once too.
    shown_at_once(lambda: visitor.get(b + page), lambda response: likes(response) == 1)


def test_an_approval_through_one_server_shows_through_the_other(servers):
    a, b = servers
    organiser = UserFactory()
    changed = make_activity(
        organiser, status="approved", name="节水科普进社区", owner_unit=unit("河北省科协")
    )
    make_change(changed, data={**Report.of(changed).to_json(), "name": "节水科普进校园"})
    pending = make_activity(organiser, status="pending", name="湿地科普行", owner_unit=unit("河北省科协"))
    reviewer = account("13900000001")
    ReviewerRole.objects.create(user=reviewer, unit=unit("河北省科协"))
    console = Browser()
    console.log_in(a, reviewer.phone)
    visitor = Browser()
    for _ in range(2):  # B renders and caches the pages and the list, as they are before the decisions
        assert "节水科普进社区" in text_of(visitor.get(b + f"/a/{changed.public_code}/"))
        assert "活动审核中" in text_of(visitor.get(b + f"/a/{pending.public_code}/"))
        listed = text_of(visitor.get(b + "/activities/"))
        assert "节水科普进社区" in listed and "湿地科普行" not in listed

    for activity in (changed, pending):
        decide = f"{a}/review/activities/{activity.public_code}/decide/"
        page = f"{a}/review/activities/{activity.public_code}/"
        assert console.post(decide, {"decision": "approve"}, page=page).status_code == 302

    # At once: B's console has nothing left waiting, and the shared copies are gone.
    assert "待审核 0" in text_of(console.get(b + "/review/"))
    for activity in (changed, pending):
        assert shared_page(activity.public_code) is None
    # Visitors on B: at once too, the pages and the list show the decisions.
    shown_at_once(
        lambda: text_of(visitor.get(b + f"/a/{changed.public_code}/")),
        lambda text: "节水科普进校园" in text and "节水科普进社区" not in text,
    )
    assert "湿地科普行" in text_of(visitor.get(b + f"/a/{pending.public_code}/"))
    listed = text_of(visitor.get(b + "/activities/"))
    assert "节水科普进校园" in listed and "湿地科普行" in listed and "节水科普进社区" not in listed


# --- workers and beat --------------------------------------------------------------------------

ORGANISERS = 200
WORKERS, BEATS = ("w1", "w2"), ("beat1", "beat2")


def returned(log: Path, task: str) -> list[str]:
    """What each run of ``task`` returned, as the worker logged it in ``log``."""
    succeeded = re.escape(task) + r"\[[^\]]+\] succeeded in [\d.]+s: (\{[^}]*\})"
    return re.findall(succeeded, log.read_text(errors="replace"))


def test_two_workers_and_a_second_beat_tell_each_organiser_once(redis_url, postgres, tmp_path):
    make_due_drafts(ORGANISERS)
    queue = f"scale-out-{uuid.uuid4().hex[:10]}"
    logs = {name: tmp_path / f"{name}.log" for name in WORKERS + BEATS}
    outputs = {name: log.open("ab") for name, log in logs.items()}
    processes = []

    def reminder_runs():
        return [run for name in WORKERS for run in returned(logs[name], "activities.tasks.send_reminders")]

    def reminder_ticks():
        succeeded = re.compile(r"activities\.tasks\.send_reminders\[[^\]]+\] succeeded")
        return sum(len(succeeded.findall(logs[name].read_text(errors="replace"))) for name in WORKERS)

    # The reminders' minute is this one (the workers decide whether the day's run is due).
    hour_and_minute = timezone.localtime()
    reminder_time = {
        "REMINDER_HOUR": str(hour_and_minute.hour),
        "REMINDER_MINUTE": str(hour_and_minute.minute),
    }

    try:
        # Two workers of two processes each; the delivery sweeps a run starts match their four.
        for name in WORKERS:
            processes.append(
                start_worker(redis_url, queue, "--concurrency=2", f"--hostname={name}@%h", log=outputs[name],
                             SMS_DELIVERY_TASKS="4", SLOW_SMS_DELAY="0.05", PYTHONUNBUFFERED="1", **reminder_time)
            )  # fmt: skip
        wait_for(lambda: all(" ready." in logs[name].read_text() for name in WORKERS))

        # A second beat started by mistake: at the minute both ask for the day's reminders; one run
        # finds them due, the other finds the day running or finished and does nothing.
        for name in BEATS:
            beat_state_with_due(tmp_path / f"{name}.schedule", "deadline-reminders")
            processes.append(
                start_beat(
                    redis_url, queue, tmp_path / f"{name}.schedule", log=outputs[name], PYTHONUNBUFFERED="1",
                    **reminder_time,
                )
            )  # fmt: skip
        sending = "Sending due task deadline-reminders (activities.tasks.send_reminders)"
        wait_for(lambda: all(sending in logs[name].read_text() for name in BEATS))
        wait_for(lambda: reminder_ticks() >= 2)
        sms_rows = Message.objects.filter(channel="sms")
        wait_for(lambda: not sms_rows.exclude(state="sent").exists())
        time.sleep(1)  # the delivery sweeps the second run started find nothing more
    finally:
        for process in processes:
            stop(process)
        for output in outputs.values():
            output.close()
        delete_queue(queue)

    # One run found the 200 drafts due ...
    assert reminder_runs() == ["{'report_draft': 200, 'supplement_missing': 0, 'summary_missing': 0}"]
    assert DailyRun.objects.get(job="reminders").finished_at is not None
    # ... and each organiser has one message on the site and one SMS, sent once.
    assert dict(Message.objects.values_list("channel").annotate(n=Count("pk"))) == {
        "site": ORGANISERS,
        "sms": ORGANISERS,
    }
    assert not Message.objects.values("recipient", "kind", "channel").annotate(n=Count("pk")).filter(n__gt=1)
    assert set(sms_rows.values_list("state", flat=True)) == {"sent"}
    assert SentSms.objects.count() == SentSms.objects.values("phone").distinct().count() == ORGANISERS
    no_sms_twice()
    # The two workers shared the delivery.
    sent = {
        name: sum(
            int(re.search(r"'sent': (\d+)", run)[1])
            for run in returned(logs[name], "notifications.tasks.deliver_sms")
        )
        for name in WORKERS
    }
    assert sum(sent.values()) == ORGANISERS
    assert all(sent.values()), sent
