"""Participants, one definition (README): a summary's number, else the 打卡 check-ins — never both.
The same figure on the home page and in the reviewers' 统计."""

import pytest
from django.db.models import Sum

from activities.models import Activity
from public import selectors as public_selectors
from reviews import statistics
from reviews.models import ReviewerRole
from summaries.models import ActivitySummary
from summaries.selectors import participants
from tests.factories import UserFactory, make_activity
from tests.reviews.conftest import unit
from tests.support import text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def three():
    organiser = UserFactory()
    summarized = make_activity(organiser, status="approved", name="有总结", checkin_count=10)
    ActivitySummary.objects.create(activity=summarized, text="好", participants=120, created_by=organiser)
    make_activity(organiser, status="approved", name="只有打卡", checkin_count=3)
    make_activity(organiser, status="approved", name="都没有")
    return summarized


def test_a_summary_counts_its_number_else_the_check_ins(three):
    per_activity = dict(Activity.objects.annotate(n=participants()).values_list("name", "n"))
    assert per_activity == {"有总结": 120, "只有打卡": 3, "都没有": 0}
    assert Activity.objects.aggregate(n=Sum(participants()))["n"] == 123


def test_the_home_page_and_the_statistics_show_the_same_participants(client, three):
    assert public_selectors.live_counts()["participants"] == 123
    assert "123 参与人次" in text_of(client.get("/"))
    reviewer = UserFactory()
    ReviewerRole.objects.create(user=reviewer, unit=unit("中国科协"))
    statistics.rebuild()
    client.force_login(reviewer)
    assert client.get("/review/statistics/").context["totals"]["participants"] == 123
