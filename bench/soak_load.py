#!/usr/bin/env python
"""The soak's load generator (bench/soak.py): requests at a fixed arrival rate, in a process of its own.

    python bench/soak_load.py --plan PLAN.json --log LOAD.jsonl --rate 40 --seconds 300

An open model: the n-th operation is due at start + n / rate whatever the
answers before it (a slow server does not slow the load down, the requests pile
up, as real visitors would); its latency is counted from when it was due, so a
stall is not hidden (no coordinated omission). Each operation is drawn from the
plan's kinds by weight; a kind's requests come from the plan (bench/soak.py
writes it: session cookies, bearer tokens, codes, pending activities, each
"once" item used at most once). Every HTTP request is a line of the log:

    {"t": due, "s": sent, "e": answered (epoch seconds), "k": kind, "st": status (0: no answer),
     "ok": as expected, "err": the exception, "up": the app server nginx used, "x": what it did,
     "retried": n (a 503 whose Retry-After was honoured: the n-th attempt, sent again),
     "s0": when the operation's first attempt was sent}

Needs only aiohttp (a runtime dependency of the project, through the SMS SDK): it
imports nothing of Django, so its CPU is not the site's.
"""

import argparse
import asyncio
import json
import random
import re
import signal
import time
import uuid

import aiohttp

RETRIES = 5  # a 503's Retry-After honoured this many times, as the site's own clients do
MAX_WAIT = 30.0
PHONE_AGENT = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"
CODE_IN_LOCATION = re.compile(r"/activities/([A-Za-z0-9]+)/")


class Load:
    def __init__(self, plan: dict, args):
        self.plan = plan
        self.base = args.base.rstrip("/")
        self.rng = random.Random(args.seed)
        self.kinds = plan["kinds"]
        self.weights = [kind["weight"] for kind in self.kinds]
        self.cursor = {kind["name"]: 0 for kind in self.kinds}
        self.log = open(args.log, "w", buffering=1 << 16)  # noqa: SIM115 -- closed in run()
        self.poster = open(plan["poster"], "rb").read()  # noqa: SIM115
        self.csrf = plan["csrf"]
        self.sequence = 0
        self.stopping = False

    # --- the pieces of a request ------------------------------------------------------------

    def client_ip(self) -> str:
        """A visitor's address, as the CDN in front of the balancer would pass it (X-Forwarded-For)."""
        return f"10.{self.rng.randrange(256)}.{self.rng.randrange(256)}.{self.rng.randrange(1, 255)}"

    def headers(self, extra=None) -> dict:
        return {"User-Agent": PHONE_AGENT, "X-Forwarded-For": self.client_ip(), **(extra or {})}

    def form_headers(self, cookie: str, xhr: bool = False) -> dict:
        headers = {"Cookie": f"{cookie}; csrftoken={self.csrf}" if cookie else f"csrftoken={self.csrf}"}
        headers["X-CSRFToken"] = self.csrf
        if xhr:
            headers["X-Requested-With"] = "XMLHttpRequest"
        return headers

    def pick(self, kind):
        items = kind["items"]
        if kind.get("once"):
            at = self.cursor[kind["name"]]
            if at >= len(items):
                return None
            self.cursor[kind["name"]] = at + 1
            return items[at]
        if kind.get("skew"):  # popular items more often (a power law over the list's order)
            return items[min(int(len(items) * self.rng.random() ** kind["skew"]), len(items) - 1)]
        return self.rng.choice(items)

    async def send(self, session, record, method, path, *, headers, **body) -> tuple[int, dict, str]:
        """One request; its line in the log (``record`` holds the operation's due time and kind).

        A 503 with Retry-After (the site away for a moment: kepuri.views.server_error) is sent again
        after that many seconds, up to RETRIES times, as the site's clients do: the page reloads
        itself, the page's script repeats the tap, the API tells its clients to. Each answer
        retried is a line of its own marked ``"retried": n``; the operation's outcome is the last.
        """
        first = time.time()
        for attempt in range(RETRIES + 1):
            sent = {**record, "s": time.time(), "s0": first}
            status, answer_headers, text = 0, {}, ""
            try:
                async with session.request(
                    method, self.base + path, headers=self.headers(headers), allow_redirects=False, **body
                ) as response:
                    status, answer_headers = response.status, response.headers
                    text = await response.text(errors="replace")
            except (TimeoutError, aiohttp.ClientError, OSError) as exc:
                sent["err"] = f"{type(exc).__name__}: {exc}"[:200]
            sent.update(e=time.time(), st=status, up=answer_headers.get("X-Upstream", ""))
            wait = _seconds(answer_headers.get("Retry-After")) if status == 503 else None
            if wait is None or attempt == RETRIES or self.stopping:
                return status, answer_headers, text, sent
            self.write({**sent, "retried": attempt + 1}, False)
            await asyncio.sleep(min(wait, MAX_WAIT))
        raise AssertionError("unreachable")

    def write(self, record, ok: bool, **extra) -> None:
        record["ok"] = ok
        if extra:
            record["x"] = extra
        self.log.write(json.dumps(record, ensure_ascii=False) + "\n")

    # --- operations ---------------------------------------------------------------------------

    async def operation(self, session, kind, due):
        record = {"t": due, "k": kind["name"]}
        item = self.pick(kind)
        if item is None:  # a "once" list used up: the plan was too short for the run
            self.write({**record, "s": due, "e": due, "st": 0, "err": "plan exhausted"}, False)
            return
        flow = getattr(self, f"flow_{kind['flow']}")
        await flow(session, kind, item, record)

    async def flow_get(self, session, kind, item, record):
        headers = {"Cookie": item["cookie"]} if item.get("cookie") else {}
        if item.get("bearer"):
            headers["Authorization"] = f"Bearer {item['bearer']}"
        status, _, _, record = await self.send(session, record, "GET", item["path"], headers=headers)
        self.write(record, status in kind["expect"])

    async def flow_toggle(self, session, kind, item, record):
        """点赞 / 收藏 on the site (a POST from the page's script) or through the API (PUT / DELETE)."""
        on = self.rng.random() < 0.6
        if item.get("bearer"):
            method = "PUT" if on else "DELETE"
            headers = {"Authorization": f"Bearer {item['bearer']}"}
            status, _, _, record = await self.send(session, record, method, item["path"], headers=headers)
        else:
            headers = self.form_headers(item["cookie"], xhr=True)
            status, _, _, record = await self.send(
                session, record, "POST", item["path"], headers=headers, data={"on": "1" if on else "0"}
            )
        self.write(record, status in kind["expect"], code=item["code"], on=on)

    async def flow_checkin(self, session, kind, item, record):
        if item.get("bearer"):
            headers = {"Authorization": f"Bearer {item['bearer']}"}
            status, _, _, record = await self.send(session, record, "PUT", item["path"], headers=headers)
        else:
            headers = self.form_headers(item["cookie"], xhr=True)
            status, _, _, record = await self.send(session, record, "POST", item["path"], headers=headers)
        self.write(record, status in kind["expect"], code=item["code"], user=item["user"])

    async def flow_comment(self, session, kind, item, record):
        self.sequence += 1
        text = f"{self.rng.choice(self.plan['comments'])}（{self.sequence}）"
        if item.get("bearer"):
            headers = {"Authorization": f"Bearer {item['bearer']}"}
            status, _, _, record = await self.send(
                session, record, "POST", item["path"], headers=headers, json={"text": text}
            )
        else:
            headers = self.form_headers(item["cookie"], xhr=True)
            status, _, _, record = await self.send(
                session, record, "POST", item["path"], headers=headers, data={"text": text}
            )
        self.write(record, status in kind["expect"], code=item["code"], text=text)

    async def flow_sms_code(self, session, kind, item, record):
        headers = self.form_headers("", xhr=True)
        data = {"phone": item["phone"], "purpose": "login"}
        status, _, _, record = await self.send(
            session, record, "POST", "/accounts/sms-code/", headers=headers, data=data
        )
        self.write(record, status in kind["expect"], phone=item["phone"])

    async def flow_code_login(self, session, kind, item, record):
        data = {"phone": item["phone"], "code": item["code"], "agree": "on"}
        status, headers, _, record = await self.send(
            session, record, "POST", "/accounts/login/code/", headers=self.form_headers(""), data=data
        )
        cookies = headers.getall("Set-Cookie", []) if headers else []
        signed_in = any(cookie.startswith("sessionid=") for cookie in cookies)
        self.write(record, status in kind["expect"] and signed_in, phone=item["phone"])

    async def flow_decide(self, session, kind, item, record):
        """审核通过 on the site: a redirect either way; to the activity's own page when it was refused."""
        headers = self.form_headers(item["cookie"])
        status, answer, _, record = await self.send(
            session, record, "POST", item["path"], headers=headers, data={"decision": "approve"}
        )
        location = answer.get("Location", "") if answer else ""
        refused = f"/review/activities/{item['code']}/" in location
        self.write(record, status in kind["expect"] and not refused, code=item["code"], location=location)

    async def flow_site_report(self, session, kind, item, record):
        """发布活动 on the site: 暂存 (a draft) or 保存并下一步 with a poster (submitted, 待审核)."""
        self.sequence += 1
        form = aiohttp.FormData()
        submit = kind["submit"]
        fields = {
            **self.plan["report_form"],
            **item["fields"],
            "name": f"{item['name']}（站点{self.sequence}）",
        }
        if not submit:
            fields = {"name": fields["name"], "save_draft": "1"}  # 暂存: only the name is needed
        for key, value in fields.items():
            form.add_field(key, value)
        if submit:
            form.add_field("poster", self.poster, filename="poster.jpg", content_type="image/jpeg")
        path = f"/publish/report/?token={uuid.uuid4()}"
        status, answer, _, record = await self.send(
            session, record, "POST", path, headers=self.form_headers(item["cookie"]), data=form
        )
        location = answer.get("Location", "") if answer else ""
        match = CODE_IN_LOCATION.search(location)
        wanted = "/supplement/" if submit else "/edit/"
        ok = status in kind["expect"] and match is not None and wanted in location
        self.write(record, ok, code=match.group(1) if match else "", submit=submit, location=location)

    async def flow_api_report(self, session, kind, item, record):
        """发布活动 through the API: a draft (a name), or a poster first and then the whole report, submitted."""
        self.sequence += 1
        auth = {"Authorization": f"Bearer {item['bearer']}"}
        body = {"name": f"{item['name']}（接口{self.sequence}）", "creation_token": str(uuid.uuid4())}
        if kind["submit"]:
            form = aiohttp.FormData()
            form.add_field("poster", self.poster, filename="poster.jpg", content_type="image/jpeg")
            status, _, text, poster_record = await self.send(
                session, dict(record, k=record["k"] + "（宣传图）"), "POST", "/api/v1/my/posters/",
                headers=auth, data=form,
            )  # fmt: skip
            poster_id = _json(text).get("id") if status == 201 else None
            self.write(poster_record, poster_id is not None, poster=poster_id)
            if poster_id is None:
                return
            record = {**record, "t": time.time()}  # the report is sent once the poster is stored
            body |= {**self.plan["report_json"], **item["json"], "poster_id": poster_id, "submit": True}
        status, _, text, record = await self.send(
            session, record, "POST", "/api/v1/my/activities/", headers=auth, json=body
        )
        answer = _json(text)
        ok = status in kind["expect"] and answer.get("status") == ("pending" if kind["submit"] else "draft")
        self.write(record, ok, code=answer.get("code", ""), submit=kind["submit"])

    # --- the run ------------------------------------------------------------------------------

    async def run(self, rate: float, seconds: float, connections: int, timeout: float):
        connector = aiohttp.TCPConnector(limit=connections, ttl_dns_cache=None)
        session = aiohttp.ClientSession(
            connector=connector,
            cookie_jar=aiohttp.DummyCookieJar(),
            timeout=aiohttp.ClientTimeout(total=timeout),
        )
        tasks = set()
        start = time.time() + 0.2
        end = start + seconds
        n = 0
        try:
            while not self.stopping:
                due = start + n / rate
                if due >= end:
                    break
                wait = due - time.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                kind = self.rng.choices(self.kinds, self.weights)[0]
                task = asyncio.create_task(self.operation(session, kind, due))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
                n += 1
            if tasks:
                await asyncio.wait(tasks, timeout=timeout + 5 + RETRIES * MAX_WAIT)  # retries pending
        finally:
            await session.close()
            self.log.close()
        print(json.dumps({"operations": n, "start": start, "end": end}), flush=True)


def _seconds(value) -> float | None:
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def _json(text: str) -> dict:
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plan", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--base", required=True, help="the load balancer, e.g. http://127.0.0.1:8080")
    parser.add_argument("--rate", type=float, required=True, help="operations per second")
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--connections", type=int, default=400)
    parser.add_argument(
        "--timeout", type=float, default=30.0, help="seconds before a request counts as failed"
    )
    args = parser.parse_args()
    with open(args.plan) as file:
        plan = json.load(file)
    load = Load(plan, args)

    def stop(*_):
        load.stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    asyncio.run(load.run(args.rate, args.seconds, args.connections, args.timeout))


if __name__ == "__main__":
    main()
