"""The soak's invariants (bench/soak.py), from SQL through the project's models and from the load's log.

Each invariant is printed with its figure and whether it holds:

- every 点赞/收藏/打卡 (and comment) counter equals its rows;
- every submission and decision answered 2xx/3xx is stored, and logged once in the review log;
  no decision is logged twice;
- no SMS sent twice, none lost: each outbox row marked sent was handed to the provider once,
  none is left queued; rows left "sending" (a worker killed while sending) are flagged and counted,
  with how many of them the provider did get; each 验证码 answered 200 was sent once;
- reminders: each organiser owed one (before and after the reminders' minute, by the product's
  own ``activities.reminders.due``) got exactly one per activity, deadline and day; each reviewer
  owed a digest got one;
- no 5xx (nor unanswered request) outside a fault's window and its recovery time; the recovery
  time after each fault (from its end to the first success of what failed during it);
- app servers' and workers' resident memory at start and end (growth ≤ 10 %);
- the error budget: failed requests ≤ 0.1 % of all. An operation fails when its last answer is
  wrong: a 503 with Retry-After is sent again after it, up to five times, as the site's clients do
  (the 503 page reloads itself, the page's script repeats a tap, the API tells its clients to);
  those 503s are counted and printed, and one outside a fault's window is still a finding.
"""

import json
import platform
import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections, connection, connections
from django.db.models import Count

GROWTH_LIMIT = 0.10
ERROR_BUDGET = 0.001
SMS_KINDS_OF_REMINDERS = ("reminder_report_draft", "reminder_supplement_missing", "reminder_summary_missing")


def drain(timeout: float) -> float | None:
    """Wait until no SMS is queued in the outbox and no task waits in the broker; seconds it took."""
    import redis

    from notifications.models import Message

    began = time.monotonic()
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=2)
    while time.monotonic() - began < timeout:
        close_old_connections()
        try:
            queued = Message.objects.filter(channel=Message.Channel.SMS, state=Message.State.QUEUED).count()
            waiting = broker.llen(settings.CELERY_TASK_DEFAULT_QUEUE)
        except Exception:
            queued = waiting = 1
        if not queued and not waiting:
            return time.monotonic() - began
        time.sleep(2)
    return None


@dataclass
class Report:
    lines: list = field(default_factory=list)
    failed: list = field(default_factory=list)

    def check(self, name: str, figure: str, holds: bool) -> None:
        self.lines.append(f"| {name} | {figure} | {'✓' if holds else '✗ 不成立'} |")
        if not holds:
            self.failed.append(name)

    @property
    def ok(self) -> bool:
        return not self.failed


def _percentile(values, p):
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def _read_log(path: Path) -> list[dict]:
    records = []
    with open(path) as file:
        for line in file:
            if line.strip():
                records.append(json.loads(line))
    return records


def _uploads(record) -> bool:
    """A request that writes a poster to the media disk."""
    return record["k"] in ("填报提交（站点）", "填报提交（API）（宣传图）")


def _failure(record) -> bool:
    return not record["ok"]


def _server_side(record) -> bool:
    """A failure the site caused: a 5xx or no answer at all (the kinds a fault may excuse)."""
    return record["st"] >= 500 or record["st"] == 0


def report(soak) -> "Text":
    connections.close_all()
    attempts = _read_log(soak.folder / "load.jsonl")
    # A 503 whose Retry-After the client honoured is a line of its own; the operation is its last line.
    retried = [r for r in attempts if r.get("retried")]
    records = [r for r in attempts if not r.get("retried")]
    start = soak.load_start
    rep = Report()
    out = []
    seconds = soak.seconds

    # --- the rate --------------------------------------------------------------------------------------
    operations = [r for r in records if "（宣传图）" not in r["k"]]
    sent_rate = len(operations) / seconds
    lag = [r.get("s0", r["s"]) - r["t"] for r in records]  # the first attempt: retries are not lag
    answered = [r["e"] - r["t"] for r in records if r["ok"]]
    failed = [r for r in records if _failure(r)]

    # --- faults, recovery, 5xx outside ------------------------------------------------------------------
    windows = []
    fault_rows = []
    for fault in soak.fault_log:
        begin, end = fault["start"], fault["end"]
        extra = ""
        recovered = fault.get("recovered")
        if fault["fault"] == "app":
            first = min(
                (
                    r["s"]
                    for r in records
                    if r["ok"] and r["s"] >= end and fault["upstream"] in r.get("up", "")
                ),
                default=None,
            )
            extra = (
                f"；重启的服务器首个成功请求 +{first - end:.1f} s"
                if first
                else "；重启的服务器没有再收到请求"
            )
        if fault["fault"] == "worker":
            first_sms = _first_sms_after(end)
            recovered = first_sms - end if first_sms else None
            extra = f"（首条短信；被杀时该批已发 {fault.get('batch_sent_when_killed', 0)} 条）"
        if fault["fault"] == "disk":
            first = min((r["s"] for r in records if r["ok"] and r["s"] >= end and _uploads(r)), default=None)
            recovered = first - end if first else None
            extra = "（首个成功上传宣传图）"
        if fault["fault"] in ("redis", "pg-fast", "pg-outage"):
            extra = "（/health/ready/ 首个 200）"
        if fault["fault"] == "app":
            extra = "（该服务器 /health/ready/ 首个 200）" + extra
        # A request answered after the fault began and sent before it was over (plus a second for
        # what was in flight) may fail; a failure outside every such window is a finding.
        until = end + (recovered if recovered is not None else 0.0) + 1.0
        windows.append((begin, until))
        # Its failures: up to the next fault's start (a slow recovery must not count the next fault's).
        following = [f["start"] for f in soak.fault_log if f["start"] > begin]
        upto = min([until, *following])
        inside = [r for r in failed if r["e"] >= begin and r["s"] <= upto]
        fault_rows.append(
            f"| {fault['fault']} | +{begin - start:.1f} s | {end - begin:.1f} s | "
            f"{(f'{recovered:.1f} s' if recovered is not None else '未恢复')}{extra} | "
            f"{len(inside)}（5xx/无应答 {sum(_server_side(r) for r in inside)}） | {fault['what']} |"
        )
    outside = [
        r
        for r in failed + retried
        if _server_side(r) and not any(r["e"] >= b and r["s"] <= e for b, e in windows)
    ]

    # --- invariants from SQL ---------------------------------------------------------------------------
    counters = _counters()
    rep.check(
        "计数等于行数：点赞/收藏/打卡/评论",
        "；".join(
            f"{name} 不一致 {bad} 个活动（计数合计 {total:,}，行数 {rows:,}）"
            for name, (bad, total, rows) in counters.items()
        ),
        all(bad == 0 and total == rows for bad, total, rows in counters.values()),
    )
    submissions = _submissions(records)
    rep.check("填报：每个 2xx 的提交已保存，审核记录恰好一条", submissions["figure"], submissions["ok"])
    drafts = _drafts(records)
    rep.check("填报：每个 2xx 的暂存已保存为草稿", drafts["figure"], drafts["ok"])
    decisions = _decisions(records, soak.run_started)
    rep.check("审核：每个成功的审核通过已保存，记录恰好一条", decisions["figure"], decisions["ok"])
    rep.check("审核：没有重复记录的审核决定", decisions["twice_figure"], decisions["twice"] == 0)
    rep.check(
        "审核：每个决定都通知了填报人（站内 + 短信各一条）",
        decisions["notice_figure"],
        decisions["notices_ok"],
    )
    interactions = _interactions(records)
    rep.check("打卡/评论：每个 2xx 已保存", interactions["figure"], interactions["ok"])
    sms = _sms(soak.run_started)
    rep.check("短信：没有重复发送", sms["dup_figure"], sms["duplicates"] == 0)
    rep.check(
        "短信：没有丢失（标记已发送的都已交给服务商，队列已清空）", sms["lost_figure"], sms["lost"] == 0
    )
    rep.check(
        "短信：停在“发送中”的（需管理员确认重发）",
        sms["sending_figure"],
        sms["sending"] <= 5 * soak.args.concurrency,
    )
    codes = _codes(records, soak.run_started)
    rep.check("验证码：每个 200 恰好发出一条", codes["figure"], codes["ok"])
    reminders = _reminders(soak)
    rep.check("提醒：每位应提醒的填报人每个截止日每天恰好一条", reminders["figure"], reminders["ok"])
    rep.check(
        "提醒：每位有待审核的审核员每天恰好一条汇总", reminders["digest_figure"], reminders["digest_ok"]
    )
    rep.check(
        "故障窗口（含恢复时间）之外没有 5xx/无应答",
        f"{len(outside)} 个" + (f"（{_describe(outside[:5], start)}）" if outside else ""),
        not outside,
    )
    growth = _memory(soak)
    rep.check("内存：应用服务器与 worker 增长 ≤ 10 %", growth["figure"], growth["ok"])
    share = len(failed) / max(1, len(records))
    calm = [r for r in failed if not any(r["e"] >= b and r["s"] <= e for b, e in windows)]
    rep.check(
        "错误预算：失败请求 ≤ 0.1 %",
        f"{len(failed)} / {len(records):,} = {share:.3%}（5xx/无应答 {sum(_server_side(r) for r in failed)}，"
        f"其他 {sum(not _server_side(r) for r in failed)}；故障窗口之外 {len(calm)} = "
        f"{len(calm) / max(1, len(records)):.3%}；503 按 Retry-After 重发 {len(retried)} 次，"
        f"涉及 {len({(r['t'], r['k']) for r in retried})} 个操作）",
        share <= ERROR_BUDGET,
    )
    rep.check(
        "速率：按固定到达速率发出",
        f"目标 {soak.args.rate:g}/s，实际 {sent_rate:.1f}/s；发出滞后 p99 {_percentile(lag, 99) * 1000:.0f} ms，"
        f"最大 {max(lag, default=0):.2f} s",
        sent_rate >= 0.98 * soak.args.rate and _percentile(lag, 99) < 1.0,
    )

    # --- the text -----------------------------------------------------------------------------------
    header = (
        f"{datetime.now():%Y-%m-%d %H:%M} · {_machine()} · {soak.args.activities:,} activities · "
        f"{soak.args.minutes:g} min at {soak.args.rate:g} operations/s · 2 app servers × "
        f"{soak.args.workers} workers × {soak.args.threads} threads behind nginx · 2 Celery workers × "
        f"{soak.args.concurrency} + beat · SMS {soak.args.sms_delay * 1000:.0f} ms each"
    )
    out.append(header)
    out.append("")
    out.append(
        f"Requests: {len(records):,} ({len(operations):,} operations), answered OK p50 "
        f"{_percentile(answered, 50) * 1000:.0f} ms, p99 {_percentile(answered, 99) * 1000:.0f} ms "
        f"(from when each was due); reminders and digests at {soak.reminder_at:%H:%M} Asia/Shanghai "
        f"(+{soak.reminder_at.timestamp() - start:.0f} s)."
    )
    out.append("")
    out.append("| 故障 | 开始 | 持续 | 恢复时间 | 期间失败 | 做法 |")
    out.append("|---|---:|---:|---|---:|---|")
    out.extend(fault_rows or ["| （无） | | | | | |"])
    out.append("")
    out.append("| 不变量 | 数据 | 结果 |")
    out.append("|---|---|---|")
    out.extend(rep.lines)
    out.append("")
    out.append("| 类别 | 请求 | 失败 | p50 (ms) | p99 (ms) |")
    out.append("|---|---:|---:|---:|---:|")
    by_kind = defaultdict(list)
    for r in records:
        by_kind[r["k"]].append(r)
    for kind, items in by_kind.items():
        times = [r["e"] - r["t"] for r in items if r["ok"]]
        bad = [r for r in items if _failure(r)]
        statuses = Counter(r["st"] for r in bad)
        detail = (
            "（" + "，".join(f"{s or '无应答'}×{n}" for s, n in statuses.most_common(4)) + "）" if bad else ""
        )
        out.append(
            f"| {kind} | {len(items):,} | {len(bad)}{detail} | {_percentile(times, 50) * 1000:.0f} | "
            f"{_percentile(times, 99) * 1000:.0f} |"
        )
    out.append("")
    out.append("| 进程 | 开始 RSS (MB) | 结束 RSS (MB) | 增长 |")
    out.append("|---|---:|---:|---:|")
    out.extend(growth["rows"])
    if failed:
        out.append("")
        out.append("Failed requests (first 15): " + _describe(failed[:15], start))
    out.append("")
    out.append("All invariants hold." if rep.ok else "Not holding: " + "; ".join(rep.failed))
    return Text("\n".join(out), rep.ok)


@dataclass
class Text:
    text: str
    ok: bool


def _describe(records, start) -> str:
    return "；".join(
        f"+{r['s'] - start:.1f}s {r['k']} {r['st'] or ''}{(' ' + r['err']) if r.get('err') else ''}"
        f"{(' @' + r['up']) if r.get('up') else ''}"
        for r in records
    )


def _machine() -> str:
    import os

    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores, {memory:.0f} GB, {platform.system()} {platform.release()}"


# --- SQL ----------------------------------------------------------------------------------------------


def _counters() -> dict:
    """(activities whose counter differs from its rows, the counters' total, the rows' total) per counter."""
    from activities.models import Activity
    from public.models import CheckIn, Comment, Favorite, Like

    activities = Activity._meta.db_table
    checks = {
        "点赞": (Like._meta.db_table, "like_count", ""),
        "收藏": (Favorite._meta.db_table, "favorite_count", ""),
        "打卡": (CheckIn._meta.db_table, "checkin_count", ""),
        "评论": (Comment._meta.db_table, "comment_count", "WHERE deleted_at IS NULL AND hidden_at IS NULL"),
    }
    found = {}
    with connection.cursor() as cursor:
        for name, (table, column, where) in checks.items():
            cursor.execute(
                f"SELECT count(*) FILTER (WHERE a.{column} <> coalesce(r.n, 0)), coalesce(sum(a.{column}), 0), "  # noqa: S608
                f"coalesce(sum(r.n), 0) FROM {activities} a LEFT JOIN (SELECT activity_id, count(*) AS n "
                f"FROM {table} {where} GROUP BY activity_id) r ON r.activity_id = a.id"
            )
            bad, total, rows = cursor.fetchone()
            found[name] = (int(bad), int(total), int(rows))
    return found


def _codes_of(records, kinds, *, ok=True) -> list[str]:
    return [
        r["x"]["code"] for r in records if r["k"] in kinds and r["ok"] == ok and r.get("x", {}).get("code")
    ]


def _submissions(records) -> dict:
    from activities.models import Activity, ReviewDecision

    codes = _codes_of(records, ("填报提交（站点）", "填报提交（API）"))
    statuses = dict(Activity.all_objects.filter(public_code__in=codes).values_list("public_code", "status"))
    logged = Counter(
        ReviewDecision.objects.filter(
            activity__public_code__in=codes, to_status=ReviewDecision.State.PENDING
        ).values_list("activity__public_code", flat=True)
    )
    missing = [c for c in codes if statuses.get(c) not in ("pending", "approved", "rejected")]
    not_once = [c for c in codes if logged[c] != 1]
    duplicates = len(codes) - len(set(codes))
    unanswered = _stored_without_success(records, ("填报提交（站点）", "填报提交（API）"), submitted=True)
    figure = (
        f"{len(codes)} 个成功提交：未保存 {len(missing)}，审核记录不是一条 {len(not_once)}，重复编号 {duplicates}；"
        f"失败或无应答但已保存 {unanswered}"
    )
    return {"ok": not missing and not not_once and not duplicates, "figure": figure}


def _stored_without_success(records, kinds, *, submitted: bool) -> int:
    """Reports whose request failed (no answer, or an error) that the database holds all the same."""
    from activities.models import Activity

    names = set()
    for r in records:
        if r["k"] in kinds and not r["ok"]:
            names.add(r["s"])
    if not names:
        return 0
    ok_codes = set(_codes_of(records, kinds))
    statuses = ["pending", "approved", "rejected"] if submitted else ["draft"]
    created = Activity.all_objects.filter(
        created_at__gte=datetime.fromtimestamp(min(names)).astimezone(),
        status__in=statuses,
        name__contains="（",
    ).values_list("public_code", flat=True)
    return len(set(created) - ok_codes - set(_codes_of(records, kinds, ok=False)))


def _drafts(records) -> dict:
    from activities.models import Activity, ReviewDecision

    codes = _codes_of(records, ("填报暂存（站点）", "填报暂存（API）"))
    statuses = dict(Activity.all_objects.filter(public_code__in=codes).values_list("public_code", "status"))
    missing = [c for c in codes if statuses.get(c) != "draft"]
    logged = ReviewDecision.objects.filter(activity__public_code__in=codes).count()
    figure = f"{len(codes)} 个成功暂存：不是草稿 {len(missing)}，有审核记录 {logged}"
    return {"ok": not missing and not logged, "figure": figure}


def _decisions(records, since) -> dict:
    from activities.models import Activity, ReviewDecision
    from notifications.models import Message

    codes = _codes_of(records, ("审核通过",))
    failed_codes = _codes_of(records, ("审核通过",), ok=False)
    statuses = dict(
        Activity.objects.filter(public_code__in=codes + failed_codes).values_list("public_code", "status")
    )
    logged = Counter(
        ReviewDecision.objects.filter(
            activity__public_code__in=codes,
            from_status=ReviewDecision.State.PENDING,
            to_status=ReviewDecision.State.APPROVED,
        ).values_list("activity__public_code", flat=True)
    )
    missing = [c for c in codes if statuses.get(c) != "approved"]
    not_once = [c for c in codes if logged[c] != 1]
    decided_anyway = [c for c in failed_codes if statuses.get(c) == "approved"]
    twice = (
        ReviewDecision.objects.filter(at__gte=since, to_status__in=["approved", "rejected"])
        .values("activity_id", "from_status", "to_status")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    made = list(
        ReviewDecision.objects.filter(at__gte=since, to_status__in=["approved", "rejected"]).values_list(
            "pk", flat=True
        )
    )
    notices = Counter(
        Message.objects.filter(kind="decision", key__in=[f"decision:{pk}" for pk in made]).values_list(
            "key", "channel"
        )
    )
    missing_notices = sum(
        1 for pk in made for channel in ("site", "sms") if notices[(f"decision:{pk}", channel)] != 1
    )
    return {
        "ok": not missing and not not_once,
        "figure": f"{len(codes)} 个成功：未保存 {len(missing)}，记录不是一条 {len(not_once)}；"
        f"失败的 {len(failed_codes)} 个中已生效 {len(decided_anyway)}",
        "twice": twice,
        "twice_figure": f"运行中 {len(made)} 个决定，重复 {twice}",
        "notices_ok": missing_notices == 0,
        "notice_figure": f"{len(made)} 个决定，缺少或重复的通知 {missing_notices}",
    }


def _interactions(records) -> dict:
    from public.models import CheckIn, Comment

    checkins = [r for r in records if r["k"].startswith("打卡") and r["ok"]]
    pairs = {(r["x"]["user"], r["x"]["code"]) for r in checkins}
    stored = set(
        CheckIn.objects.filter(user_id__in={u for u, _ in pairs}).values_list(
            "user_id", "activity__public_code"
        )
    )
    missing_checkins = len(pairs - stored)
    comments = [r["x"]["text"] for r in records if r["k"].startswith("评论") and r["ok"]]
    texts = Counter(Comment.objects.filter(text__in=comments).values_list("text", flat=True))
    missing_comments = sum(1 for t in comments if texts[t] != 1)
    return {
        "ok": not missing_checkins and not missing_comments,
        "figure": f"打卡 {len(pairs)} 个：未保存 {missing_checkins}；评论 {len(comments)} 条：未保存或重复 {missing_comments}",
    }


def _first_sms_after(moment: float) -> float | None:
    from sms.models import SentSms

    first = (
        SentSms.objects.filter(created_at__gt=datetime.fromtimestamp(moment).astimezone())
        .order_by("pk")
        .first()
    )
    return first.created_at.timestamp() if first else None


def _sms(since) -> dict:
    """The outbox's SMS rows of the run against what the provider (SentSms) was handed."""
    from notifications.models import Message
    from sms.models import SentSms

    sign = f"【{settings.SMS_SIGN_NAME}】"
    handed = Counter(
        SentSms.objects.filter(created_at__gte=since)
        .exclude(template="verification_code")
        .values_list("phone", "text")
    )
    groups = defaultdict(Counter)
    states = Counter()
    for phone, body, state in Message.objects.filter(channel="sms", created_at__gte=since).values_list(
        "recipient__phone", "body", "state"
    ):
        groups[(phone, sign + body)][state] += 1
        states[state] += 1
    duplicates = lost = reached_while_sending = 0
    for key, by_state in groups.items():
        got = handed.get(key, 0)
        sent, sending = by_state["sent"], by_state["sending"]
        if got > sent + sending:
            duplicates += got - sent - sending
        if got < sent:
            lost += sent - got
        reached_while_sending += min(sending, max(0, got - sent))
    orphans = sum(n for key, n in handed.items() if key not in groups)
    queued = states["queued"]
    return {
        "duplicates": duplicates + orphans,
        "dup_figure": f"{sum(handed.values())} 条交给服务商；多发 {duplicates}，无对应消息 {orphans}",
        "lost": lost + queued,
        "lost_figure": f"{sum(states.values())} 条短信消息：已发送 {states['sent']}，标记已发送却未交给服务商 {lost}，"
        f"仍在队列 {queued}，失败 {states['failed']}",
        "sending": states["sending"],
        "sending_figure": f"{states['sending']} 条（其中服务商已收到 {reached_while_sending}）",
    }


def _codes(records, since) -> dict:
    from sms.models import SentSms

    answered = Counter(r["x"]["phone"] for r in records if r["k"] == "获取验证码" and r["st"] == 200)
    refused = {r["x"]["phone"] for r in records if r["k"] == "获取验证码" and r["st"] != 200}
    sent = Counter(
        SentSms.objects.filter(created_at__gte=since, template="verification_code").values_list(
            "phone", flat=True
        )
    )
    wrong = sum(1 for phone, n in answered.items() if sent[phone] != n)
    sent_anyway = sum(1 for phone in refused if sent[phone] and phone not in answered)
    return {
        "ok": wrong == 0,
        "figure": f"{sum(answered.values())} 个 200：条数不符 {wrong}；未成功的 {len(refused)} 个中已发出 {sent_anyway}",
    }


def _reminders(soak) -> dict:
    from notifications.models import Message

    before = soak.snapshot.get("before", {}).get("owed", {})
    after = soak.snapshot.get("after", {}).get("owed", {})
    day = soak.snapshot.get("after", {}).get("day", "")
    pattern = re.compile(r"^reminder:(\d+):(\w+):(\d+):([\d-]+):(\d+)$")
    rows = Counter()
    for key, channel in Message.objects.filter(kind__startswith="reminder_").values_list("key", "channel"):
        match = pattern.match(key)
        if match:
            owner, kind, activity, deadline, days = match.groups()
            rows[(f"reminder_{kind}", f"{owner}:{activity}:{deadline}:{days}", channel)] += 1
    owed = missing = wrong = unexpected = 0
    organisers = set()
    for kind in SMS_KINDS_OF_REMINDERS:
        sure = set(before.get(kind, [])) & set(after.get(kind, []))
        possible = set(before.get(kind, [])) | set(after.get(kind, []))
        owed += len(sure)
        for key in sure:
            for channel in ("site", "sms"):
                n = rows[(kind, key, channel)]
                missing += n == 0
                wrong += n > 1
            organisers.add(key.split(":")[0])
        unexpected += sum(1 for (k, key, _c) in rows if k == kind and key not in possible)
    digests = Counter(
        Message.objects.filter(kind="review_digest", key__endswith=f":{day}").values_list(
            "recipient_id", "channel"
        )
    )
    digest_owed = set(before.get("review_digest", [])) & set(after.get("review_digest", []))
    digest_missing = sum(1 for r in digest_owed for c in ("site", "sms") if digests[(int(r), c)] != 1)
    fired = Message.objects.filter(kind__startswith="reminder_").order_by("created_at").first()
    when = (
        f"，首条于 {fired.created_at.astimezone(soak.reminder_at.tzinfo):%H:%M:%S}" if fired else "，没有发出"
    )
    return {
        "ok": owed > 0 and missing == 0 and wrong == 0 and unexpected == 0,
        "figure": f"{owed} 个（{len(organisers)} 位填报人，前后两次都应提醒）：缺少 {missing}，多于一条 {wrong}，"
        f"不应发的 {unexpected}{when}",
        "digest_ok": bool(digest_owed) and digest_missing == 0,
        "digest_figure": f"{len(digest_owed)} 位审核员：缺少或多于一条 {digest_missing}",
    }


def _memory(soak) -> dict:
    """Growth from the warm start to the end; a process killed and started again is measured from
    its new life's warm start (``rss_restarted``, taken as long after its restart as the run's
    start was taken after the run began) when the run lasted that long."""
    start = dict(soak.rss.get("start", {}).get("mb", {}))
    end = soak.rss.get("end", {}).get("mb", {})
    rows, worst, ok = [], 0.0, True
    restarted = {f["fault"]: f for f in soak.fault_log}
    for name in ("app1", "app2", "worker1", "worker2", "beat"):
        if name not in start or name not in end:
            continue
        note = ""
        if (name == "app2" and "app" in restarted) or (name == "worker1" and "worker" in restarted):
            again = soak.rss_restarted.get(name)
            if again:
                start[name] = again
                note = "（被杀后重启，从重启后预热完成时算起）"
            else:
                note = "（被杀后重启；重启后的预热时间比剩余运行时间长，从运行开始时算起）"
        growth = end[name] / start[name] - 1 if start[name] else 0.0
        rows.append(f"| {name}{note} | {start[name]:.0f} | {end[name]:.0f} | {growth:+.1%} |")
        if name != "beat":
            worst = max(worst, growth)
            ok = ok and growth <= GROWTH_LIMIT
    return {"ok": ok and bool(rows), "figure": f"最大增长 {worst:+.1%}", "rows": rows}


def write_results(path: Path, text: str) -> None:
    """Put the report in ``path`` between ``<!-- soak -->`` markers (added at the end when missing)."""
    content = path.read_text() if path.exists() else ""
    block = f"<!-- soak -->\n{text}\n<!-- /soak -->"
    if "<!-- soak -->" in content:
        content = re.sub(r"<!-- soak -->.*?<!-- /soak -->", lambda _m: block, content, flags=re.S)
    else:
        content = content.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(content)
