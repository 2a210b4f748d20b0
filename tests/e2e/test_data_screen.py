"""数据大屏 in the browser: 中国科协's screen, and its figures moving after views and shares."""

import re

import pytest
from playwright.sync_api import expect

from activities import qr
from audience import flush
from directory.models import Region
from reviews import screen as data_screen
from tests.e2e.test_review_flow import log_in
from tests.e2e.test_review_statistics import reviewer
from tests.factories import UserFactory, make_activity

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_AGENT = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0 Mobile Safari/537.36"
)


def figure(page, key):
    return int(page.locator(f"[data-figure='{key}']").get_attribute("data-value"))


def test_the_screen_shows_the_figures_move_after_views_and_shares(
    page, browser, live_server, settings, monkeypatch, screenshot
):
    settings.SITE_URL = live_server.url
    monkeypatch.setattr(data_screen, "SECONDS", 1)  # the screens' shared copy: a second, not thirty
    activity = make_activity(
        UserFactory(phone="13800138000"),
        status="approved",
        name="节水科普进社区",
        region=Region.objects.get(code="130600"),
    )
    reviewer("中国科协", "13900000003")
    page.set_viewport_size({"width": 1920, "height": 1080})
    log_in(page, live_server, "13900000003", "/review/screen/?refresh=2")
    expect(page.locator("body[data-drawn]")).to_have_count(1)
    assert (figure(page, "activities"), figure(page, "views"), figure(page, "shares")) == (1, 0, 0)
    refreshes = int(page.locator("body").get_attribute("data-refreshes") or 0)

    # Three phones open the activity's page, one of them shares it; beat's flush runs.
    phone = browser.new_context(user_agent=PHONE_AGENT, viewport={"width": 390, "height": 844})
    reader = phone.new_page()
    for _ in range(3):
        reader.goto(qr.public_url(activity))
    reader.get_by_role("button", name="分享", exact=True).click()
    expect(reader.get_by_text("链接已复制")).to_be_visible()
    reader.wait_for_function("() => performance.getEntriesByType('resource').some(e => /share/.test(e.name))")
    phone.close()
    flush.flush()

    # The screen asks again by itself (one JSON request) and shows them, with today's growth.
    expect(page.locator("[data-figure='views']")).to_have_attribute("data-value", "3", timeout=15_000)
    expect(page.locator("[data-figure='shares']")).to_have_attribute("data-value", "1")
    expect(page.locator("[data-figure-today='views']")).to_have_attribute("data-value", "3")
    assert int(page.locator("body").get_attribute("data-refreshes")) > refreshes
    expect(page.locator("[data-top='viewed']")).to_contain_text("节水科普进社区")
    expect(page.locator(".tile[data-code='130000']")).to_be_visible()
    expect(page.get_by_text(re.compile("数据更新于"))).to_be_visible()
    screenshot("data-screen-live")
