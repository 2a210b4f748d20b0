#!/usr/bin/env python
"""The site under load at national scale: throughput and latency of the busy paths against a baseline.

    .venv/bin/python bench/load.py [--activities 100000] [--seconds 15] [--results bench/RESULTS.md]
    .venv/bin/python bench/load.py --seconds 3 --only 审核,统计      # the reviewers' rows only
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/kepuri_load500 \
        .venv/bin/python bench/load.py --activities 500000 --prepare-only   # fill a second database

Needs PostgreSQL and Redis (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/kepuri_load; BENCH_REDIS_URL, default
redis://127.0.0.1:6379/7) and wrk (``apt-get install wrk``). Keep one database
per size (kepuri_load for 100,000, kepuri_load500 for 500,000): a set is only
replaced by a larger one while no decision refers to it. In one run it:

1. migrates the benchmark database and fills it once (bench/dataset.py:
   activities, organisations, users, likes, comments, reviewers; reused by
   later runs; ``--prepare-only`` stops here);
2. serves the project with gunicorn on 127.0.0.1 under the production settings
   (DEBUG off, Redis cache, database-backed sessions behind it), with one more
   URL: a view returning a fixed short string, the baseline, behind the same
   middleware (bench/settings.py);
3. loads each path with wrk from a separate process at a fixed concurrency,
   after a warm-up, picking each request at random from a realistic set (1,000
   popular activities, every city, twenty keywords, 200 logged-in visitors),
   the reviewers' console last (中国科协's, a 省科协's and a city-level 科协's
   reviewer);
4. counts each path's SQL queries per request in-process (the same settings);
5. prints a table — requests/s, p50, p99, queries, ratio to the baseline,
   failed requests by kind — and the targets (issues 8 and 19) met or missed,
   and writes it with the list's query plans into --results, between the
   file's markers (its prose stays).

审核通过 changes the data: each request approves a fresh pending activity, sent
once. Decisions cannot be undone (the review log is append-only), so a run
takes activities still waiting for their first decision (30 % of the set is
待审核) and, when earlier runs have approved too many of them, bench/dataset.py
adds pending copies (``fresh_pending``). Each run approves about its decisions'
rate × (warm-up + seconds) activities, which then count as approved in every
later run.
"""

import argparse
import os
import platform
import random
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from urllib.parse import urlencode, urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kepuri.testing import PLAIN_HTTP_PRODUCTION, free_port, start_gunicorn, stop

DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kepuri_load")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")
STATIC_ROOT = Path(tempfile.gettempdir()) / "kepuri-load-static"
SERVER_ENV = {
    **PLAIN_HTTP_PRODUCTION,
    "DJANGO_SETTINGS_MODULE": "bench.settings",
    "SECRET_KEY": "bench-" + "x" * 50,
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "DATABASE_URL": DATABASE_URL,
    "REDIS_URL": REDIS_URL,
    "CACHE_KEY_PREFIX": "bench",
    "CELERY_TASK_DEFAULT_QUEUE": "bench-load",
    "STATIC_ROOT": str(STATIC_ROOT),
    "LOG_LEVEL": "WARNING",
    "SMS_BACKEND": "database",
    # Every request of the load comes from 127.0.0.1: the API's per-address and per-account limits
    # are counted (their cost is part of each request) but set beyond what the load reaches.
    "API_RATE_PER_ADDRESS": "100000000",
    "API_RATE_PER_ACCOUNT": "100000000",
}
os.environ.update(SERVER_ENV)

import django

django.setup()

from django.core.cache import cache, caches
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

# (name, target ratio of the baseline's requests/s, target p99 in ms)
TARGETS = {
    "活动页（匿名）": (0.60, 100),
    "活动页（已登录，页面+me）": (0.30, None),
    "点赞": (0.30, None),
    "列表：按城市": (0.25, 150),
    "列表：两字关键词": (0.25, 150),
    "归口单位联想": (0.50, None),
    "API：活动详情（匿名）": (0.50, None),
    "API：列表按城市": (0.25, None),
    "API：列表两字关键词": (0.25, None),
    # Issue 19: the reviewers' console (at 500,000 activities the same within a factor of 1.5).
    "审核页面": (0.15, None),
    "审核通过": (0.10, None),
    "统计": (0.10, None),
    "审核队列（市级）": (0.10, 300),
    "审核队列（中国科协）": (0.10, 300),
}
# (name, the row it is measured against, target ratio of that row's requests/s): issue 20's counting
# costs a page at most 5 % of its throughput (the two rows differ only by the User-Agent: a bot's is
# not counted, a phone's is, one HINCRBY).
RELATIVE_TARGETS = {"活动页（匿名，计数）": ("活动页（匿名，不计数）", 0.95)}
PHONE_AGENT = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"
BOT_AGENT = "Mozilla/5.0 (compatible; bench-bot/1.0)"


def create_database():
    import psycopg2

    url = urlparse(DATABASE_URL)
    name = url.path.lstrip("/")
    admin = psycopg2.connect(
        host=url.hostname, port=url.port or 5432, user=url.username, password=url.password, dbname="postgres"
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def prepare(activities: int) -> dict:
    from bench.dataset import generate

    create_database()
    call_command("migrate", verbosity=0)
    facts = generate(activities)
    call_command("collectstatic", verbosity=0, interactive=False)
    cache.clear()  # the bench's own Redis database: nothing else lives there
    return facts


# --- sessions -------------------------------------------------------------------------------


ONCE = 30_000  # requests prepared for a path whose requests can each be sent once (a code is used once)
# 审核通过 of a fresh item per request: the warm-up takes items 30–5,000, the measure the next 15,000
# (1,000 decisions a second for 15 s); what a run does not send stays pending for the next run.
DECISIONS = 20_000
CSRF_SECRET = secrets.token_hex(16)  # 32 characters: a valid unmasked CSRF secret


def session_cookies(phones) -> dict[str, str]:
    """A logged-in user's cookies (session and CSRF) as a Cookie header, by phone."""
    from accounts.models import User

    cookies = {}
    for user in User.objects.filter(phone__in=phones):
        client = Client()
        client.force_login(user)
        # kepuri_reader: the cookie a browser keeps from its login (accounts.middleware.reader_cookie).
        session = client.cookies["sessionid"].value
        cookies[user.phone] = f"sessionid={session}; csrftoken={CSRF_SECRET}; kepuri_reader=1"
    return cookies


LOGIN_CODE = "246810"


def login_codes(phones, purpose="login") -> list[str]:
    """A fresh, unused SMS code (``LOGIN_CODE``) for each of ``phones``, as if each had just asked
    for one: written straight into the table (no SMS, no limit counted). A code is used once, so
    each run makes its own; the earlier runs' are removed first."""
    from datetime import timedelta

    from django.utils import timezone

    from accounts import services
    from accounts.models import SmsCode

    SmsCode.objects.filter(phone__in=phones, purpose=purpose).delete()
    now = timezone.now()
    SmsCode.objects.bulk_create(
        [
            SmsCode(
                phone=phone,
                purpose=purpose,
                code_hmac=services._code_hmac(phone=phone, purpose=purpose, code=LOGIN_CODE),
                created_at=now,
                expires_at=now + timedelta(hours=2),
            )
            for phone in phones
        ],
        batch_size=5000,
    )
    return list(phones)


def code_phones(count: int, offset: int) -> list[str]:
    """``count`` phones of the data set's users (not the 200 visitors'), from ``offset`` on."""
    from accounts.models import User

    users = User.objects.filter(is_active=True).order_by("phone")
    return list(users.values_list("phone", flat=True)[offset : offset + count])


def api_tokens(phones) -> list[str]:
    """An API access token for each of these users (valid for the run's length and more)."""
    from django.test import override_settings

    from accounts import tokens
    from accounts.models import User

    with override_settings(API_ACCESS_TOKEN_SECONDS=24 * 3600):
        return [tokens.issue(user, client="bench").access for user in User.objects.filter(phone__in=phones)]


# --- requests ---------------------------------------------------------------------------------


def scenarios(facts) -> list[dict]:
    """Each path's request mix: method, path, headers, body (picked at random per request)."""
    from activities.models import Activity
    from directory.models import Region

    rng = random.Random(2020)
    hot = facts["hot_codes"]
    visitors = list(session_cookies(facts["public_user_phones"]).values())
    organisers = list(
        Activity.objects.filter(public_code__in=hot[:200]).values_list("owner__phone", "public_code")
    )
    organiser_cookies = session_cookies([phone for phone, _ in organisers])
    cities = list(Region.objects.cities().values_list("code", "name"))
    bearers = api_tokens(facts["public_user_phones"])
    ajax = {"X-Requested-With": "XMLHttpRequest", "X-CSRFToken": CSRF_SECRET}
    form = {"Content-Type": "application/x-www-form-urlencoded", "X-CSRFToken": CSRF_SECRET}

    def get(path, cookie=None):
        return {"method": "GET", "path": path, "headers": {"Cookie": cookie} if cookie else {}, "body": ""}

    def agent(request, user_agent):
        request["headers"]["User-Agent"] = user_agent
        return request

    def autocomplete():
        code, name = rng.choice(cities)
        kind = rng.choice(["city", "provincial", "society", "ministry"])
        q = rng.choice(["", name[:1], name[:2], "kx", "科协", "学会"])
        return get("/directory/units/autocomplete/?" + urlencode({"type": kind, "region": code, "q": q}))

    return [
        {"name": "基准（固定字符串）", "requests": [get("/bench/baseline/")]},
        {"name": "活动页（匿名）", "requests": [get(f"/a/{code}/") for code in hot]},
        {
            "name": "活动页（匿名，不计数）",
            "requests": [agent(get(f"/a/{code}/"), BOT_AGENT) for code in hot],
        },
        {
            "name": "活动页（匿名，计数）",
            "requests": [agent(get(f"/a/{code}/"), PHONE_AGENT) for code in hot],
        },
        {
            # A page view: the HTML every reader shares, then its script's /a/<code>/me (issue 18).
            "name": "活动页（已登录，页面+me）",
            "group": 2,
            "requests": [
                item
                for code, cookie in ((rng.choice(hot), rng.choice(visitors)) for _ in range(2000))
                for item in (get(f"/a/{code}/", cookie), get(f"/a/{code}/me", cookie))
            ],
        },
        {
            "name": "列表：按城市",
            "requests": [get(f"/activities/?region={code}") for code in facts["city_codes"]],
        },
        {
            "name": "列表：两字关键词",
            "requests": [get("/activities/?" + urlencode({"q": keyword})) for keyword in facts["keywords"]],
        },
        {
            "name": "点赞",
            "requests": [
                {
                    "method": "POST",
                    "path": f"/a/{rng.choice(hot)}/like/",
                    "headers": {
                        **ajax,
                        "Cookie": rng.choice(visitors),
                        "Content-Type": "application/x-www-form-urlencoded",
                    },
                    "body": f"on={rng.choice('01')}",
                }
                for _ in range(2000)
            ],
        },
        {
            "name": "二维码 PNG",
            "requests": [
                get(f"/activities/{code}/qrcode.png", organiser_cookies[phone]) for phone, code in organisers
            ],
        },
        {"name": "归口单位联想", "requests": [autocomplete() for _ in range(2000)]},
        {"name": "API：活动详情（匿名）", "requests": [get(f"/api/v1/activities/{code}/") for code in hot]},
        {
            "name": "API：列表按城市",
            "requests": [get(f"/api/v1/activities/?region={code}") for code in facts["city_codes"]],
        },
        {
            "name": "API：列表两字关键词",
            "requests": [
                get("/api/v1/activities/?" + urlencode({"q": keyword})) for keyword in facts["keywords"]
            ],
        },
        {
            "name": "API：点赞",
            "requests": [
                {
                    "method": rng.choice(["PUT", "DELETE"]),
                    "path": f"/api/v1/activities/{rng.choice(hot)}/like/",
                    "headers": {"Authorization": f"Bearer {rng.choice(bearers)}"},
                    "body": "",
                }
                for _ in range(2000)
            ],
        },
        {
            # 验证码登录 of an existing account: the code checked and used, the session made.
            "name": "验证码登录",
            "once": True,
            "requests": [
                {
                    "method": "POST",
                    "path": "/accounts/login/code/",
                    "headers": {**form, "Cookie": f"csrftoken={CSRF_SECRET}"},
                    "body": urlencode({"phone": phone, "code": LOGIN_CODE, "agree": "on"}),
                }
                for phone in login_codes(code_phones(ONCE, 0))
            ],
        },
        {
            # The sign-in sheet's one POST: 验证码登录 and 点赞 together.
            "name": "扫码登录并点赞",
            "once": True,
            "requests": [
                {
                    "method": "POST",
                    "path": f"/a/{rng.choice(hot)}/join/",
                    "headers": {**ajax, **form, "Cookie": f"csrftoken={CSRF_SECRET}"},
                    "body": urlencode({"action": "like", "phone": phone, "code": LOGIN_CODE}),
                }
                for phone in login_codes(code_phones(ONCE, ONCE))
            ],
        },
        # Last: the reviewers' paths could saturate the server (the queue did: seconds a request,
        # timeouts), and the requests still queued when a path's time is up would weigh on the next.
        *review_scenarios(facts, rng, get, form),
    ]


def review_scenarios(facts, rng, get, form) -> list[dict]:
    """The reviewers' console (issue 19): an activity's page, 审核通过, statistics, the queue.

    Reviewers of 中国科协 (the whole country), of 河北省科协 and of the busiest
    city-level 科协 (dataset.py). 审核通过 takes a fresh pending activity per
    request, each sent once, decided by the reviewer of the unit it belongs to
    (中国科协's when that unit has none): ``dataset.fresh_pending`` hands out
    items never decided, adding pending copies when earlier runs used them up.
    """
    from bench.dataset import fresh_pending
    from directory.models import SupervisingUnit
    from reviews import access

    cast, province, city = (
        facts["cast_reviewer_phone"],
        facts["province_reviewer_phone"],
        facts["city_reviewer_phone"],
    )
    by_unit = {int(unit): phone for unit, phone in facts["reviewer_phones"].items()}
    decisions = fresh_pending(DECISIONS)
    rng.shuffle(decisions)
    deciders = [by_unit.get(unit, cast) for _, unit in decisions]
    cookies = session_cookies({cast, province, city, *deciders})
    units = {
        phone: SupervisingUnit.objects.get(pk=unit)
        for unit, phone in by_unit.items()
        if phone in (cast, province, city)
    }

    def sample(phone, count):
        """``count`` activities of the reviewer's read set, at random: an activity page each."""
        codes = access.read_set(units[phone]).order_by("?").values_list("public_code", flat=True)[:count]
        return [get(f"/review/activities/{code}/", cookies[phone]) for code in codes]

    def queue(phone, queries):
        return [
            get("/review/" + (f"?{urlencode(query)}" if query else ""), cookies[phone]) for query in queries
        ]

    keywords = [{"state": "all", "q": keyword} for keyword in facts["keywords"][:5]]
    cities = [{"state": "all", "region": code} for code in rng.sample(facts["city_codes"], 10)]
    waiting = [{}] * 4 + [{"state": "pending"}, {"state": "change"}]
    return [
        {
            # Each page once, as a reviewer goes through them: no page is asked before the load (warm).
            "name": "审核页面",
            "warm": False,
            "requests": sample(cast, 600) + sample(province, 500) + sample(city, 400),
        },
        {
            # 审核通过 answers with a redirect (302) whether it decided or not (the refusal is a message
            # on the next page): main() counts the decisions made and each missing one as a failure.
            "name": "审核通过",
            "once": True,
            "decides": True,
            "requests": [
                {
                    "method": "POST",
                    "path": f"/review/activities/{code}/decide/",
                    "headers": {**form, "Cookie": cookies[phone]},
                    "body": urlencode({"decision": "approve"}),
                }
                for (code, _), phone in zip(decisions, deciders, strict=True)
            ],
        },
        {"name": "统计", "requests": [get("/review/statistics/", cookies[cast])]},
        {
            "name": "审核队列（市级）",
            "requests": queue(
                city,
                [
                    *waiting,
                    {"state": "all"},
                    {"state": "approved"},
                    {"state": "all", "scope": "read"},
                    {"state": "all", "region": facts["city_reviewer_region"]},
                    *keywords,
                ],
            ),
        },
        {
            "name": "审核队列（中国科协）",
            "requests": queue(cast, [*waiting, {"state": "all"}, {"state": "approved"}, *cities, *keywords]),
        },
    ]


def select(paths: list[dict], only: str | None) -> list[dict]:
    """The baseline and the paths whose name holds one of ``only``'s comma-separated words."""
    words = [word for word in (only or "").split(",") if word]
    return [paths[0], *[p for p in paths[1:] if not words or any(word in p["name"] for word in words)]]


def lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def lua_script(requests: list[dict], *, group: int = 1, once: bool = False) -> str:
    """A wrk script that sends the requests in a random order: by ``group``s of consecutive requests
    kept together (a page and its ``me``), or, ``once``, each request at most once (the wrk threads
    take their own halves in order; past the end, the last one again, which then fails)."""
    rows = []
    for item in requests:
        headers = ", ".join(f"[{lua_string(k)}] = {lua_string(v)}" for k, v in item["headers"].items())
        body = lua_string(item["body"]) if item["body"] else "nil"
        rows.append(
            f"  wrk.format({lua_string(item['method'])}, {lua_string(item['path'])}, {{{headers}}}, {body}),"
        )
    if once:
        pick = "function request()\n  at = math.min(at + 1, last)\n  return requests[at]\nend\n"
    else:
        pick = (
            f"function request()\n  if step == 0 then first = (math.random(#requests / {group}) - 1) * {group} end\n"
            f"  step = (step + 1) % {group}\n  return requests[first + (step == 0 and {group} or step)]\nend\n"
        )
    return (
        "local threads = 0\n"
        "function setup(thread)\n  thread:set('id', threads)\n  threads = threads + 1\nend\n"
        "local requests, first, step, at, last = nil, 0, 0, 0, 0\n"
        "function init(args)\n  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))\n  requests = {\n"
        + "\n".join(rows)
        + "\n  }\n"
        "  local share = math.floor(#requests / 2)\n  at = id * share\n  last = at + share\nend\n" + pick
    )


# --- the server and the load ----------------------------------------------------------------


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def parse_wrk(output: str) -> dict:
    def latency(percent):
        match = re.search(rf"^\s*{percent}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
        return float(match.group(1)) * UNITS[match.group(2)]

    answers = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return {
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": latency(50),
        "p99": latency(99),
        "failed": int(answers.group(1)) if answers else 0,
        "timeouts": int(errors.group(4)) if errors else 0,
        "errors": sum(int(n) for n in errors.groups()[:3]) if errors else 0,
    }


# A row's failed requests by kind: answers that are not 2xx/3xx, wrk's timeouts (2 s), other socket
# errors, and (审核通过) requests answered without a decision made.
FAILURES = {"failed": "非 2xx/3xx", "timeouts": "超时", "errors": "连接错误", "undecided": "未审核"}


def failures(row) -> tuple[int, str]:
    """The total of a row's failed requests, and as shown: ``0``, or ``5（非 2xx/3xx 2，超时 3）``."""
    counts = {label: row.get(key, 0) for key, label in FAILURES.items()}
    total = sum(counts.values())
    detail = "，".join(f"{label} {n}" for label, n in counts.items() if n)
    return total, f"{total}（{detail}）" if total else "0"


def run_wrk(base: str, requests, seconds: int, connections: int, threads: int, **order) -> dict:
    if order.get("once"):
        assert threads == 2, "the script shares the requests out between two threads"
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua_script(requests, **order))
    try:
        command = [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "-s",
            script.name,
            base,
        ]
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(script.name)
    return parse_wrk(output)


def send(item):
    """One request of a mix, in-process, with its cookies and headers."""
    client = Client()
    for pair in item["headers"].get("Cookie", "").split("; "):
        if pair:
            key, value = pair.split("=", 1)
            client.cookies[key] = value
    headers = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in item["headers"].items() if k != "Cookie"}
    if item["method"] == "POST":
        return client.post(
            item["path"], item["body"], content_type=item["headers"]["Content-Type"], **headers
        )
    return client.generic(item["method"], item["path"], **headers)


def check_responses(requests) -> None:
    """Every request of the mix answers 200 (or, a login, 302) in-process first: a benchmark of error
    pages proves nothing."""
    for item in requests[:20]:
        if (status := send(item).status_code) not in (200, 302):
            raise SystemExit(f"{item['method']} {item['path']} answered {status}")


def check_decided(requests) -> None:
    """The decisions sent in-process decided: each activity is now approved (a refusal also redirects)."""
    from activities.models import Activity

    codes = [item["path"].split("/")[3] for item in requests]
    approved = Activity.objects.filter(public_code__in=codes, status=Activity.Status.APPROVED).count()
    if approved != len(codes):
        raise SystemExit(f"审核通过: {len(codes) - approved} of {len(codes)} decisions were refused")


def decisions_since(started) -> int:
    """审核通过 recorded since ``started`` (the load's are the only decisions made meanwhile)."""
    from activities.models import ReviewDecision

    return ReviewDecision.objects.filter(
        at__gte=started, from_status=ReviewDecision.State.PENDING, to_status=ReviewDecision.State.APPROVED
    ).count()


def queries_per_request(requests, group: int = 1, once: bool = False) -> tuple[int, int]:
    """SQL queries of one request of the mix (of one group: a page view), cold (caches emptied),
    then warm (caches filled; for a request that can be sent once, the next one)."""
    counts = []
    cache.clear()
    caches["local"].clear()
    for attempt in range(2):
        with CaptureQueriesContext(connection) as captured:
            for item in requests[attempt * group if once else 0 :][:group]:
                send(item)
        counts.append(len(captured))
    return counts[0], counts[1]


def warm(base: str, requests) -> None:
    """Ask each distinct page of a GET mix once, as the first visitors of the day would."""
    import urllib.request

    for item in {item["path"]: item for item in requests if item["method"] == "GET"}.values():
        request = urllib.request.Request(base + item["path"], headers=item["headers"])  # noqa: S310
        with urllib.request.urlopen(request) as response:  # noqa: S310 -- http://127.0.0.1 only
            response.read()


def plans(facts) -> str:
    """PostgreSQL's plans of the public list's queries (EXPLAIN ANALYZE), to show the indexes at work."""
    from activities.models import Activity
    from public import selectors
    from public.filters import ActivityListFilter
    from public.models import Comment

    city = facts["city_codes"][0]
    listed = selectors.for_list(selectors.listed())
    by_city = ActivityListFilter({"region": city}, queryset=listed).qs
    keyword = ActivityListFilter({"q": facts["keywords"][0]}, queryset=listed).qs
    hottest = Activity.objects.get(public_code=facts["hot_codes"][0])
    queries = {
        f"列表按城市（{city}）：第一页": by_city[:20],
        f"列表按城市（{city}）：计数": by_city.order_by().values("pk"),
        f"列表关键词（{facts['keywords'][0]}）：第一页": keyword[:20],
        "最热门活动的评论：第一页": Comment.objects.visible()
        .filter(activity=hottest)
        .select_related("author")[:20],
    }
    queries.update(review_plans(facts))
    out = []
    for title, queryset in queries.items():
        out.append(f"**{title}**\n\n```\n{queryset.explain(analyze=True)}\n```")
    return "\n\n".join(out)


def review_plans(facts) -> dict:
    """The review queue's queries (issue 19): a page by key and a count, for each kind of scope and filter."""
    from django.db.models import Q
    from django.http import QueryDict

    from accounts.models import User
    from reviews import queue
    from reviews.access import reviewer_unit
    from reviews.views import QUEUE_COLUMNS

    def of(phone, query=""):
        user = User.objects.get(phone=phone)
        return queue.Queue(reviewer_unit(user), QueryDict(query), user=user, columns=QUEUE_COLUMNS)

    def first_page(items):
        return items.rows.filter(Q(waiting_since__isnull=False)).order_by(*queue.ORDER)[: queue.PAGE_SIZE + 1]

    cast, city = facts["cast_reviewer_phone"], facts["city_reviewer_phone"]
    national = of(cast)
    deep = national.rows.filter(waiting_since__isnull=False).order_by(*queue.ORDER)[5000]
    key = queue.Key.of(deep)
    plans = {
        "审核队列（中国科协，待审核）：第一页": first_page(national),
        "审核队列（中国科协，待审核）：计数": national.rows.order_by().values("pk"),
        "审核队列（中国科协，待审核）：第 101 页（游标）": national.rows.filter(
            queue._beyond(key, forward=True)
        ).order_by(*queue.ORDER)[: queue.PAGE_SIZE + 1],
        "审核页面：第 5001 条的位置（之前的计数）": national.rows.filter(queue._beyond(key, forward=False))
        .order_by()
        .values("pk"),
        "审核队列（中国科协，全部，按城市）：第一页": of(
            cast, f"state=all&region={facts['city_codes'][0]}"
        ).rows.order_by(*queue.ORDER)[: queue.PAGE_SIZE + 1],
        f"审核队列（中国科协，关键词 {facts['keywords'][0]}）：第一页": first_page(
            of(cast, f"q={facts['keywords'][0]}")
        ),
        "审核队列（中国科协，活动日期 2020-09-16）：第一页": first_page(
            of(cast, "starts_from=2020-09-16&starts_to=2020-09-16")
        ),
        "审核队列（市级，我审核的）：第一页": first_page(of(city)),
        "审核队列（市级，辖区内全部）：第一页": of(city, "state=all&scope=read").rows.order_by(*queue.ORDER)[
            : queue.PAGE_SIZE + 1
        ],
    }
    return plans


# --- the report ---------------------------------------------------------------------------------


def machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    cpu = platform.processor() or platform.machine()
    try:
        model = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        model = cpu
    return (
        f"{os.cpu_count()} cores ({model}), {memory:.0f} GB memory, {platform.system()} {platform.release()}"
    )


def remeasure_reference(rows, base, paths, args) -> None:
    """A row measured against another (RELATIVE_TARGETS) right after it: measure the other once more.

    The machine is shared, and its load drifts during a run: with the reference measured
    before and after (A B A), its mean and the row stand at the same moment on average.
    """
    row = rows[-1]
    relative = RELATIVE_TARGETS.get(row["name"])
    reference = next((r for r in rows if relative and r["name"] == relative[0]), None)
    if reference is None:
        return
    item = paths[reference["name"]]
    again = run_wrk(base, item["requests"], args.seconds, args.connections, 2, group=item.get("group", 1))
    first = reference["rps"]
    reference["requests"] += again["requests"]
    for key in ("failed", "timeouts", "errors"):  # either run's failures count
        reference[key] += again[key]
    reference["rps"] = (first + again["rps"] / item.get("group", 1)) / 2
    print(
        f"{reference['name']} again: {again['rps']:.0f} req/s (mean of both: {reference['rps']:.0f}); "
        f"{row['name']}: {row['rps'] / reference['rps']:.1%} of it",
        flush=True,
    )


def table(rows, baseline_rps) -> tuple[str, list[str]]:
    lines = [
        "| 路径 | 请求/秒 | p50 (ms) | p99 (ms) | SQL（冷/热） | 相对基准 | 失败 | 目标 |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    missed = []
    by_name = {row["name"]: row for row in rows}
    for row in rows:
        ratio = row["rps"] / baseline_rps
        target = TARGETS.get(row["name"])
        verdict = ""
        relative = RELATIVE_TARGETS.get(row["name"])
        if relative and relative[0] in by_name:
            other, share = relative
            own = row["rps"] / by_name[other]["rps"]
            ok = own >= share and not failures(row)[0]
            verdict = ("达到 " if ok else "未达到 ") + f"≥{share:.0%}（{other}）：{own:.0%}"
            if not ok:
                missed.append(f"{row['name']}: {own:.0%} of {other} (≥{share:.0%})")
        if target:
            share, p99 = target
            ok = ratio >= share and (p99 is None or row["p99"] <= p99) and not failures(row)[0]
            wanted = f"≥{share:.0%}" + (f"，p99≤{p99} ms" if p99 else "")
            verdict = ("达到 " if ok else "未达到 ") + wanted
            if not ok:
                missed.append(f"{row['name']}: {ratio:.0%} of baseline, p99 {row['p99']:.1f} ms ({wanted})")
        lines.append(
            f"| {row['name']} | {row['rps']:.0f} | {row['p50']:.1f} | {row['p99']:.1f} "
            f"| {row['queries'][0]}/{row['queries'][1]} | {ratio:.0%} | {failures(row)[1]} | {verdict} |"
        )
    return "\n".join(lines), missed


def write_results(path: Path, table_text: str, plans_text: str) -> None:
    """Put the table and the plans in ``path`` between their markers, keeping the prose around them."""
    parts = {"table": table_text, "plans": plans_text}
    text = path.read_text() if path.exists() else ""
    if not all(f"<!-- bench:{name} -->" in text for name in parts):
        text = "\n\n".join(f"<!-- bench:{name} -->\n<!-- /bench:{name} -->" for name in parts) + "\n"
    for name, content in parts.items():
        text = re.sub(
            rf"<!-- bench:{name} -->.*?<!-- /bench:{name} -->",
            lambda _match, name=name, content=content: (
                f"<!-- bench:{name} -->\n{content}\n<!-- /bench:{name} -->"
            ),
            text,
            flags=re.S,
        )
    path.write_text(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--activities", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=15, help="load per path")
    parser.add_argument("--warmup", type=int, default=5, help="seconds of load per path before measuring")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 2) * 3)
    parser.add_argument("--threads", type=int, default=2, help="gunicorn threads per worker")
    parser.add_argument(
        "--only",
        help="run only the paths whose name contains this (or one of these, comma-separated: 审核,统计)",
    )
    parser.add_argument("--results", help="write the report (markdown) to this file")
    parser.add_argument(
        "--prepare-only",
        action="store_true",
        help="only create, migrate and fill the database (BENCH_DATABASE_URL), then stop",
    )
    args = parser.parse_args()
    if args.prepare_only:
        began = time.perf_counter()
        facts = prepare(args.activities)
        print(f"Data ready in {time.perf_counter() - began:.0f} s: {facts['activities']} activities")
        return
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")
    if connection.vendor != "postgresql":
        raise SystemExit("The load benchmark runs on PostgreSQL (BENCH_DATABASE_URL)")

    began = time.perf_counter()
    facts = prepare(args.activities)
    print(f"Data ready in {time.perf_counter() - began:.0f} s: {facts['activities']} activities", flush=True)
    paths = select(scenarios(facts), args.only)

    port = free_port()
    server = start_gunicorn(
        port, env={**os.environ, **SERVER_ENV}, workers=args.workers, threads=args.threads
    )
    rows = []
    try:
        base = f"http://127.0.0.1:{port}"
        for item in paths:
            requests, group, once = item["requests"], item.get("group", 1), item.get("once", False)
            check_responses(requests)
            if item.get("decides"):
                check_decided(requests[:20])
            item["queries"] = queries_per_request(requests[20:] if once else requests, group, once)
            if item.get("warm", True) and len({item["path"] for item in requests}) <= 2000:  # page views too
                warm(base, requests)
            # A request sent once: the warm-up and the measure each take their own part.
            warmup, measured = (requests[30:5000], requests[5000:]) if once else (requests, requests)
            run_wrk(base, warmup, args.warmup, args.connections, 2, group=group, once=once)
            # Non-2xx answers and socket errors (timeouts included) go in the table's 失败 column,
            # and a path with any has missed its target.
            started = timezone.now()
            result = run_wrk(base, measured, args.seconds, args.connections, 2, group=group, once=once)
            if item.get("decides"):  # a request answered but nothing decided is a failure too
                result["undecided"] = max(0, result["requests"] - decisions_since(started))
            result["rps"] /= group  # a page view is its HTML and its me: counted as one
            rows.append({"name": item["name"], "queries": item["queries"], **result})
            print(
                f"{item['name']}: {result['rps']:.0f} req/s, p50 {result['p50']:.1f} ms, "
                f"p99 {result['p99']:.1f} ms, queries {item['queries'][0]}/{item['queries'][1]}, "
                f"failed {failures(result)[1]}",
                flush=True,
            )
            remeasure_reference(rows, base, {p["name"]: p for p in paths}, args)
    finally:
        stop(server, timeout=30)

    report, missed = table(rows, rows[0]["rps"])
    header = (
        f"{date.today().isoformat()} · {machine()} · {facts['activities']:,} activities · "
        f"wrk {args.connections} connections, {args.seconds} s per path after {args.warmup} s of warm-up · "
        f"gunicorn {args.workers} workers × {args.threads} threads"
    )
    print("\n" + header + "\n\n" + report)
    print("\nAll targets met." if not missed else "\nMissed:\n- " + "\n- ".join(missed))
    if args.results:
        write_results(Path(args.results), header + "\n\n" + report, plans(facts))
    sys.exit(1 if missed else 0)


if __name__ == "__main__":
    main()
