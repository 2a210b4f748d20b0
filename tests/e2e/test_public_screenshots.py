"""Home, list and activity page with the demo data, at phone and desktop sizes, for docs/screenshots."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from activities.models import Activity

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 768}}


@pytest.mark.parametrize("size", SIZES)
def test_public_pages_with_the_demo_data(page, live_server, screenshot, size):
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    page.set_viewport_size(SIZES[size])
    page.goto(f"{live_server.url}/?province=630000")
    expect(page.get_by_text("青海省活动主题")).to_be_visible()
    screenshot(f"public-home-{size}")
    page.goto(f"{live_server.url}/activities/?q=科学")
    expect(page.get_by_role("link", name="青少年科学实验开放日")).to_be_visible()
    screenshot(f"public-list-{size}")
    activity = Activity.objects.get(name="青少年科学实验开放日")
    page.goto(f"{live_server.url}/a/{activity.public_code}/")
    poster = page.get_by_role("img", name="青少年科学实验开放日的宣传图")
    expect(poster).to_have_js_property("complete", True)
    assert poster.evaluate("image => image.naturalWidth") > 0
    screenshot(f"public-activity-{size}")
