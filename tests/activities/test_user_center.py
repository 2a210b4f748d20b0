"""用户中心 → 我发布的活动: each activity's views and shares, in the page's fixed queries."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audience import counting, flush
from audience.models import ActivityReach
from tests.factories import make_activity, make_organiser

pytestmark = pytest.mark.django_db


def counted(activity, *, views, shares=0):
    """Views and shares of ``activity`` counted as its page and its 分享 button count them, then flushed."""
    store = counting.store()
    store.add(counting.field(counting.VIEW, activity.public_code), views)
    if shares:
        store.add(counting.field(counting.SHARE, activity.public_code), shares)
    flush.flush()


def reach_shown(response, activity) -> tuple[str, str]:
    """What the row of ``activity`` shows as 浏览 and 分享."""
    html = response.content.decode()
    row = re.search(rf'<tr data-activity="{activity.public_code}">.*?</tr>', html, re.S).group(0)
    return tuple(re.findall(r'data-reach="(?:views|shares)">(\d+)<', row))


def test_each_activity_shows_its_views_and_shares(organiser_client, organiser, open_clock):
    viewed = make_activity(organiser, status="approved", name="有人看过")
    unseen = make_activity(organiser, status="pending", name="无人看过")
    draft = make_activity(organiser, status="draft", name="草稿")
    counted(viewed, views=42, shares=5)
    counted(viewed, views=3)  # a later flush adds to the totals
    response = organiser_client.get("/center/")
    assert "浏览 · 分享" in response.content.decode()
    assert reach_shown(response, viewed) == ("45", "5")
    assert reach_shown(response, unseen) == ("0", "0")
    assert reach_shown(response, draft) == ("0", "0")


def test_someone_elses_views_are_not_shown(organiser_client, organiser, open_clock):
    mine = make_activity(organiser, status="approved")
    theirs = make_activity(make_organiser(phone="13800138001"), status="approved")
    ActivityReach.objects.create(activity=theirs, campaign=theirs.campaign, views=99, shares=9)
    response = organiser_client.get("/center/")
    assert reach_shown(response, mine) == ("0", "0")
    assert theirs.public_code not in response.content.decode()


def test_the_page_asks_the_same_queries_whatever_the_number_of_activities(
    organiser_client, organiser, open_clock, django_assert_max_num_queries
):
    first = make_activity(organiser, status="approved")
    counted(first, views=1, shares=1)
    with CaptureQueriesContext(connection) as one:
        organiser_client.get("/center/")
    for n in range(8):
        activity = make_activity(organiser, status=["approved", "pending", "rejected", "draft"][n % 4])
        if n % 2:
            ActivityReach.objects.create(activity=activity, campaign=activity.campaign, views=n, shares=n)
    with CaptureQueriesContext(connection) as many:
        response = organiser_client.get("/center/")
    assert len(many) == len(one)
    assert response.content.decode().count('data-reach="views"') == 9
    # The user, the activities (their views and shares in the same query), their changes and 延期,
    # and the header's unread count and 审核 link: none for the views and shares.
    with django_assert_max_num_queries(6):
        organiser_client.get("/center/")
