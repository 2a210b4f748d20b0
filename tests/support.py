"""Helpers for tests: service requirements, reading pages, sending codes, racing requests."""

import html
import os
import re
import threading
from datetime import datetime
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from django.db import connections

import sms

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Where the ``clock`` fixture stops time: a Tuesday morning in a report window.
CLOCK_START = datetime(2026, 9, 1, 9, 0, tzinfo=SHANGHAI)


def require(available: bool, what: str) -> None:
    """Skip (or, with REQUIRE_SERVICES=1, fail) a test whose service is missing."""
    if available:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"{what} (REQUIRE_SERVICES=1 forbids skipping)")
    pytest.skip(what)


def last_code(phone: str) -> str:
    """The code in the last verification SMS sent to ``phone`` (locmem outbox)."""
    for message in reversed(sms.outbox):
        if message.phone == phone and "code" in message.params:
            return message.params["code"]
    raise AssertionError(f"no SMS was sent to {phone}")


def request_code(client, phone, purpose="register", **extra):
    """Press 获取验证码 as the page's script does; return the JSON response."""
    return client.post("/accounts/sms-code/", {"phone": phone, "purpose": purpose}, **extra)


class _InlineCodeFinder(HTMLParser):
    """Collects what a strict Content-Security-Policy would block."""

    def __init__(self):
        super().__init__()
        self.problems = []

    def handle_starttag(self, tag, attrs):
        names = {name for name, _ in attrs}
        data_block = dict(attrs).get("type") == "application/json"  # data, never run: CSP allows it
        if tag == "script" and "src" not in names and not data_block:
            self.problems.append("<script> without src")
        if tag == "style":
            self.problems.append("<style> element")
        if "style" in names:
            self.problems.append(f"style= on <{tag}>")
        self.problems.extend(f"{name}= on <{tag}>" for name in names if name.startswith("on"))
        for name, value in attrs:
            if name in {"href", "src", "action"} and (value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"javascript: URL on <{tag}>")


def inline_code(html: str) -> list[str]:
    """Inline scripts, styles and handlers in ``html`` (empty when a strict CSP holds)."""
    finder = _InlineCodeFinder()
    finder.feed(html)
    return finder.problems


class FormsOnPage(HTMLParser):
    """A page's forms: each button's form (its action, by the button's words), and the forms opened
    inside another (outer action, inner action), which HTML does not allow: the browser drops the
    inner <form> tag and its buttons post the outer form."""

    def __init__(self, html: str):
        super().__init__()
        self.open, self.nested, self.buttons = [], [], {}
        self.button = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "form":
            action = dict(attrs).get("action", "")
            if self.open:
                self.nested.append((self.open[-1], action))
            self.open.append(action)
        elif tag == "button":
            self.button = self.open[-1] if self.open else None

    def handle_endtag(self, tag):
        if tag == "form" and self.open:
            self.open.pop()

    def handle_data(self, data):
        if self.button is not None and data.strip():
            self.buttons[data.strip()] = self.button
            self.button = None


def text_of(response) -> str:
    """The page's visible text, tags removed and whitespace collapsed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style|template)\b.*?</\1>", " ", html, flags=re.S)  # none is shown
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def header_text(response) -> str:
    """The visible text of the page's header."""
    html = response.content.decode()
    header = html[html.index("<header") : html.index("</header>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", header))


def race(*calls, expect: type[Exception] | tuple[type[Exception], ...] = ()) -> list:
    """Run ``calls`` in threads released at one moment, as requests arriving together.

    Returns, in order, what each call returned or the exception of an ``expect``
    type it raised (a refusal its user reads). Any other exception is raised
    here: it is a 500 that a user would meet. Each thread has its own database
    connection, closed when it ends.
    """
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)
    unexpected: list[Exception] = []

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except expect as exc:
            results[index] = exc
        except Exception as exc:  # raised in the test's thread below
            unexpected.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call), daemon=True) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a racing call did not finish: a deadlock?"
    if unexpected:
        raise unexpected[0]
    return results


def queue_names(response) -> list[str]:
    """The activities' names in the rows of a review queue page, in order."""
    html_text = response.content.decode()
    table = html_text[html_text.index('class="table table-sm align-middle review-queue"') :]
    table = table[: table.index("</table>")]
    return [
        html.unescape(name)
        for name in re.findall(r'<td><a href="/review/activities/[^"]+">([^<]*)</a></td>', table)
    ]
