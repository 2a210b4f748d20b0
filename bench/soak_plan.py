"""The soak's data and requests (bench/soak.py): the data set moved to a day of its campaign, the
drafts owed a reminder, and every request the load generator may send, written as one JSON plan.

Runs in the soak's own process, after ``django.setup()`` on the soak's database.
"""

import io
import random
import uuid
from datetime import datetime, time, timedelta
from urllib.parse import urlencode

from django.db import connection, transaction
from django.test import Client, override_settings
from django.utils import timezone

ORGANISERS = 150  # who save and submit reports during the run
COMMENTS = [
    "讲得很生动，孩子特别喜欢！", "收获满满，感谢主办方。", "希望多举办这样的活动。", "实验太有趣了，大开眼界。",
    "老师讲解很专业，点赞！", "内容丰富，形式新颖。", "科学就在身边。", "学到了不少实用知识。",
]  # fmt: skip


def build(soak, mix: dict) -> dict:
    """Prepare the database for the run and return the load generator's plan."""
    from bench.dataset import fresh_pending, generate

    rng = random.Random(soak.args.seed)
    facts = generate(soak.args.activities, progress=False)
    campaign = move_campaign(soak)
    drafts = reminder_drafts(campaign, soak.args.seed)
    operations = soak.args.rate * soak.seconds
    total = sum(mix.values())

    def expected(kind: str) -> int:
        """Items for a kind whose items are used once: its share of the run, and a margin."""
        return int(operations * mix[kind] / total * 1.5) + 30

    from accounts.models import User
    from activities.models import Activity
    from directory.models import SupervisingUnit

    hot = facts["hot_codes"]
    visitors = list(User.objects.filter(phone__in=facts["public_user_phones"]).order_by("phone"))
    visitor_cookies = sessions(visitors)
    visitor_tokens = bearer_tokens(visitors)
    organisers = list(
        User.objects.filter(organization__isnull=False, phone__startswith="166")
        .exclude(pk__in=[d.owner_id for d in drafts])
        .order_by("pk")[:ORGANISERS]
    )
    organiser_cookies = sessions(organisers)
    organiser_tokens = bearer_tokens(organisers)

    def get(path, **extra):
        return {"path": path, **extra}

    kinds = {}

    def kind(name, flow, items, expect, **extra):
        kinds[name] = {
            "name": name,
            "weight": mix[name],
            "flow": flow,
            "items": items,
            "expect": expect,
            **extra,
        }

    # Page views, lists and search: anonymous.
    kind("活动页（匿名）", "get", [get(f"/a/{code}/") for code in hot], [200], skew=3)
    kind("首页（匿名）", "get", [get("/")], [200])
    kind("API：活动详情", "get", [get(f"/api/v1/activities/{code}/") for code in hot], [200], skew=3)
    cities, keywords = facts["city_codes"], facts["keywords"]
    kind("列表：按城市", "get", [get(f"/activities/?region={code}") for code in cities], [200])
    kind("列表：关键词", "get", [get("/activities/?" + urlencode({"q": k})) for k in keywords], [200])
    kind("API：列表按城市", "get", [get(f"/api/v1/activities/?region={code}") for code in cities], [200])
    kind(
        "API：列表关键词", "get", [get("/api/v1/activities/?" + urlencode({"q": k})) for k in keywords], [200]
    )

    # 点赞 / 收藏 (toggled, either way), 打卡 (each pair once, on activities under way today).
    def toggles(action, api):
        items = []
        for _ in range(3000):
            code, n = rng.choice(hot[:500]), rng.randrange(len(visitors))
            if api:
                items.append(
                    {
                        "path": f"/api/v1/activities/{code}/{action}/",
                        "bearer": visitor_tokens[n],
                        "code": code,
                    }
                )
            else:
                items.append({"path": f"/a/{code}/{action}/", "cookie": visitor_cookies[n], "code": code})
        return items

    kind("点赞（站点）", "toggle", toggles("like", api=False), [200])
    kind("点赞（API）", "toggle", toggles("like", api=True), [200])
    kind("收藏（站点）", "toggle", toggles("favorite", api=False), [200])
    pairs = checkin_pairs(hot, visitors, rng, expected("打卡（站点）") + expected("打卡（API）"))
    half = len(pairs) // 2
    kind(
        "打卡（站点）", "checkin",
        [{"path": f"/a/{code}/checkin/", "cookie": visitor_cookies[n], "code": code, "user": visitors[n].pk}
         for code, n in pairs[:half]],
        [200], once=True,
    )  # fmt: skip
    kind(
        "打卡（API）", "checkin",
        [{"path": f"/api/v1/activities/{code}/checkin/", "bearer": visitor_tokens[n], "code": code,
          "user": visitors[n].pk} for code, n in pairs[half:]],
        [200], once=True,
    )  # fmt: skip
    kind(
        "评论（站点）", "comment",
        [{"path": f"/a/{code}/comments/", "cookie": visitor_cookies[rng.randrange(len(visitors))], "code": code}
         for code in hot[:300]],
        [200],
    )  # fmt: skip
    kind(
        "评论（API）", "comment",
        [{"path": f"/api/v1/activities/{code}/comments/", "bearer": visitor_tokens[rng.randrange(len(visitors))],
          "code": code} for code in hot[:300]],
        [201],
    )  # fmt: skip

    # 获取验证码 (each phone once: one code a minute per phone) and 验证码登录 with a code made here.
    phones = spare_phones(expected("获取验证码") + expected("验证码登录"), exclude=visitors + organisers)
    asked, logging_in = phones[: expected("获取验证码")], phones[expected("获取验证码") :]
    login_codes(logging_in)
    kind("获取验证码", "sms_code", [{"phone": p} for p in asked], [200], once=True)
    kind(
        "验证码登录",
        "code_login",
        [{"phone": p, "code": soak_login_code()} for p in logging_in],
        [302],
        once=True,
    )

    # 发布活动: organisers save drafts and submit reports with a poster, on the site and through the API.
    places = report_places(rng)
    reports_site, reports_api = [], []
    for n, _organiser in enumerate(organisers):
        place = places[n % len(places)]
        reports_site.append(
            {"cookie": organiser_cookies[n], "name": f"科普日活动{n}", "fields": place["form"]}
        )
        reports_api.append({"bearer": organiser_tokens[n], "name": f"科普日活动{n}", "json": place["json"]})
    kind("填报暂存（站点）", "site_report", reports_site, [302], submit=False)
    kind("填报提交（站点）", "site_report", reports_site, [302], submit=True)
    kind("填报暂存（API）", "api_report", reports_api, [201], submit=False)
    kind("填报提交（API）", "api_report", reports_api, [201], submit=True)

    # The reviewers: the queue (site and API), an activity's page, 审核通过 of fresh pending activities.
    cast, province, city = (
        facts["cast_reviewer_phone"],
        facts["province_reviewer_phone"],
        facts["city_reviewer_phone"],
    )
    by_unit = {int(unit): phone for unit, phone in facts["reviewer_phones"].items()}
    decisions = fresh_pending(expected("审核通过"))
    rng.shuffle(decisions)
    deciders = [by_unit.get(unit, cast) for _, unit in decisions]
    reviewer_users = {u.phone: u for u in User.objects.filter(phone__in={cast, province, city, *deciders})}
    reviewer_cookies = dict(zip(reviewer_users, sessions(list(reviewer_users.values())), strict=True))
    queue_readers = [cast, province, city]
    queue_tokens = dict(
        zip(queue_readers, bearer_tokens([reviewer_users[p] for p in queue_readers]), strict=True)
    )
    queries = ["", "?state=pending", "?state=all", "?state=approved"] + [
        "?" + urlencode({"state": "all", "q": k}) for k in keywords[:5]
    ]
    kind(
        "审核队列（站点）", "get",
        [get(f"/review/{q}", cookie=reviewer_cookies[p]) for p in queue_readers for q in queries], [200],
    )  # fmt: skip
    kind(
        "审核队列（API）", "get",
        [get(f"/api/v1/review/activities/{q}", bearer=queue_tokens[p]) for p in queue_readers for q in queries],
        [200],
    )  # fmt: skip
    units = {p: SupervisingUnit.objects.get(pk=u) for u, p in by_unit.items() if p in queue_readers}
    from reviews import access

    pages = []
    for phone in queue_readers:
        codes = access.read_set(units[phone]).order_by("?").values_list("public_code", flat=True)[:300]
        pages += [get(f"/review/activities/{code}/", cookie=reviewer_cookies[phone]) for code in codes]
    kind("审核页面", "get", pages, [200])
    kind(
        "审核通过", "decide",
        [{"path": f"/review/activities/{code}/decide/", "cookie": reviewer_cookies[phone], "code": code}
         for (code, _), phone in zip(decisions, deciders, strict=True)],
        [302], once=True,
    )  # fmt: skip

    assert Activity.objects.filter(status=Activity.Status.DRAFT).count() >= len(drafts)
    return {
        "csrf": soak_csrf(),
        "poster": str(poster_file(soak.folder)),
        "comments": COMMENTS,
        "report_form": report_form(campaign),
        "report_json": report_json(campaign),
        "kinds": [kinds[name] for name in mix],
    }


# --- the data set on a day of its campaign -----------------------------------------------------------


def move_campaign(soak):
    """Move the campaign and its activities by whole days so that today is VIRTUAL_TODAY of it."""
    from activities.models import Activity, Campaign
    from bench.soak import VIRTUAL_TODAY

    campaign = Campaign.objects.get(year=2020)
    days = (timezone.localdate() - VIRTUAL_TODAY).days
    # The copy of the prepared cluster is as the data set made it: moved once per run.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE activities_campaign SET report_opens = report_opens + %s, report_closes = report_closes + %s, "
            "supplement_closes = supplement_closes + %s, summary_closes = summary_closes + %s WHERE id = %s",
            [days, days, days, days, campaign.pk],
        )
        cursor.execute(
            "UPDATE activities_activity SET starts_at = starts_at + make_interval(days => %s), "
            "ends_at = ends_at + make_interval(days => %s) WHERE campaign_id = %s",
            [days, days, campaign.pk],
        )
    campaign.refresh_from_db()
    assert Campaign.objects.current() == campaign
    assert Activity.objects.filter(campaign=campaign).exists()
    return campaign


def reminder_drafts(campaign, seed: int):
    """A 草稿 for each of REMINDER_DRAFTS organisers (each then owed one reminder today), by the service."""
    from accounts.models import User
    from activities import services
    from activities.reports import Report
    from bench.soak import REMINDER_DRAFTS

    owners = User.objects.filter(organization__isnull=False, phone__startswith="166").order_by("-pk")
    drafts = []
    for n, owner in enumerate(owners[:REMINDER_DRAFTS]):
        drafts.append(
            services.save_report(
                owner=owner,
                report=Report(name=f"待提交的科普活动{n}"),
                submit=False,
                campaign=campaign,
                token=uuid.UUID(int=seed * 100_000 + n),
            )
        )
    return drafts


def checkin_pairs(hot, visitors, rng, count):
    """(activity code, visitor index) pairs for 打卡: activities under way now, visitors not yet checked in."""
    from activities.models import Activity
    from public.models import CheckIn
    from public.rules import checkin_window

    now = timezone.now()
    ongoing = [a for a in Activity.objects.filter(public_code__in=hot) if checkin_window(a, now).is_open]
    if not ongoing:
        raise SystemExit("no popular activity is under way on the run's day: nothing to check in to")
    done = set(
        CheckIn.objects.filter(activity__in=ongoing, user__in=visitors).values_list("activity_id", "user_id")
    )
    pairs = [(a.public_code, n) for a in ongoing for n, v in enumerate(visitors) if (a.pk, v.pk) not in done]
    rng.shuffle(pairs)
    return pairs[:count]


# --- accounts -------------------------------------------------------------------------------------


def soak_csrf() -> str:
    from bench.soak import CSRF_SECRET

    return CSRF_SECRET


def soak_login_code() -> str:
    from bench.soak import LOGIN_CODE

    return LOGIN_CODE


def sessions(users) -> list[str]:
    """A signed-in browser's cookies for each user (the session; the CSRF cookie is the load's)."""
    cookies = []
    for user in users:
        client = Client()
        client.force_login(user)
        cookies.append(f"sessionid={client.cookies['sessionid'].value}; kepuri_reader=1")
    return cookies


def bearer_tokens(users) -> list[str]:
    from accounts import tokens

    with override_settings(API_ACCESS_TOKEN_SECONDS=3 * 24 * 3600):
        return [tokens.issue(user, client="soak").access for user in users]


def spare_phones(count, exclude) -> list[str]:
    """Phones of the data set's users that nobody else in the plan uses, each given out once."""
    from accounts.models import User

    excluded = {u.pk for u in exclude}
    phones = (
        User.objects.filter(is_active=True, phone__startswith="166", organization__isnull=True)
        .exclude(pk__in=excluded)
        .order_by("phone")
        .values_list("phone", flat=True)
    )
    found = list(phones[:count])
    if len(found) < count:
        raise SystemExit(f"the data set has {len(found)} spare phones, the run needs {count}")
    return found


def login_codes(phones) -> None:
    """A fresh unused 验证码 for each phone, as if just asked for (written straight into the table)."""
    from accounts import services
    from accounts.models import SmsCode
    from bench.soak import LOGIN_CODE

    SmsCode.objects.filter(phone__in=phones).delete()
    now = timezone.now()
    SmsCode.objects.bulk_create(
        [
            SmsCode(
                phone=phone,
                purpose=SmsCode.Purpose.LOGIN,
                code_hmac=services._code_hmac(phone=phone, purpose=SmsCode.Purpose.LOGIN, code=LOGIN_CODE),
                created_at=now,
                expires_at=now + timedelta(hours=6),
            )
            for phone in phones
        ],
        batch_size=5000,
    )


# --- reports --------------------------------------------------------------------------------------


def report_places(rng) -> list[dict]:
    """Twenty cities with their 市科协 as the 归口单位: the form's and the API's fields for each."""
    from directory.models import SupervisingUnit

    units = list(
        SupervisingUnit.objects.filter(kind="city", region__isnull=False)
        .select_related("region__parent")
        .order_by("pk")
    )
    rng.shuffle(units)
    places = []
    for unit in units[:20]:
        region = unit.region
        places.append(
            {
                "form": {"province": region.parent.code, "region": region.code, "supervisor": str(unit.pk)},
                "json": {"region": region.code, "supervisor": unit.pk},
            }
        )
    return places


def _activity_times(campaign):
    """The new activities' dates: two days after the run's day, 09:30–11:30 (inside the campaign)."""
    from bench.soak import SHANGHAI, VIRTUAL_TODAY

    day = campaign.report_closes + timedelta(days=1)
    assert day >= VIRTUAL_TODAY  # always true: the campaign was moved so that today is VIRTUAL_TODAY
    return (
        datetime.combine(day, time(9, 30), tzinfo=SHANGHAI),
        datetime.combine(day, time(11, 30), tzinfo=SHANGHAI),
    )


def _category(campaign):
    return campaign.categories.filter(is_active=True).order_by("position", "pk").first()


def report_form(campaign) -> dict:
    """The site's 活动填报 form, everything but the place, the name and the poster."""
    starts, ends = _activity_times(campaign)
    return {
        "activity_type": "hybrid",
        "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": ends.strftime("%Y-%m-%dT%H:%M"),
        "category": str(_category(campaign).pk),
        "description": "面向社区居民开展科普知识讲座和互动体验活动。",
        "address": "示范社区活动中心",
        "url": "https://live.example.org/kepuri",
        "supervisor_type": "city",
        "hosts": "示范科学技术协会",
        "organizers": "示范社区居委会",
        "is_public": "1",
    }


def report_json(campaign) -> dict:
    starts, ends = _activity_times(campaign)
    return {
        "activity_type": "hybrid",
        "starts_at": starts.isoformat(),
        "ends_at": ends.isoformat(),
        "category": _category(campaign).pk,
        "description": "面向社区居民开展科普知识讲座和互动体验活动。",
        "address": "示范社区活动中心",
        "url": "https://live.example.org/kepuri",
        "supervisor_type": "city",
        "hosts": ["示范科学技术协会"],
        "organizers": ["示范社区居委会"],
        "is_public": True,
    }


def poster_file(folder):
    """A 活动宣传图 as a phone would send it: a JPEG photo-like picture of about 100 KB."""
    from PIL import Image

    rng = random.Random(7)
    image = Image.new("RGB", (1200, 800))
    pixels = image.load()
    for y in range(0, 800, 4):
        for x in range(0, 1200, 4):
            colour = (rng.randrange(256), (x // 5) % 256, (y // 3) % 256)
            for dy in range(4):
                for dx in range(4):
                    pixels[x + dx, y + dy] = colour
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    path = folder / "poster.jpg"
    path.write_bytes(buffer.getvalue())
    return path
