"""A national-scale data set for the load benchmark, in a few minutes.

    from bench.dataset import generate
    facts = generate(100_000)   # after django.setup(), DATABASE_URL=postgres://...

Fills the (already migrated) PostgreSQL database Django is configured with:
for ``activities`` = N, N/5 organisers with their 单位信息 (about five
activities each), 2N users in all sharing one password, N activities of the
2020 campaign over every city-level region (unevenly: some cities much busier;
河北省 about 4 %), about 60 % approved (most of them shown), 30 % waiting, 10 %
rejected; then 10N likes, 2N comments, N check-ins and N favourites on the
approved ones, popular activities following a power law. The counters on the
activity rows are set from the rows that exist, and the database is vacuumed and
analysed (as autovacuum would soon after so many inserts: not in the middle of
a measurement).

Users and the public's rows are made by set-based SQL (``generate_series``
joined to a small allocation table sent by COPY); activities by COPY from rows
built in Python (the model's own defaults for the fields left out);
organisations and changes by ``bulk_create``. How many likes, comments …
each activity gets is planned first, so the counters are written with the
rows and the final counter UPDATEs find nothing to fix. Everything is one
transaction: an interrupted run leaves nothing behind. A second call finds the
data (>= N bench activities) and only reads the facts back; a call for a
larger N replaces a smaller set.

The activities' public codes are ``L`` + 7 digits (upper case, which random
codes never use); the users' phones are ``166`` + 8 digits. Every call also
makes (or keeps) a reviewer for 中国科协 (13700000000), each 省科协 (河北省科学技术
协会: 13700000001) and each city-level 科协, phones 13700000000–13700009999
(``_reviewer_phones``). ``fresh_pending`` hands the load test activities still
waiting for their first decision, adding copies when runs have used them up.
"""

import io
import json
import random
import sys
import time
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, connection, transaction

PASSWORD = "bench-password-2020"  # noqa: S105 -- every bench account's, on purpose
CODE_PREFIX = "L"  # + 7 digits = PUBLIC_CODE_LENGTH (8); random codes are lower case
PHONE_PREFIX = "166"  # + 8 digits
# Reviewers: 1370000 + 4 digits, 13700000000–13700009999 (_reviewer_phones): 0000 中国科协, 0001
# 河北省科协, 0002–0999 the other 省科协 (by their region's code), from 1000 on the city-level 科协
# (by code). One active ReviewerRole each.
REVIEWER_PREFIX = "1370000"
CAST_REVIEWER_PHONE = "13700000000"
REVIEWER_PHONE = "13700000001"
REVIEWER_UNIT = "河北省科学技术协会"
CITY_REVIEWERS_FROM = 1000
HEBEI = "130000"
HEBEI_SHARE = 0.04
BATCH = 5000
SEED = 2020
HOT = 1000
PUBLIC_PHONES = 200
KEYWORD_COUNT = 20

SHANGHAI = ZoneInfo("Asia/Shanghai")
CAMPAIGN_END = datetime(2020, 10, 16, 23, 0, tzinfo=SHANGHAI)

# Science topics, the first ones more common. Two-character ones are the keyword candidates.
TOPICS = [
    "健康", "垃圾分类", "防灾减灾", "节水", "人工智能", "天文", "航天", "应急救护", "气象",
    "食品安全", "消防", "海洋", "农业", "心理健康", "低碳", "传染病防控", "机器人", "地震",
    "生物多样性", "中医药", "交通安全", "营养", "新能源", "北斗", "湿地", "编程", "禁毒",
    "地质", "昆虫", "考古", "植物", "鸟类", "数学", "桥梁", "量子", "芯片", "无人机",
    "眼健康", "口腔健康", "古生物", "森林防火", "大数据", "物理", "化学",
]  # fmt: skip
FORMS = [
    "讲座", "展览", "科普进校园", "开放日", "实验秀", "知识竞赛", "主题展", "研学活动",
    "直播课", "体验营", "进社区", "宣传周", "科普大讲堂", "云课堂", "互动体验", "图片展",
    "公益行", "科学之夜", "亲子活动", "演示会",
]  # fmt: skip
TOPIC_CATEGORY = {
    "健康": "卫生健康", "心理健康": "卫生健康", "传染病防控": "卫生健康", "中医药": "卫生健康",
    "营养": "卫生健康", "眼健康": "卫生健康", "口腔健康": "卫生健康", "食品安全": "公共安全",
    "防灾减灾": "公共安全", "应急救护": "公共安全", "消防": "公共安全", "地震": "公共安全",
    "交通安全": "公共安全", "禁毒": "公共安全", "森林防火": "公共安全", "节水": "节水",
    "农业": "农牧区科普",
}  # fmt: skip
FORM_CATEGORY = {"科普进校园": "校园科普", "研学活动": "校园科普", "直播课": "网络活动", "云课堂": "网络活动"}
AUDIENCES = ["中小学生", "社区居民", "青少年", "广大市民", "农村群众", "老年人", "亲子家庭", "企业职工"]
DISTRICTS = ["城区", "新区", "高新区", "经济技术开发区", "滨江区", "东城区", "西城区", "南湖区"]
ROADS = ["人民路", "解放路", "建设路", "中山路", "文化路", "科技路", "学院路", "和平路", "长江路", "新华路"]
VENUES = ["科技馆", "图书馆", "文化广场", "社区活动中心", "青少年宫", "科普教育基地", "会展中心", "博物馆"]
ORG_KINDS = [
    "{city}科学技术馆", "{city}第{k}中学", "{city}{road}小学", "{city}青少年科技活动中心",
    "{city}气象局", "{city}图书馆", "{city}人民医院", "{city}{district}{road}社区居委会",
    "{city}疾病预防控制中心", "{city}应急管理局", "{city}农业技术推广中心", "{city}科普志愿者协会",
    "{city}博物馆", "{city}职业技术学院", "{prefix}科技有限公司", "{city}地震局", "{city}消防救援支队",
]  # fmt: skip
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏辉建国红梅文斌晨曦宇浩然欣怡"
COMPANY_PREFIXES = ["华创", "启明", "星河", "博远", "智联", "新源", "中科", "鼎盛", "宏图", "云帆"]
COMMENTS = [
    "讲得很生动，孩子特别喜欢！", "收获满满，感谢主办方。", "希望多举办这样的活动。", "请问下一期什么时候？",
    "实验太有趣了，大开眼界。", "直播很清晰，在家也能学习。", "带孩子一起参加的，很有意义。", "老师讲解很专业，点赞！",
    "现场人很多，建议分场次。", "期待下一期！", "内容丰富，形式新颖。", "科学就在身边。",
    "为科普工作者点赞！", "学到了不少实用知识。", "已打卡，很棒的活动。", "互动环节很有意思。",
    "展板做得很用心。", "孩子回家还在讲今天学到的内容。", "希望能有回放。", "志愿者很热情，谢谢！",
    "第一次参加科普日活动，受益匪浅。", "这样的活动应该进更多学校。", "内容通俗易懂，老人也能听明白。", "好！",
    "建议提前公布活动时间。", "场地有点小，但内容很好。", "很实用，已分享给家人。", "支持！明年还来。",
]  # fmt: skip
SUMMARIES = [
    "活动顺利举行，参与群众反响热烈，达到了预期效果。",
    "本次活动线上线下结合，累计吸引大量公众参与，取得良好社会效果。",
    "活动通过讲座、展览和互动体验相结合的方式普及科学知识，受到广泛好评。",
    "活动组织有序，志愿者服务到位，现场气氛活跃。",
]
REJECTIONS = [
    "请补充活动地址的详细信息",
    "活动简介过于简单，请补充",
    "宣传图不清晰，请重新上传",
    "归口单位选择有误",
]


# --- progress and timings -------------------------------------------------------------------


class _Bar:
    """A tqdm bar on stderr if tqdm is importable, else one ``\\r`` line; silent without ``progress``."""

    def __init__(self, label, total, enabled):
        self.label, self.total, self.n, self.enabled = label, total, 0, enabled
        self._tqdm, self._shown = None, 0.0
        if enabled and total:
            try:
                from tqdm import tqdm
            except ImportError:
                self._draw()
            else:
                self._tqdm = tqdm(
                    total=total, desc=label, unit="row", unit_scale=True, leave=False, file=sys.stderr
                )

    def update(self, k):
        self.n += k
        if self._tqdm is not None:
            self._tqdm.update(k)
        elif self.enabled and self.total and time.monotonic() - self._shown > 0.2:
            self._draw()

    def _draw(self):
        self._shown = time.monotonic()
        percent = 100 * self.n / self.total if self.total else 100
        sys.stderr.write(f"\r{self.label}: {self.n:,}/{self.total:,} ({percent:.0f} %)   ")
        sys.stderr.flush()

    def close(self):
        if self._tqdm is not None:
            self._tqdm.close()
        elif self.enabled and self.total:
            sys.stderr.write("\r" + " " * (len(self.label) + 40) + "\r")


class _Steps:
    def __init__(self, progress):
        self.progress = progress
        self.began = time.perf_counter()

    @contextmanager
    def step(self, label, total=0):
        bar = _Bar(label, total, self.progress)
        began = time.perf_counter()
        try:
            yield bar
        finally:
            bar.close()
        rows = f"{bar.n:>12,} rows" if bar.n else " " * 17
        print(f"  {label:<28}{rows}{time.perf_counter() - began:8.1f} s", file=sys.stderr, flush=True)

    def done(self):
        print(f"  {'total':<45}{time.perf_counter() - self.began:8.1f} s", file=sys.stderr, flush=True)


# --- helpers -------------------------------------------------------------------------------


def _copy_buffer(cursor, sql, buffer):
    """COPY … FROM STDIN with psycopg2 (or psycopg 3)."""
    raw = cursor.cursor
    if hasattr(raw, "copy_expert"):
        raw.copy_expert(sql, buffer)
    else:  # psycopg 3
        with raw.copy(sql) as copy:
            copy.write(buffer.getvalue())


def _primes(limit):
    sieve = bytearray([1]) * (limit + 1)
    sieve[0:2] = b"\0\0"
    for p in range(2, int(limit**0.5) + 1):
        if sieve[p]:
            sieve[p * p :: p] = bytearray(len(sieve[p * p :: p]))
    return [p for p in range(limit + 1) if sieve[p]]


def _allocate(total, weights, cap, rng):
    """Integers proportional to ``weights`` summing to ``total``, each at most ``cap``."""
    total = min(total, cap * len(weights))
    if not total:
        return [0] * len(weights)
    scale = total / sum(weights)
    counts = []
    for w in weights:
        expected = w * scale
        base = int(expected)
        counts.append(min(cap, base + (rng.random() < expected - base)))
    diff = total - sum(counts)
    i = 0
    while diff:  # settle the rounding from the first ones (the biggest, when ranked), within [0, cap]
        step = 1 if diff > 0 else -1
        if 0 <= counts[i] + step <= cap:
            counts[i] += step
            diff -= step
        i = (i + 1) % len(counts)
    return counts


def _person(rng):
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def _place(city):
    """How a city-level region is written in names: 北京市海淀区, 保定市."""
    province = city.parent.name
    return province + city.name if province.endswith("市") else city.name


def _full_place(city):
    """With the province: 河北省保定市, 北京市海淀区."""
    place = _place(city)
    return place if place.startswith(city.parent.name) else city.parent.name + place


def _bench_activities():
    from activities.models import Activity

    return Activity.all_objects.filter(public_code__startswith=CODE_PREFIX)


# --- the steps ------------------------------------------------------------------------------


def _wipe(cursor):
    """Remove an earlier, smaller bench set: the rows this module makes, and the public's rows on them.

    Other rows that refer to them (review decisions, notifications …) make it fail: use a fresh database.
    """
    activities = "SELECT id FROM activities_activity WHERE public_code LIKE %(code)s"
    users = "SELECT id FROM accounts_user WHERE phone LIKE %(phone)s"
    params = {"code": CODE_PREFIX + "%", "phone": PHONE_PREFIX + "%"}
    for table, column in [
        ("public_like", "activity_id"),
        ("public_favorite", "activity_id"),
        ("public_checkin", "activity_id"),
        ("public_comment", "activity_id"),
        ("activities_activitychange", "activity_id"),
        ("summaries_activitysummary", "activity_id"),
        ("activities_activity", "id"),
    ]:
        cursor.execute(f"DELETE FROM {table} WHERE {column} IN ({activities})", params)  # noqa: S608
    for table, column in [
        ("public_like", "user_id"),
        ("public_favorite", "user_id"),
        ("public_checkin", "user_id"),
        ("public_comment", "author_id"),
        ("organizations_organization", "owner_id"),
        ("accounts_user", "id"),
    ]:
        cursor.execute(f"DELETE FROM {table} WHERE {column} IN ({users})", params)  # noqa: S608


def _users(cursor, steps, count, organisers, password):
    """2N users by SQL: organisers first (phones 166 + index), then the public."""
    sql = """
        INSERT INTO accounts_user
            (password, last_login, is_superuser, phone, name, is_staff, is_active, date_joined, terms_accepted_at)
        SELECT %(password)s, NULL, false, %(prefix)s || lpad(g::text, 8, '0'), '', false, true, joined, joined
        FROM (
            SELECT g, CASE WHEN g < %(organisers)s
                THEN timestamptz '2020-07-20 09:00+08' + (g %% 997) * interval '52 minutes'
                ELSE timestamptz '2020-08-20 08:00+08' + (g %% 9973) * interval '7 minutes'
            END AS joined
            FROM generate_series(%(lo)s, %(hi)s) g
        ) s
    """
    with steps.step("users", count) as bar:
        for lo in range(0, count, 50_000):
            hi = min(count, lo + 50_000) - 1
            cursor.execute(
                sql,
                {"password": password, "prefix": PHONE_PREFIX, "organisers": organisers, "lo": lo, "hi": hi},
            )
            bar.update(hi - lo + 1)


def _city_weights(cities, rng):
    """Uneven: log-normal weights, provincial capitals busier; 河北省 scaled to HEBEI_SHARE."""
    weights = []
    for city in cities:
        w = rng.lognormvariate(0, 0.9)
        if city.code.endswith("0100") or city.code in ("110105", "110108", "310115", "500103", "120116"):
            w *= 4
        weights.append(w)
    hebei = sum(w for w, c in zip(weights, cities, strict=True) if c.parent.code == HEBEI)
    rest = sum(weights) - hebei
    return [
        w * (HEBEI_SHARE / hebei if c.parent.code == HEBEI else (1 - HEBEI_SHARE) / rest)
        for w, c in zip(weights, cities, strict=True)
    ]


def _organizations(steps, rng, count, owner_ids, cities, city_weights):
    from organizations.models import Organization

    homes = rng.choices(cities, weights=city_weights, k=count)
    rows = []
    with steps.step("organisations", count) as bar:
        for n, (owner_id, city) in enumerate(zip(owner_ids, homes, strict=True)):
            place = _place(city)
            name = rng.choice(ORG_KINDS).format(
                city=place,
                k=rng.randrange(1, 60),
                road=rng.choice(ROADS)[:-1],
                district=rng.choice(DISTRICTS),
                prefix=place + rng.choice(COMPANY_PREFIXES),
            )
            rows.append(
                Organization(
                    owner_id=owner_id,
                    name=name[:100],
                    contact_name=_person(rng),
                    contact_phone=(
                        f"{PHONE_PREFIX}{n:08d}"
                        if rng.random() < 0.7
                        else f"0{rng.randrange(310, 999)}-{rng.randrange(2_000_000, 8_999_999)}"
                    ),
                    address=f"{_full_place(city)}{rng.choice(ROADS)}{rng.randrange(1, 400)}号",
                    description=f"{name}长期面向{rng.choice(AUDIENCES)}开展科普宣传和科学教育活动。",
                )
            )
            if len(rows) == BATCH:
                Organization.objects.bulk_create(rows)
                bar.update(len(rows))
                rows = []
        Organization.objects.bulk_create(rows)
        bar.update(len(rows))
    return homes


def _activity_name(rng, place, topic, form, org_name, n):
    roll = rng.random()
    if roll < 0.35:
        name = f"{place}{topic}{form}"
    elif roll < 0.5:
        name = f"{topic}科普{form}"
    elif roll < 0.62:
        name = f"{org_name}{topic}{form}"
    elif roll < 0.72:
        name = f"“{topic}”主题{form}"
    elif roll < 0.82:
        name = f"2020年全国科普日{place}{topic}{form}"
    elif roll < 0.9:
        name = f"走进{topic}——{place}{form}"
    else:
        name = f"{topic}{form}（第{'一二三四五六七八九十'[n % 10]}期）"
    return name[:100]


def _plan(rng, count, users, organisers):
    """Before any row: each activity's status and 展示, and how many likes … it will get.

    Popularity is a power law over the approved activities, the shown ones first
    (a hidden activity is found by few), with some noise per kind. Knowing the
    counts first, the activity rows are written with their counters right.
    """
    status, public = [], []
    for _ in range(count):
        roll = rng.random()
        status.append("approved" if roll < 0.6 else "pending" if roll < 0.9 else "rejected")
        public.append(status[-1] != "approved" or rng.random() < 0.9)
    shown = [n for n in range(count) if status[n] == "approved" and public[n]]
    hidden = [n for n in range(count) if status[n] == "approved" and not public[n]]
    rng.shuffle(shown)
    rng.shuffle(hidden)
    ranked = shown + hidden
    counts = {}
    for kind, (total, shift, exponent) in PER_USER_KINDS.items():
        weights = [rng.lognormvariate(0, 0.3) / (r + shift) ** exponent for r in range(1, len(ranked) + 1)]
        counts[kind] = dict(zip(ranked, _allocate(total(count), weights, users, rng), strict=True))
    # About 1 % of comments deleted by their author, as many hidden by the organiser.
    hidden_comments, deleted_comments = {}, {}
    for n, c in counts["comments"].items():
        rolls = [rng.random() for _ in range(c)]
        hidden_comments[n] = sum(r < 0.005 for r in rolls)
        deleted_comments[n] = sum(0.005 <= r < 0.01 for r in rolls)
    counts["hidden"], counts["deleted"] = hidden_comments, deleted_comments
    changed = set(rng.sample(ranked, len(ranked) // 100))  # a change waiting for review
    # Who organises each: about five activities per organiser, some one, some twenty.
    per_organiser = _allocate(count, [rng.lognormvariate(0, 0.6) for _ in range(organisers)], 40, rng)
    owner = [o for o, k in enumerate(per_organiser) for _ in range(k)]
    rng.shuffle(owner)
    return {
        "status": status,
        "public": public,
        "ranked": ranked,
        "counts": counts,
        "changed": changed,
        "owner": owner,
    }


class _Copier:
    """Model rows (field name → value) to COPY text lines, the model's defaults for what is left out."""

    def __init__(self, model):
        self.model = model
        self.fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        self.columns = ", ".join(connection.ops.quote_name(f.column) for f in self.fields)
        self.defaults = {
            f.name: f.get_default() for f in self.fields if not (f.has_default() and callable(f.default))
        }

    def line(self, row):
        out = []
        for f in self.fields:
            if f.name in row:
                value = row[f.name]
                if f.is_relation and value is not None:
                    value = value.pk
            elif f.attname in row:
                value = row[f.attname]
            elif f.name in self.defaults:
                value = self.defaults[f.name]
            else:
                value = f.get_default()
            out.append(self._text(f, value))
        return "\t".join(out) + "\n"

    @staticmethod
    def _text(field, value):
        if value is None:
            return r"\N"
        if isinstance(value, bool):
            return "t" if value else "f"
        if isinstance(value, int | float):
            return str(value)
        if isinstance(value, datetime | date):
            return value.isoformat()
        if field.get_internal_type() == "JSONField":
            value = json.dumps(value, ensure_ascii=False, cls=field.encoder)
        value = str(value)
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")

    def copy(self, cursor, lines):
        table = connection.ops.quote_name(self.model._meta.db_table)
        _copy_buffer(cursor, f"COPY {table} ({self.columns}) FROM STDIN", io.StringIO("".join(lines)))


def _activities(cursor, steps, rng, plan, *, campaign, owners, cities, city_weights, homes):
    """N activities over the cities, mostly in their organiser's own city.

    Returns the rows (field name → value) of those with a change waiting.
    """
    from activities import search
    from activities.models import Activity
    from directory.models import SupervisingUnit

    categories = {c.name: c for c in campaign.categories.all()}
    category_list = list(categories.values())
    units = SupervisingUnit.objects.filter(retired_at__isnull=True)
    city_units = {u.region_id: u for u in units if u.kind == "city"}
    provincial = {u.region_id: u for u in units if u.kind == "provincial"}
    ministries = [u for u in units if u.kind == "ministry"]
    topic_weights = [1 / (i + 4) ** 0.55 for i in range(len(TOPICS))]
    day0 = datetime(2020, 9, 1, tzinfo=SHANGHAI)
    report_opens = datetime(2020, 8, 3, 9, 0, tzinfo=SHANGHAI)
    report_closes = datetime(2020, 9, 25, 20, 0, tzinfo=SHANGHAI)
    counts = plan["counts"]
    copier = _Copier(Activity)
    changed, lines = [], []
    count = len(plan["status"])
    with steps.step("activities", count) as bar:
        for n in range(count):
            owner = owners[plan["owner"][n]]
            home = homes[plan["owner"][n]]
            city = home if rng.random() < 0.9 else rng.choices(cities, weights=city_weights)[0]
            place = _place(city)
            topic = rng.choices(TOPICS, weights=topic_weights)[0]
            form = rng.choice(FORMS)
            kind = rng.choices(["offline", "online", "hybrid"], weights=[55, 20, 25])[0]
            if form in ("直播课", "云课堂"):
                kind = "online"
            # Dates: most in the campaign's fortnight (12–25 September), some around it.
            roll = rng.random()
            day = (
                rng.randrange(11, 25)
                if roll < 0.7
                else rng.randrange(0, 11)
                if roll < 0.9
                else rng.randrange(25, 40)
            )
            starts = day0 + timedelta(days=day, hours=rng.randrange(8, 20), minutes=rng.choice((0, 0, 30)))
            if form in ("展览", "主题展", "图片展", "宣传周") and rng.random() < 0.7:
                ends = starts + timedelta(days=rng.randrange(1, 14), hours=rng.randrange(1, 8))
            else:
                ends = starts + timedelta(minutes=rng.choice((60, 90, 120, 150, 180, 240)))
            ends = min(ends, CAMPAIGN_END)
            submitted = starts - timedelta(days=rng.uniform(2, 35))
            submitted = min(
                max(submitted, report_opens + timedelta(hours=rng.uniform(0, 200))), report_closes
            )
            first_submitted = submitted
            status = plan["status"][n]
            if status == "pending" and rng.random() < 0.08:  # rejected once, then sent again
                first_submitted = submitted - timedelta(days=rng.uniform(1, 5))
            decided = submitted + timedelta(hours=rng.uniform(2, 140)) if status != "pending" else None
            waiting = submitted if status == "pending" else None
            if n in plan["changed"]:
                waiting = decided + timedelta(days=rng.uniform(0.5, 6))
            # 归口单位: mostly the city's 科协, then the province's, a 部委, or 其他 (→ the 省科协).
            roll = rng.random()
            province_unit = provincial[city.parent_id]
            if roll < 0.65:
                supervisor_type, supervisor, owner_unit, other = "city", city_units[city.pk], None, ""
            elif roll < 0.85:
                supervisor_type, supervisor, owner_unit, other = "provincial", province_unit, None, ""
            elif roll < 0.95:
                supervisor_type, supervisor = "ministry", rng.choice(ministries)
                owner_unit, other = None, ""
            else:
                supervisor_type, supervisor, owner_unit = "other", None, province_unit
                other = f"{place}{rng.choice(('教育局', '卫生健康委员会', '科学技术局', '生态环境局'))}"
            category = categories.get(FORM_CATEGORY.get(form) or TOPIC_CATEGORY.get(topic, ""))
            if category is None or rng.random() < 0.3:
                category = rng.choice(category_list)
            hosts = [f"{place}科学技术协会"]
            if rng.random() < 0.4:
                hosts.append(owner.org_name)
            organizers = [owner.org_name] if rng.random() < 0.6 else []
            name = _activity_name(rng, place, topic, form, owner.org_name, n)
            audience = rng.choice(AUDIENCES)
            row = {
                "public_code": f"{CODE_PREFIX}{n:07d}",
                "owner_id": owner.pk,
                "campaign": campaign,
                "status": status,
                "activity_type": kind,
                "name": name,
                "starts_at": starts,
                "ends_at": ends,
                "region": city,
                "category": category,
                "description": (
                    f"本次活动以“{topic}”为主题，面向{audience}，通过{form}的形式普及{topic}相关科学知识。"
                    f"活动邀请{rng.choice(('高校专家', '科普志愿者', '一线科技工作者', '科技馆辅导员'))}现场讲解，"
                    f"设置{rng.choice(('互动问答', '动手实验', '展板参观', '科普游戏'))}环节，"
                    f"{rng.choice(('欢迎大家踊跃参加。', '名额有限，先到先得。', '活动免费，无需预约。', '请提前十分钟到场。'))}"
                ),
                "address": (
                    ""
                    if kind == "online"
                    else f"{_full_place(city)}{rng.choice(DISTRICTS)}{rng.choice(ROADS)}{rng.randrange(1, 500)}号{rng.choice(VENUES)}"
                ),
                "url": "" if kind == "offline" else f"https://live.example.org/kepuri/{n:07d}",
                "supervisor_type": supervisor_type,
                "supervisor": supervisor,
                "supervisor_name": other,
                "owner_unit": owner_unit or supervisor,
                "hosts": hosts,
                "organizers": organizers,
                "poster": f"activities/bench/poster-{n % 20}.jpg",
                "poster_list": f"activities/bench/poster-{n % 20}-list.jpg",
                "poster_page": f"activities/bench/poster-{n % 20}-page.jpg",
                "is_public": plan["public"][n],
                "checkin_count": counts["checkins"].get(n, 0),
                "like_count": counts["likes"].get(n, 0),
                "favorite_count": counts["favorites"].get(n, 0),
                "comment_count": (
                    counts["comments"].get(n, 0) - counts["hidden"].get(n, 0) - counts["deleted"].get(n, 0)
                ),
                "org_name": owner.org_name,
                "org_contact_name": owner.org_contact_name,
                "org_contact_phone": owner.org_contact_phone,
                "created_at": first_submitted - timedelta(hours=rng.uniform(0.2, 72)),
                "updated_at": decided or submitted,
                "first_submitted_at": first_submitted,
                "submitted_at": submitted,
                "decided_at": decided,
                "waiting_since": waiting,
                "rejection_reason": rng.choice(REJECTIONS) if status == "rejected" else "",
                "summarized_at": (
                    min(ends + timedelta(days=rng.uniform(0.5, 10)), CAMPAIGN_END)
                    if status == "approved" and rng.random() < 0.25
                    else None
                ),
            }
            if status != "draft":  # as the submission (search.refresh): the reviewers' search, the public's
                row["search_text"] = search.search_text(name, owner.org_name, *hosts)
            if n in plan["changed"]:
                changed.append(row)
            lines.append(copier.line(row))
            if len(lines) == BATCH:
                copier.copy(cursor, lines)
                bar.update(len(lines))
                lines = []
        copier.copy(cursor, lines)
        bar.update(len(lines))
    return changed


def _changes_and_summaries(cursor, steps, changed):
    """The changes waiting (as the wizard files them); a summary for each activity summarised."""
    from activities.models import Activity, ActivityChange
    from activities.reports import Report

    ids = dict(
        Activity.all_objects.filter(public_code__in=[row["public_code"] for row in changed]).values_list(
            "public_code", "pk"
        )
    )
    with steps.step("changes", len(changed)) as bar:
        changes = []
        for row in changed:
            activity = Activity(pk=ids[row["public_code"]], **row)
            data = Report.of(activity).to_json() | {
                "description": activity.description + "（时间地点有调整，以本页为准。）",
                "org_name": activity.org_name,
                "org_contact_name": activity.org_contact_name,
                "org_contact_phone": activity.org_contact_phone,
            }
            changes.append(
                ActivityChange(
                    activity_id=activity.pk,
                    data=data,
                    submitted_by_id=activity.owner_id,
                    submitted_at=activity.waiting_since,
                )
            )
        ActivityChange.objects.bulk_create(changes, batch_size=BATCH)
        bar.update(len(changes))
    with steps.step("summaries") as bar:
        cursor.execute(
            """
            INSERT INTO summaries_activitysummary (text, participants, created_at, activity_id, created_by_id)
            SELECT (%(texts)s::text[])[1 + id %% %(k)s], 20 + (id * 7919) %% 1500, summarized_at, id, owner_id
            FROM activities_activity
            WHERE public_code LIKE %(code)s AND summarized_at IS NOT NULL
            """,
            {"texts": SUMMARIES, "k": len(SUMMARIES), "code": CODE_PREFIX + "%"},
        )
        bar.update(cursor.rowcount)


ALLOC_COLUMNS = ("likes", "comments", "hidden", "deleted", "checkins", "favorites")


def _allocation(cursor, rng, plan, users):
    """The allocation table, by popularity rank: activity id, a user offset and stride, the counts."""
    cursor.execute(
        "CREATE TEMP TABLE bench_users ON COMMIT DROP AS "
        "SELECT (row_number() OVER (ORDER BY phone) - 1)::bigint AS n, id AS user_id "
        "FROM accounts_user WHERE phone LIKE %s",
        [PHONE_PREFIX + "%"],
    )
    if cursor.rowcount != users:
        raise RuntimeError(f"expected {users} bench users, found {cursor.rowcount}")
    cursor.execute("ALTER TABLE bench_users ADD PRIMARY KEY (n)")
    cursor.execute(
        "SELECT public_code, id FROM activities_activity WHERE public_code LIKE %s AND status = 'approved'",
        [CODE_PREFIX + "%"],
    )
    ids = dict(cursor.fetchall())
    strides = [p for p in _primes(200_000)[200:] if users % p]
    table = []
    for rank, n in enumerate(plan["ranked"]):
        counts = [plan["counts"][kind].get(n, 0) for kind in ALLOC_COLUMNS]
        table.append((rank, ids[f"{CODE_PREFIX}{n:07d}"], rng.randrange(users), rng.choice(strides), *counts))
    cursor.execute(
        "CREATE TEMP TABLE bench_alloc (rank int PRIMARY KEY, activity_id bigint, off bigint, stride bigint, "
        + ", ".join(f"{kind} int" for kind in ALLOC_COLUMNS)
        + ") ON COMMIT DROP"
    )
    _copy_buffer(
        cursor,
        "COPY bench_alloc FROM STDIN",
        io.StringIO("".join("\t".join(map(str, row)) + "\n" for row in table)),
    )
    cursor.execute("ANALYZE bench_users")
    cursor.execute("ANALYZE bench_alloc")
    return table


# total (of N), shift and exponent of each kind's power law over the approved activities
PER_USER_KINDS = {
    "likes": (lambda n: 10 * n, 20, 1.0),
    "comments": (lambda n: 2 * n, 40, 0.9),
    "checkins": (lambda n: n, 60, 0.8),
    "favorites": (lambda n: n, 40, 0.9),
}
# The public's rows of one kind for a range of ranks: user number (off + k * 7919 + j * stride) mod
# users is distinct for j < count, as the stride is a prime that does not divide the number of
# users (so each (user, activity) pair is made once); k separates the kinds.
PER_USER_SQL = {
    "likes": """
        INSERT INTO public_like (user_id, activity_id, created_at)
        SELECT u.user_id, a.id, a.decided_at + random() * (%(end)s - a.decided_at)
        FROM bench_alloc b
        JOIN activities_activity a ON a.id = b.activity_id
        CROSS JOIN LATERAL generate_series(0, b.likes - 1) j
        JOIN bench_users u ON u.n = (b.off + j * b.stride) %% %(users)s
        WHERE b.rank BETWEEN %(lo)s AND %(hi)s
    """,
    "favorites": """
        INSERT INTO public_favorite (user_id, activity_id, created_at)
        SELECT u.user_id, a.id, a.decided_at + random() * (%(end)s - a.decided_at)
        FROM bench_alloc b
        JOIN activities_activity a ON a.id = b.activity_id
        CROSS JOIN LATERAL generate_series(0, b.favorites - 1) j
        JOIN bench_users u ON u.n = (b.off + 7919 + j * b.stride) %% %(users)s
        WHERE b.rank BETWEEN %(lo)s AND %(hi)s
    """,
    # 打卡 between the activity's start and its end.
    "checkins": """
        INSERT INTO public_checkin (user_id, activity_id, created_at)
        SELECT u.user_id, a.id, a.starts_at + random() * (a.ends_at - a.starts_at)
        FROM bench_alloc b
        JOIN activities_activity a ON a.id = b.activity_id
        CROSS JOIN LATERAL generate_series(0, b.checkins - 1) j
        JOIN bench_users u ON u.n = (b.off + 2 * 7919 + j * b.stride) %% %(users)s
        WHERE b.rank BETWEEN %(lo)s AND %(hi)s
    """,
    # The first `hidden` of an activity's comments hidden by its organiser, the next `deleted` deleted.
    "comments": """
        INSERT INTO public_comment (text, created_at, deleted_at, hidden_at, activity_id, author_id, hidden_by_id)
        SELECT (%(texts)s::text[])[1 + floor(random() * %(k)s)::int], c.at,
               CASE WHEN j >= b.hidden AND j < b.hidden + b.deleted THEN c.at + interval '2 hours' END,
               CASE WHEN j < b.hidden THEN c.at + interval '1 day' END,
               a.id, u.user_id,
               CASE WHEN j < b.hidden THEN a.owner_id END
        FROM bench_alloc b
        JOIN activities_activity a ON a.id = b.activity_id
        CROSS JOIN LATERAL generate_series(0, b.comments - 1) j
        CROSS JOIN LATERAL (SELECT a.decided_at + random() * (%(end)s - a.decided_at) AS at) c
        JOIN bench_users u ON u.n = (b.off + 3 * 7919 + j * b.stride) %% %(users)s
        WHERE b.rank BETWEEN %(lo)s AND %(hi)s
    """,
}


def _per_user(cursor, steps, table, users, kind):
    """One kind of the public's rows, in chunks of about 100,000 rows for the progress bar."""
    column = 4 + ALLOC_COLUMNS.index(kind)
    total = sum(row[column] for row in table)
    with steps.step(kind, total) as bar:
        lo, acc = 0, 0
        for r, row in enumerate(table):
            acc += row[column]
            if acc >= 100_000 or r == len(table) - 1:
                cursor.execute(
                    PER_USER_SQL[kind],
                    {
                        "end": CAMPAIGN_END,
                        "users": users,
                        "lo": lo,
                        "hi": r,
                        "texts": COMMENTS,
                        "k": len(COMMENTS),
                    },
                )
                bar.update(cursor.rowcount)
                lo, acc = r + 1, 0


COUNTER_SQL = {
    "like_count": "SELECT activity_id, count(*) AS n FROM public_like GROUP BY activity_id",
    "favorite_count": "SELECT activity_id, count(*) AS n FROM public_favorite GROUP BY activity_id",
    "checkin_count": "SELECT activity_id, count(*) AS n FROM public_checkin GROUP BY activity_id",
    # As public.services counts them: what the public sees.
    "comment_count": """SELECT activity_id, count(*) AS n FROM public_comment
                        WHERE deleted_at IS NULL AND hidden_at IS NULL GROUP BY activity_id""",
}


COUNTER_TABLE = {
    "like_count": "public_like",
    "favorite_count": "public_favorite",
    "checkin_count": "public_checkin",
    "comment_count": "public_comment",
}


def _counters(cursor, steps):
    """Each counter of the bench activities set from the rows that exist (all already right: 0 rows)."""
    with steps.step("counters (rows fixed)") as bar:
        for column, counts in COUNTER_SQL.items():
            cursor.execute(
                f"UPDATE activities_activity a SET {column} = c.n FROM ({counts}) c "  # noqa: S608
                f"WHERE a.id = c.activity_id AND a.public_code LIKE %s AND a.{column} IS DISTINCT FROM c.n",
                [CODE_PREFIX + "%"],
            )
            bar.update(cursor.rowcount)
            table = COUNTER_TABLE[column]
            cursor.execute(
                f"UPDATE activities_activity a SET {column} = 0 WHERE a.public_code LIKE %s "  # noqa: S608
                f"AND a.{column} <> 0 AND NOT EXISTS (SELECT 1 FROM {table} x WHERE x.activity_id = a.id)",
                [CODE_PREFIX + "%"],
            )
            bar.update(cursor.rowcount)


def _reviewer_phones():
    """Each 科协's bench reviewer, unit id → phone (the range above)."""
    from directory.models import SupervisingUnit

    units = SupervisingUnit.objects.active().filter(
        kind__in=[SupervisingUnit.Kind.CAST, SupervisingUnit.Kind.PROVINCIAL, SupervisingUnit.Kind.CITY]
    )
    phones, provinces, cities = {}, 0, 0
    for pk, kind, name in units.order_by("region__code").values_list("pk", "kind", "name"):
        if kind == SupervisingUnit.Kind.CAST:
            phones[pk] = CAST_REVIEWER_PHONE
        elif name == REVIEWER_UNIT:
            phones[pk] = REVIEWER_PHONE
        elif kind == SupervisingUnit.Kind.PROVINCIAL:
            provinces += 1
            phones[pk] = f"{REVIEWER_PREFIX}{1 + provinces:04d}"
        else:
            phones[pk] = f"{REVIEWER_PREFIX}{CITY_REVIEWERS_FROM + cities:04d}"
            cities += 1
    if provinces >= CITY_REVIEWERS_FROM - 1 or CITY_REVIEWERS_FROM + cities > 10_000:
        raise RuntimeError("more 科协 than the reviewers' phone range holds")
    return phones


def _reviewers(password):
    """A reviewer (an active role, nothing else) for 中国科协, every 省科协 and every city-level 科协.

    Idempotent and quick (a few hundred rows): run by every ``generate`` call, so
    that a data set made by an earlier version gets them too. Accounts in the
    range that exist keep their phone and get ``password``; a role for another
    unit is moved to the right one.
    """
    from accounts.models import User
    from directory.models import SupervisingUnit
    from reviews.models import ReviewerRole

    phones = _reviewer_phones()
    names = {
        pk: short or name
        for pk, short, name in SupervisingUnit.objects.filter(pk__in=phones).values_list(
            "pk", "short_name", "name"
        )
    }
    joined = datetime(2020, 8, 1, tzinfo=SHANGHAI)
    existing = set(User.objects.filter(phone__in=phones.values()).values_list("phone", flat=True))
    User.objects.bulk_create(
        User(phone=phone, password=password, name=f"{names[pk]}审核员"[:50], terms_accepted_at=joined)
        for pk, phone in phones.items()
        if phone not in existing
    )
    User.objects.filter(phone__in=existing).update(password=password)
    users = dict(User.objects.filter(phone__in=phones.values()).values_list("phone", "pk"))
    roles = {
        role.user_id: role
        for role in ReviewerRole.objects.filter(user_id__in=users.values(), revoked_at=None)
    }
    new, moved = [], []
    for unit_id, phone in phones.items():
        role = roles.get(users[phone])
        if role is None:
            new.append(ReviewerRole(user_id=users[phone], unit_id=unit_id, granted_at=joined))
        elif role.unit_id != unit_id:
            role.unit_id = unit_id
            moved.append(role)
    ReviewerRole.objects.bulk_create(new)
    ReviewerRole.objects.bulk_update(moved, ["unit"])
    return phones


def _populate(cursor, steps, count):
    from accounts.models import User
    from activities.models import Campaign
    from directory.models import Region

    rng = random.Random(SEED)
    organisers = max(1, count // 5)
    users = 2 * count
    with steps.step("password hash"):
        password = make_password(PASSWORD)
    _users(cursor, steps, users, organisers, password)
    campaign = Campaign.objects.get(year=2020)
    cities = list(Region.objects.cities().select_related("parent").order_by("code"))
    city_weights = _city_weights(cities, rng)
    owner_ids = list(
        User.objects.filter(phone__startswith=PHONE_PREFIX, phone__lt=f"{PHONE_PREFIX}{organisers:08d}")
        .order_by("phone")
        .values_list("pk", flat=True)
    )
    homes = _organizations(steps, rng, organisers, owner_ids, cities, city_weights)
    cursor.execute(
        """
        UPDATE accounts_user u SET name = o.contact_name FROM organizations_organization o
        WHERE o.owner_id = u.id AND u.phone LIKE %s
        """,
        [PHONE_PREFIX + "%"],
    )
    cursor.execute(
        """
        UPDATE organizations_organization o SET created_at = u.date_joined + interval '1 hour',
            updated_at = u.date_joined + interval '1 hour'
        FROM accounts_user u WHERE o.owner_id = u.id AND u.phone LIKE %s
        """,
        [PHONE_PREFIX + "%"],
    )
    owners = []
    for pk, name, contact, phone in (
        User.objects.filter(pk__in=owner_ids)
        .order_by("phone")
        .values_list("pk", "organization__name", "organization__contact_name", "organization__contact_phone")
    ):
        owner = User(pk=pk)
        owner.org_name, owner.org_contact_name, owner.org_contact_phone = name, contact, phone
        owners.append(owner)
    with steps.step("plan"):
        plan = _plan(rng, count, users, organisers)
    changed = _activities(
        cursor,
        steps,
        rng,
        plan,
        campaign=campaign,
        owners=owners,
        cities=cities,
        city_weights=city_weights,
        homes=homes,
    )
    _changes_and_summaries(cursor, steps, changed)
    with steps.step("allocation"):
        table = _allocation(cursor, rng, plan, users)
    for kind in PER_USER_KINDS:
        _per_user(cursor, steps, table, users, kind)
    _counters(cursor, steps)


# --- fresh pending activities for the decisions of the load test ---------------------------

# A copy waits for its first decision: what the original's decision or the public set on it is reset.
PENDING_COPY = {
    "creation_token": "NULL",
    "status": "'pending'",
    "is_public": "true",
    "decided_at": "NULL",
    "waiting_since": "a.submitted_at",
    "rejection_reason": "''",
    "search_text": "''",
    "supplemented_at": "NULL",
    "summarized_at": "NULL",
    "deleted_at": "NULL",
    "deleted_by": "NULL",
    "checkin_count": "0",
    "like_count": "0",
    "favorite_count": "0",
    "comment_count": "0",
}


def fresh_pending(count: int) -> list[tuple[str, int]]:
    """``count`` bench activities waiting for their first decision: (public code, owning unit id).

    A decision cannot be undone (the review log is append-only, a trigger refuses
    to delete its rows), so the load test's 审核通过 uses each item once: first
    the data set's own (30 % of it is 待审核), then, once earlier runs have
    approved those, copies of the set's first activities, 待审核 under the next
    free codes (``L`` + 7 digits, after the set's). The set then grows by what
    the runs approved, and ``facts["activities"]`` counts it as it is.
    """
    from activities.models import Activity

    waiting = (
        _bench_activities()
        .filter(status=Activity.Status.PENDING, deleted_at__isnull=True, owner_unit__isnull=False)
        .order_by("pk")
    )
    found = list(waiting.values_list("public_code", "owner_unit_id")[:count])
    missing = count - len(found)
    if missing > 0:
        fields = [f for f in Activity._meta.concrete_fields if not f.primary_key and f.name != "public_code"]
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        values = ", ".join(
            PENDING_COPY.get(f.name, f"a.{connection.ops.quote_name(f.column)}") for f in fields
        )
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('bench.dataset'))")
            cursor.execute(
                "SELECT max(public_code) FROM activities_activity WHERE public_code LIKE %s",
                [CODE_PREFIX + "%"],
            )
            (last,) = cursor.fetchone()
            if int(last[len(CODE_PREFIX) :]) + missing >= 10**7:
                raise RuntimeError("public codes hold 7 digits: use a fresh database")
            cursor.execute(
                f"INSERT INTO activities_activity (public_code, {columns}) "  # noqa: S608
                f"SELECT %s || lpad((%s + row_number() OVER (ORDER BY a.id))::text, 7, '0'), {values} "
                "FROM activities_activity a WHERE a.public_code LIKE %s AND a.public_code <= %s "
                "AND a.deleted_at IS NULL AND a.owner_unit_id IS NOT NULL ORDER BY a.id LIMIT %s",
                [CODE_PREFIX, int(last[len(CODE_PREFIX) :]), CODE_PREFIX + "%", last, missing],
            )
            added = cursor.rowcount  # fewer than missing when the set is smaller than that
        print(f"Added {added:,} pending copies for the decisions", file=sys.stderr, flush=True)
        found = list(waiting.values_list("public_code", "owner_unit_id")[:count])
    return found


# --- facts ------------------------------------------------------------------------------------


def _facts(reviewers):
    from accounts.models import User
    from activities import search
    from activities.models import Activity

    bench = _bench_activities()
    approved = bench.filter(status=Activity.Status.APPROVED)
    hot = list(
        approved.filter(is_public=True)
        .order_by("-like_count", "public_code")
        .values_list("public_code", flat=True)[:HOT]
    )
    users = User.objects.filter(phone__startswith=PHONE_PREFIX).count()
    step = max(1, users // (3 * PUBLIC_PHONES))
    candidates = [f"{PHONE_PREFIX}{n:08d}" for n in range(users - 1, -1, -step)][: 3 * PUBLIC_PHONES]
    phones = sorted(
        User.objects.filter(phone__in=candidates, organization__isnull=True).values_list("phone", flat=True)
    )[:PUBLIC_PHONES]
    shown = approved.count()
    keywords = []
    for topic in TOPICS:
        if len(topic) != 2 or len(keywords) == KEYWORD_COUNT:
            continue
        found = approved.filter(search.matches(topic)).count()
        if shown and 0.005 <= found / shown <= 0.10:
            keywords.append(topic)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT r.code FROM directory_region r WHERE r.level = 'city' AND EXISTS (
                SELECT 1 FROM activities_activity a
                WHERE a.region_id = r.id AND a.status = 'approved' AND a.public_code LIKE %s
            ) ORDER BY r.code
            """,
            [CODE_PREFIX + "%"],
        )
        city_codes = [code for (code,) in cursor.fetchall()]
        # The busiest city-level region (bench activities located there), whose 科协 has a reviewer.
        cursor.execute(
            """
            SELECT u.id, r.code FROM activities_activity a
            JOIN directory_region r ON r.id = a.region_id
            JOIN directory_supervisingunit u ON u.region_id = r.id AND u.kind = 'city'
            WHERE a.public_code LIKE %s AND u.id = ANY(%s)
            GROUP BY u.id, r.code ORDER BY count(*) DESC, r.code LIMIT 1
            """,
            [CODE_PREFIX + "%", list(reviewers)],
        )
        city_unit, city_code = cursor.fetchone()
    return {
        "activities": bench.count(),
        "hot_codes": hot,
        "public_user_phones": phones,
        "reviewer_phone": REVIEWER_PHONE,
        "cast_reviewer_phone": CAST_REVIEWER_PHONE,
        "province_reviewer_phone": REVIEWER_PHONE,
        "city_reviewer_phone": reviewers[city_unit],
        "city_reviewer_region": city_code,
        "reviewer_phones": reviewers,
        "password": PASSWORD,
        "keywords": keywords,
        "city_codes": city_codes,
    }


def generate(activities: int = 100_000, *, progress: bool = True) -> dict:
    """Fill the database; returns facts the load test needs (see below).

    activities        the number of bench activities (public codes ``L0000000`` …)
    hot_codes         1,000 public codes of approved, shown activities, the most liked first
    public_user_phones  200 phones of users without an organisation (the public)
    reviewer_phone    13700000001, reviewer of 河北省科学技术协会 (= province_reviewer_phone)
    cast_reviewer_phone  13700000000, reviewer of 中国科协 (the whole country)
    city_reviewer_phone  the reviewer of the busiest city-level region's 科协 (city_reviewer_region)
    reviewer_phones   every bench reviewer: unit id → phone (中国科协, each 省科协, each city-level 科协)
    password          the password of all of them
    keywords          up to 20 two-character topics, each in 0.5–10 % of the approved activities
    city_codes        the city-level regions with approved activities

    Reuses the data when the database holds at least ``activities`` bench
    activities; a smaller earlier set is replaced. ``progress`` shows a bar per
    step (tqdm if importable); the per-step timings go to stderr either way.
    """
    if connection.vendor != "postgresql":
        raise RuntimeError("bench.dataset needs PostgreSQL (DATABASE_URL=postgres://...)")
    if activities < 5:
        raise ValueError("at least 5 activities")
    if activities >= 10**7:
        raise ValueError("public codes hold 7 digits: fewer than 10,000,000 activities")
    steps = _Steps(progress)
    existing = _bench_activities().count()
    if existing < activities:
        print(f"Generating the bench data set: {activities:,} activities", file=sys.stderr, flush=True)
        with transaction.atomic(), connection.cursor() as cursor:
            # One generator at a time; the second one then finds the data.
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('bench.dataset'))")
            existing = _bench_activities().count()
            if existing < activities:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # check as we go, not all at commit
                cursor.execute("SET LOCAL work_mem = '128MB'")
                cursor.execute("SET LOCAL synchronous_commit = off")
                if existing:
                    with steps.step(f"remove the {existing:,} earlier"):
                        try:
                            _wipe(cursor)
                        except IntegrityError as error:
                            raise RuntimeError(
                                f"other rows refer to the earlier bench data; use a fresh database ({error})"
                            ) from error
                _populate(cursor, steps, activities)
        with steps.step("vacuum analyze"), connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        steps.done()
    else:
        print(f"Reusing the bench data set ({existing:,} activities)", file=sys.stderr, flush=True)
    with steps.step("reviewers"):
        reviewers = _reviewers(make_password(PASSWORD))
    with steps.step("facts"):
        return _facts(reviewers)
