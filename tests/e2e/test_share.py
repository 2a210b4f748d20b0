"""分享 on the activity page: the phone's share sheet, or the link copied on a desktop; each counted."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from activities import qr
from audience import flush
from audience.models import ActivityReach
from tests.factories import UserFactory, make_activity

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_AGENT = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0 Mobile Safari/537.36"
)
DESKTOP_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0"
)


@pytest.fixture
def activity(settings, live_server):
    settings.SITE_URL = live_server.url
    now = timezone.now()
    return make_activity(
        UserFactory(phone="13800138000"),
        status="approved",
        name="节水科普进社区",
        starts_at=now + timedelta(days=1),
        ends_at=now + timedelta(days=1, hours=2),
    )


def reach(activity):
    flush.flush()
    found = ActivityReach.objects.filter(activity=activity).first()
    return (found.views, found.shares) if found else (0, 0)


@pytest.mark.browser_context_args(user_agent=DESKTOP_AGENT, permissions=["clipboard-read", "clipboard-write"])
def test_on_a_desktop_share_copies_the_link_and_counts(page, activity):
    page.goto(qr.public_url(activity))
    page.get_by_role("button", name="分享", exact=True).click()
    expect(page.get_by_text("链接已复制，粘贴给好友即可分享")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == qr.public_url(activity)
    expect(page.get_by_role("link", name="分享海报")).to_have_attribute(
        "href", f"/a/{activity.public_code}/poster.png"
    )
    page.wait_for_function("() => performance.getEntriesByType('resource').some(e => /share/.test(e.name))")
    assert reach(activity) == (1, 1)


@pytest.mark.browser_context_args(
    user_agent=PHONE_AGENT, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
)
def test_on_a_phone_share_opens_the_share_sheet_and_counts(page, activity):
    # The phone's own share sheet is the outside world: stand in for it, and note what it was given.
    page.add_init_script(
        "navigator.share = (data) => { window.sharedWith = data; return Promise.resolve(); };"
    )
    page.goto(qr.public_url(activity))
    page.get_by_role("button", name="分享", exact=True).tap()
    expect(page.get_by_text("感谢分享！")).to_be_visible()
    shared = page.evaluate("window.sharedWith")
    assert shared == {"title": "节水科普进社区", "text": "节水科普进社区", "url": qr.public_url(activity)}
    page.reload()  # a second view
    assert reach(activity) == (2, 1)


@pytest.mark.browser_context_args(
    user_agent=PHONE_AGENT, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
)
def test_closing_the_share_sheet_shares_nothing(page, activity):
    page.add_init_script("navigator.share = () => Promise.reject(new DOMException('closed', 'AbortError'));")
    page.goto(qr.public_url(activity))
    page.get_by_role("button", name="分享", exact=True).tap()
    expect(page.locator("[data-share-status]")).to_have_text("")
    assert reach(activity) == (1, 0)


def test_a_headless_browser_is_not_counted(page, activity):
    """The tests' own Chromium says HeadlessChrome: a robot, as far as the counts go."""
    page.goto(qr.public_url(activity))
    expect(page.get_by_role("heading", name=re.compile("节水科普进社区"))).to_be_visible()
    assert reach(activity) == (0, 0)
