"""统计 in the browser: 中国科协 by province and 河北省科协 by city, with the charts drawn under the CSP."""

from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from activities.models import Campaign, ReviewDecision
from directory.models import Region, SupervisingUnit
from reviews.models import ReviewerRole
from summaries.models import ActivitySummary
from tests.e2e.test_review_flow import log_in
from tests.factories import UserFactory, make_activity
from tests.support import SHANGHAI

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Cities of a few provinces, the first ones busier.
CITIES = ["130600", "130100", "130600", "130200", "140100", "110108", "440100", "130600", "630100", "130900"]
STATUSES = ["approved", "approved", "pending", "rejected", "approved"]
TYPES = ["online", "offline", "hybrid"]


def season():
    """Sixty activities reported and decided through the 2020 season, in four provinces and more."""
    organiser = UserFactory(phone="13800138000")
    categories = list(Campaign.objects.get(year=2020).categories.all())
    provincial = {u.region_id: u for u in SupervisingUnit.objects.filter(kind="provincial")}
    start = datetime(2020, 8, 5, 9, 0, tzinfo=SHANGHAI)
    for n in range(60):
        city = Region.objects.get(code=CITIES[n % len(CITIES)])
        status = STATUSES[n % len(STATUSES)]
        submitted = start + timedelta(
            days=int(50 * (n / 60) ** 0.5), hours=n % 8
        )  # busier towards the deadline
        activity = make_activity(
            organiser,
            status=status,
            name=f"{city.name}科普活动{n}",
            region=city,
            owner_unit=provincial[city.parent_id],
            supervisor=None,
            supervisor_type="other",
            activity_type=TYPES[n % 3],
            category=categories[n % len(categories)],
            submitted_at=submitted,
            first_submitted_at=submitted,
            summarized_at=submitted + timedelta(days=20) if status == "approved" and n % 2 else None,
        )
        ReviewDecision.objects.create(
            activity=activity, actor=organiser, at=submitted, from_status="draft", to_status="pending"
        )
        if status != "pending":
            ReviewDecision.objects.create(
                activity=activity,
                actor=organiser,
                at=submitted + timedelta(days=1 + n % 3),
                from_status="pending",
                to_status=status,
            )
        if activity.summarized_at:
            ActivitySummary.objects.create(
                activity=activity, text="顺利举行", participants=50 + n, created_by=organiser
            )


def reviewer(short_name, phone):
    ReviewerRole.objects.create(
        user=UserFactory(phone=phone), unit=SupervisingUnit.objects.get(short_name=short_name)
    )


def charts_drawn(page):
    """How many canvases Chart.js drew, and whether each has a size."""
    return page.evaluate(
        """() => [...document.querySelectorAll("canvas[data-chart]")].map(
            (canvas) => Boolean(Chart.getChart(canvas)) && canvas.width > 0 && canvas.height > 0)"""
    )


def cells(page, table):
    return page.locator(f"table[data-table='{table}'] tbody tr").evaluate_all(
        "rows => rows.map(row => [...row.cells].map(cell => cell.textContent.trim()))"
    )


def test_statistics_for_china_and_for_a_province(page, live_server, screenshot):
    season()
    reviewer("中国科协", "13900000003")
    reviewer("河北省科协", "13900000001")
    page.set_viewport_size({"width": 1440, "height": 900})

    log_in(page, live_server, "13900000003", "/review/statistics/")
    expect(page.get_by_role("heading", name="按省份")).to_be_visible()
    expect(page.locator("[data-total='activities']")).to_have_text("60")
    expect(page.get_by_text("数据更新于")).to_be_visible()
    assert charts_drawn(page) == [True] * 5  # daily, area, status, type, category
    provinces = {row[0]: row[1:] for row in cells(page, "area")}
    assert provinces["河北省"][0] == "36" and provinces["山西省"][0] == "6" and provinces["青海省"][0] == "6"
    # activities, the four states, summaries, participants, views, shares
    assert provinces["西藏自治区"] == ["0"] * 8
    daily = cells(page, "daily")
    assert (daily[0][0], daily[-1][0]) == ("2020-08-03", "2020-10-16")
    assert sum(int(row[1]) for row in daily) == 60
    screenshot("review-statistics-cast")

    page.context.clear_cookies()
    log_in(page, live_server, "13900000001", "/review/statistics/")
    expect(page.get_by_role("heading", name="按市")).to_be_visible()
    expect(page.locator("[data-total='activities']")).to_have_text("36")
    assert charts_drawn(page) == [True] * 5
    cities = {row[0]: row[1] for row in cells(page, "area")}
    assert (cities["保定市"], cities["石家庄市"], cities["唐山市"], cities["沧州市"]) == ("18", "6", "6", "6")
    assert "太原市" not in cities
    screenshot("review-statistics-province")

    with page.expect_download() as download:
        page.get_by_role("link", name="导出 XLSX").click()
    assert download.value.suggested_filename == "审核统计-河北省科协-2020.xlsx"
