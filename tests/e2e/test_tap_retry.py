"""A tap answered 503 with Retry-After (the database restarting: kepuri.views.server_error) is sent
again by the page's script after that many seconds, the reader told meanwhile: the like is done once.
The outage is played by the network (Playwright answers the first POST), the rest is the server's."""

import json

import pytest
from playwright.sync_api import expect

from public.models import Like
from tests.e2e.test_comment_again import log_in
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
