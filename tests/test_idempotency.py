"""kepuri.idempotency: a form's second POST (a double click) is answered as its first was."""

import copy
import threading
import time

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from kepuri.settings import redis_cache
from tests import idempotency_views as views
from tests.double_click import double_click, form_token

pytestmark = [pytest.mark.urls("tests.idempotency_views"), pytest.mark.django_db]
DEAD_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture(autouse=True)
def _fresh_views():
    views.DONE.clear()
    views.ENTERED.clear()
    views.RELEASE.clear()
    yield
    views.RELEASE.set()


@pytest.fixture
def browser():
    """A browser that has opened the form: its CSRF cookie, and the form's token."""
    client = Client()
    client.token = form_token(client.get("/form/"))
    return client


def shown_next(response) -> list[str]:
    """The messages the answer leaves for the next page."""
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_a_repeat_gets_the_first_answer_and_its_message(browser):
    first, second = double_click(browser, "/save/", {"name": "甲", "form_token": browser.token})

    assert views.DONE == ["甲"]
    assert first.status_code == second.status_code == 302 and first.url == second.url == "/saved/1/"
    assert shown_next(first) == shown_next(second) == ["已保存甲"]


def test_a_json_answer_is_repeated_as_it_was(browser):
    first, second = double_click(browser, "/tap/", {"form_token": browser.token})
    assert views.DONE == ["tap"]
    assert first.json() == second.json() == {"ok": True, "taps": 1}
    assert second["Content-Type"] == "application/json"


def test_a_repeat_arriving_while_the_first_runs_waits_for_its_answer(browser):
    data = {"form_token": browser.token}
    answers = {}

    def post(name):
        client = Client()
        client.cookies = copy.deepcopy(browser.cookies)
        started = time.monotonic()
        answers[name] = (client.post("/slow/", data), time.monotonic() - started)

    first = threading.Thread(target=post, args=("first",))
    first.start()
    assert views.ENTERED.wait(5)
    second = threading.Thread(target=post, args=("second",))
    second.start()
    time.sleep(0.3)  # the second is waiting now
    assert "second" not in answers and views.DONE == []
    views.RELEASE.set()
    first.join(10)
    second.join(10)

    assert views.DONE == ["slow"]
    assert answers["first"][0].url == answers["second"][0].url == "/saved/1/"
    assert answers["second"][1] >= 0.3


def test_a_refusal_is_not_remembered(browser):
    first, second = double_click(browser, "/save/", {"name": "", "form_token": browser.token})
    assert first.content == second.content == "请填写名称".encode()
    assert views.DONE == []
    # The corrected form is another submission and runs.
    assert browser.post("/save/", {"name": "乙", "form_token": browser.token}).url == "/saved/1/"


def test_a_failure_lets_the_repeat_run(browser):
    browser.raise_request_exception = False
    first, second = double_click(browser, "/fails/", {"form_token": browser.token})
    assert first.status_code == 500
    assert second.status_code == 302 and views.DONE == ["fails", "fails"]


def test_other_values_another_token_or_another_browser_run_anew(browser):
    browser.post("/save/", {"name": "甲", "form_token": browser.token})
    browser.post("/save/", {"name": "乙", "form_token": browser.token})
    browser.post("/save/", {"name": "甲", "form_token": form_token(browser.get("/form/"))})
    other = Client()
    other.get("/form/")  # its own CSRF cookie
    other.post("/save/", {"name": "甲", "form_token": browser.token})
    assert views.DONE == ["甲", "乙", "甲", "甲"]


def test_without_a_token_every_post_runs(browser):
    for token in ("", "short", "x" * 65, "不是令牌不是令牌不是令牌不是令牌"):
        browser.post("/save/", {"name": "甲", "form_token": token})
    browser.post("/save/", {"name": "甲"})
    assert len(views.DONE) == 5


def test_with_the_cache_down_every_post_runs(browser, settings):
    settings.CACHES = {**settings.CACHES, "default": redis_cache(DEAD_REDIS, "down")}
    first, second = double_click(browser, "/save/", {"name": "甲", "form_token": browser.token})
    assert first.url == "/saved/1/" and second.url == "/saved/2/"
    assert views.DONE == ["甲", "甲"]
