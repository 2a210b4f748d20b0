"""The home page, the list with its filters, search and sorting, and 个人中心."""

from datetime import datetime, timedelta

import pytest

from activities.models import Campaign
from directory.models import Region
from public.models import CheckIn, Favorite, Like
from tests.factories import UserFactory, make_activity
from tests.support import SHANGHAI, text_of

pytestmark = pytest.mark.django_db


def names(response):
    return [a.name for a in response.context["page"]]


def at(day, hour=9):
    return datetime(2020, 9, day, hour, 30, tzinfo=SHANGHAI)


@pytest.fixture
def three(organiser):
    a = make_activity(organiser, status="approved", name="节水科普进社区", activity_type="offline",
                      starts_at=at(20), ends_at=at(20, 11), decided_at=at(1), like_count=5)  # fmt: skip
    b = make_activity(organiser, status="approved", name="天文观测之夜", activity_type="online",
                      region=Region.objects.get(code="130100"), starts_at=at(18), ends_at=at(18, 11),
                      decided_at=at(3), hosts=["石家庄市天文学会"], like_count=9)  # fmt: skip
    c = make_activity(organiser, status="approved", name="青海科普大篷车", region=Region.objects.get(code="630100"),
                      category=Campaign.objects.get(year=2020).categories.get(name="科普大篷车"),
                      starts_at=at(25), ends_at=at(25, 11), decided_at=at(2), org_name="青海省科技馆")  # fmt: skip
    make_activity(organiser, status="pending", name="节水待审核")
    return a, b, c


def test_only_approved_and_shown_newest_first(client, three):
    assert names(client.get("/activities/")) == ["天文观测之夜", "青海科普大篷车", "节水科普进社区"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"province": "130000"}, ["天文观测之夜", "节水科普进社区"]),
        ({"region": "130100"}, ["天文观测之夜"]),
        ({"activity_type": "online"}, ["天文观测之夜"]),
        ({"date_from": "2020-09-19", "date_to": "2020-09-21"}, ["节水科普进社区"]),
        ({"q": "节水"}, ["节水科普进社区"]),
        ({"q": "科普"}, ["青海科普大篷车", "节水科普进社区"]),
        ({"q": "天文学会"}, ["天文观测之夜"]),  # a host's name
        ({"q": "青海省科技馆"}, ["青海科普大篷车"]),  # the organisation
        ({"q": "节"}, ["节水科普进社区"]),  # one character
        ({"q": "不存在的词"}, []),
        ({"sort": "liked"}, ["天文观测之夜", "节水科普进社区", "青海科普大篷车"]),
    ],
)
def test_filters_search_and_sorting(client, three, query, expected):
    assert names(client.get("/activities/", query)) == expected


def test_category_filter_uses_the_current_campaigns_categories(client, three, time_machine):
    time_machine.move_to(at(1), tick=False)
    category = Campaign.objects.get(year=2020).categories.get(name="科普大篷车")
    assert names(client.get("/activities/", {"category": category.pk})) == ["青海科普大篷车"]


def test_starting_soon_leaves_out_what_ended(client, three, time_machine):
    time_machine.move_to(at(19), tick=False)
    assert names(client.get("/activities/", {"sort": "soon"})) == ["节水科普进社区", "青海科普大篷车"]


def test_pages_keep_the_query(client, organiser):
    for n in range(25):
        make_activity(organiser, status="approved", name=f"活动{n}", decided_at=at(1) + timedelta(minutes=n))
    first = client.get("/activities/", {"q": "活动"})
    assert len(names(first)) == 20 and "q=%E6%B4%BB%E5%8A%A8&amp;page=2" in first.content.decode()
    assert len(names(client.get("/activities/", {"q": "活动", "page": 2}))) == 5


@pytest.mark.parametrize("count", [1, 200])
def test_the_list_runs_a_fixed_number_of_queries(client, organiser, count, django_assert_max_num_queries):
    for n in range(count):
        make_activity(organiser, status="approved", name=f"活动{n}")
    with django_assert_max_num_queries(8):  # the keyword's ids first (activities.search.matching)
        client.get("/activities/", {"q": "活动", "province": "130000"})


def test_home_shows_themes_counts_and_recommended(client, three, time_machine):
    time_machine.move_to(at(1), tick=False)
    page = text_of(client.get("/", {"province": "630000"}))
    assert "决胜全面小康，践行科技为民" in page
    assert "青海省活动主题：科技助力“一优两高”科普服务民生发展" in page
    assert "3 科普活动" in page
    assert "节水科普进社区" in page and "节水待审核" not in page


def test_personal_center_tabs(client, three):
    user = UserFactory()
    a, b, c = three
    CheckIn.objects.create(user=user, activity=a)
    Like.objects.create(user=user, activity=b)
    Favorite.objects.create(user=user, activity=c)
    client.force_login(user)
    assert names(client.get("/accounts/me/")) == ["节水科普进社区"]
    assert names(client.get("/accounts/me/", {"tab": "liked"})) == ["天文观测之夜"]
    assert names(client.get("/accounts/me/", {"tab": "favorites"})) == ["青海科普大篷车"]
    page = text_of(client.get("/accounts/me/"))
    for label in ("我的首页", "已参与", "点赞", "收藏", "参加更多活动", "修改密码", "消息"):
        assert label in page
