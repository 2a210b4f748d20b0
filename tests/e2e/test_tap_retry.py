"""A tap answered 503 with Retry-After (the database restarting: kepuri.views.server_error) is sent
again by the page's script after that many seconds, the reader told meanwhile: the like is done once.
The outage is played by the network (Playwright answers the first POST), the rest is the server's."""

import json

import pytest
from playwright.sync_api import expect

from public.models import Like
from tests.e2e.conftest import log_in
from tests.factories import UserFactory, make_activity

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_tap_answered_503_is_sent_again_after_retry_after(page, live_server):
    activity = make_activity(UserFactory(), status="approved", name="节水科普进社区")
    UserFactory(phone="13700137000")
    log_in(page, live_server, "13700137000", f"/a/{activity.public_code}/")
    answered = []

    def outage_once(route):
        if not answered:
            answered.append(503)
            body = {"ok": False, "message": "服务暂时不可用，请稍后再试", "retry_after": 1}
            route.fulfill(status=503, headers={"Retry-After": "1"}, content_type="application/json",
                          body=json.dumps(body, ensure_ascii=False))  # fmt: skip
            return
        answered.append("server")
        route.continue_()

    page.route(f"**/a/{activity.public_code}/like/", outage_once)
    page.wait_for_load_state("networkidle")  # the page's script has taken the buttons over
    page.get_by_role("button", name="点赞").click()
    status = page.locator("[data-action-status]")
    expect(status).to_have_text("服务暂时不可用，1 秒后自动重试…")
    expect(status).to_have_text("已点赞")
    expect(page.get_by_role("button", name="已点赞")).to_have_attribute("aria-pressed", "true")
    assert answered == [503, "server"]
    assert Like.objects.filter(activity=activity).count() == 1


def test_the_503_page_on_a_phone_says_what_to_do(page, live_server, screenshot):
    """The page a reader gets while the database is away, as the server renders it (the test client
    with the database failing at the driver), shown with the site's own styles."""
    from django.db import OperationalError, connection
    from django.test import Client

    def database_away(execute, sql, params, many, context):
        raise OperationalError("server closed the connection unexpectedly")

    with connection.execute_wrapper(database_away):
        answer = Client(raise_request_exception=False).get("/activities/")
    assert answer.status_code == 503
    page.set_viewport_size({"width": 390, "height": 844})
    page.route(
        f"{live_server.url}/activities/",
        lambda route: route.fulfill(status=503, headers={"Content-Type": "text/html; charset=utf-8"},
                                    body=answer.content),
    )  # fmt: skip
    page.goto(f"{live_server.url}/activities/")
    expect(page.get_by_role("heading", name="服务暂时不可用")).to_be_visible()
    expect(page.get_by_text("服务暂时不可用，请稍后再试。本页将在 10 秒后自动刷新。")).to_be_visible()
    screenshot("unavailable-phone")
