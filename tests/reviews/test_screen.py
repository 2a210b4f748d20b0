"""数据大屏: each scope sees its own figures and nothing of another's, equal to the rows they come from
(the 统计 aggregate, the audience flush's rows), in a fixed number of queries; who may see it."""

import json
from datetime import date, timedelta

import pytest
from django.core.cache import cache, caches
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from activities.models import Activity, Campaign
from audience import counting, flush
from audience.models import ActivityReach, PageViewDay, RegionReachDay
from directory.models import Region
from reviews import screen
from reviews.tasks import refresh_statistics
from summaries.models import ActivitySummary
from tests.factories import make_activity
from tests.reviews.conftest import unit
from tests.support import CLOCK_START, text_of

pytestmark = pytest.mark.django_db

SHIJIAZHUANG, TAIYUAN = "130100", "140100"
TODAY = CLOCK_START.date()
EARLIER = date(2020, 9, 10)


def region(code):
    return Region.objects.get(code=code)


def count(code, *, views=0, shares=0, day=None):
    """Views and shares of a page as the pages count them (``audience.counting``), not yet flushed."""
    store = counting.store()
    if views:
        store.add(counting.field(counting.VIEW, code, day), views)
    if shares:
        store.add(counting.field(counting.SHARE, code, day), shares)


@pytest.fixture
def country(clock, organiser):
    """Activities around 河北 and 山西 (a draft and a deleted one never count as activities), viewed,
    shared and liked, today and on a day of the season, and the home page viewed."""
    made = {
        # 保定市, belonging to 河北省科协 (归口: 其他)
        "hebei-other": make_activity(organiser, status="pending", owner_unit=unit("河北省科协")),
        # 保定市, belonging to 保定市科协, with its summary
        "baoding": make_activity(
            organiser, status="approved", name="保定节水讲座", like_count=7, checkin_count=50
        ),
        # 石家庄市, belonging to 河北省科协
        "shijiazhuang": make_activity(
            organiser, status="rejected", owner_unit=unit("河北省科协"), region=region(SHIJIAZHUANG)
        ),
        # 太原市, belonging to 山西省科协
        "taiyuan": make_activity(
            organiser,
            status="approved",
            name="太原天文之夜",
            owner_unit=unit("山西省科协"),
            region=region(TAIYUAN),
            like_count=30,
            checkin_count=9,
        ),
        # 保定市, belonging to 教育部: read by 河北省科协 and 保定市科协 for its place
        "ministry": make_activity(
            organiser,
            status="approved",
            name="教育部科普进校园",
            owner_unit=unit("教育部"),
            like_count=3,
            checkin_count=4,
        ),
        "draft": make_activity(organiser, status="draft"),
        "deleted": make_activity(organiser, status="approved", deleted_at=timezone.now(), like_count=99),
    }
    ActivitySummary.objects.create(
        activity=made["baoding"], text="好", participants=120, created_by=organiser
    )
    count(made["baoding"].public_code, views=300, shares=12)
    count(made["baoding"].public_code, views=40, shares=1, day=EARLIER)
    count(made["taiyuan"].public_code, views=50, shares=2)
    count(made["ministry"].public_code, views=7)
    count(made["deleted"].public_code, views=5)
    count(counting.HOME, views=1000)
    count(counting.LIST, views=200, day=EARLIER)
    flush.flush()
    return made


def data(client, user, path="/review/screen/data.json") -> dict:
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    return json.loads(response.content)


def expire(kind, short_name):
    """Forget a scope's kept JSON, as ``SECONDS`` later (a frozen clock never lets it go)."""
    cache.delete(f"reviews:screen:{kind}:{unit(short_name).pk}")
    caches["local"].clear()


def names(rows):
    return [row["name"] for row in rows]


def areas(payload):
    return {
        row["name"]: (row["activities"], row["participants"], row["views"], row["shares"])
        for row in payload["areas"]
    }


# --- what each scope sees -------------------------------------------------------------------


def test_china_sees_the_whole_country_by_province(client, roles, country):
    shown = data(client, roles["parent"])
    assert shown["scope"] == {"kind": "national", "name": "全国", "area": "province", "area_title": "省份"}
    assert shown["figures"] == {
        "activities": {"total": 5, "today": 0},
        "participants": {"total": 120 + 9 + 4, "today": 0},  # 保定's summary, not its check-ins
        "views": {"total": 300 + 40 + 50 + 7 + 5 + 1000 + 200, "today": 300 + 50 + 7 + 5 + 1000},
        "shares": {"total": 15, "today": 14},
    }
    assert len(shown["areas"]) == 32  # every province, those without activities as 0
    assert shown["areas"][0] == {
        "code": "130000",
        "name": "河北省",
        "short": "河北",
        "activities": 4,
        "participants": 124,
        "views": 352,
        "shares": 13,
    }
    assert areas(shown)["山西省"] == (1, 9, 50, 2)
    assert names(shown["top_viewed"]) == ["保定节水讲座", "太原天文之夜", "教育部科普进校园"]
    assert [row["views"] for row in shown["top_viewed"]] == [340, 50, 7]
    assert names(shown["top_liked"]) == ["太原天文之夜", "保定节水讲座", "教育部科普进校园"]
    assert shown["top_liked"][0] == {
        "code": country["taiyuan"].public_code,
        "name": "太原天文之夜",
        "place": "山西省 太原市",
        "url": f"/a/{country['taiyuan'].public_code}/",
        "views": 50,
        "likes": 30,
    }


def test_the_figures_equal_the_rows_they_come_from(client, roles, country):
    shown = data(client, roles["parent"])
    campaign = Campaign.objects.get(year=2020)
    regions = RegionReachDay.objects.filter(campaign=campaign).aggregate(v=Sum("views"), s=Sum("shares"))
    pages = PageViewDay.objects.aggregate(v=Sum("views"))["v"]
    assert shown["figures"]["views"]["total"] == regions["v"] + pages
    assert shown["figures"]["shares"]["total"] == regions["s"]
    # The audience's own season figure (the home page's) counts the same views.
    assert shown["figures"]["views"]["total"] == (
        ActivityReach.objects.filter(campaign=campaign).aggregate(v=Sum("views"))["v"] + pages
    )
    assert sum(row["views"] for row in shown["areas"]) == regions["v"]
    assert sum(shown["daily"]["views"]) == shown["figures"]["views"]["total"]
    assert sum(shown["daily"]["shares"]) == shown["figures"]["shares"]["total"]


def test_a_province_sees_its_cities_and_nothing_of_another(client, roles, country):
    shown = data(client, roles["unit"])
    assert shown["scope"] == {"kind": "province", "name": "河北省", "area": "city", "area_title": "市"}
    assert shown["figures"] == {
        "activities": {"total": 4, "today": 0},
        "participants": {"total": 124, "today": 0},
        "views": {"total": 352, "today": 312},  # the deleted one's views were views of 保定's pages
        "shares": {"total": 13, "today": 12},
    }
    assert {row["name"] for row in shown["areas"]} == set(
        Region.objects.filter(parent__code="130000").values_list("name", flat=True)
    )
    assert areas(shown)["保定市"] == (3, 124, 352, 13)
    assert areas(shown)["石家庄市"] == (1, 0, 0, 0)
    assert names(shown["top_viewed"]) == ["保定节水讲座", "教育部科普进校园"]
    assert names(shown["top_liked"]) == ["保定节水讲座", "教育部科普进校园"]
    assert "太原" not in json.dumps(shown, ensure_ascii=False)
    assert "山西" not in json.dumps(shown, ensure_ascii=False)


def test_a_city_sees_its_own(client, roles, country):
    shown = data(client, roles["child"])
    assert shown["scope"] == {"kind": "city", "name": "保定市", "area": None, "area_title": ""}
    assert shown["figures"]["activities"] == {"total": 3, "today": 0}
    assert shown["figures"]["views"] == {"total": 352, "today": 312}
    assert shown["areas"] == []
    assert shown["categories"] == [{"label": "节水", "count": 3}]
    assert names(shown["top_viewed"]) == ["保定节水讲座", "教育部科普进校园"]
    text = json.dumps(shown, ensure_ascii=False)
    assert "石家庄" not in text and "太原" not in text


def test_another_province_sees_none_of_hebei(client, roles, country):
    shown = data(client, roles["sibling"])
    assert shown["scope"]["name"] == "山西省"
    assert shown["figures"]["activities"]["total"] == 1
    assert shown["figures"]["views"] == {"total": 50, "today": 50}
    assert names(shown["top_viewed"]) == names(shown["top_liked"]) == ["太原天文之夜"]
    text = json.dumps(shown, ensure_ascii=False)
    assert "保定" not in text and "河北" not in text


def test_a_ministry_sees_its_own_activities_by_province(client, roles, country):
    shown = data(client, roles["ministry"])
    assert shown["scope"] == {"kind": "units", "name": "教育部", "area": "province", "area_title": "省份"}
    assert shown["figures"] == {
        "activities": {"total": 1, "today": 0},
        "participants": {"total": 4, "today": 0},
        "views": {"total": 7, "today": 7},
        "shares": {"total": 0, "today": 0},
    }
    assert areas(shown)["河北省"] == (1, 4, 7, 0)
    assert names(shown["top_viewed"]) == names(shown["top_liked"]) == ["教育部科普进校园"]


def test_the_daily_series_runs_through_the_season(client, roles, country):
    shown = data(client, roles["parent"])
    campaign = Campaign.objects.get(year=2020)
    days = [date.fromisoformat(day) for day in shown["daily"]["days"]]
    assert days[0] == campaign.report_opens
    assert campaign.summary_closes in days and TODAY in days  # the season, and any other day with counts
    assert days == sorted(days)
    on = dict(zip(days, zip(shown["daily"]["views"], shown["daily"]["shares"], strict=True), strict=True))
    assert on[EARLIER] == (40 + 200, 1)
    assert on[TODAY] == (300 + 50 + 7 + 5 + 1000, 14)
    submitted = dict(zip(days, shown["daily"]["submitted"], strict=True))
    assert submitted[date(2020, 9, 1)] == 0  # made by the factory with no review log


# --- today ---------------------------------------------------------------------------------


def test_today_counts_submissions_views_shares_and_the_participants_growth(
    client, roles, country, clock, organiser
):
    assert data(client, roles["unit"])["figures"]["participants"] == {"total": 124, "today": 0}
    now = timezone.now()
    make_activity(organiser, status="pending", first_submitted_at=now, submitted_at=now)
    make_activity(
        organiser,
        status="pending",
        first_submitted_at=now,
        submitted_at=now,
        region=region(TAIYUAN),
        owner_unit=unit("山西省科协"),
    )
    Activity.objects.filter(pk=country["ministry"].pk).update(checkin_count=10)  # six more check-ins
    count(country["baoding"].public_code, views=8, shares=3)
    flush.flush()
    refresh_statistics()
    expire("province", "河北省科协")  # as after SECONDS

    shown = data(client, roles["unit"])["figures"]
    assert shown["activities"] == {"total": 5, "today": 1}
    assert shown["participants"] == {"total": 130, "today": 6}
    assert shown["views"] == {"total": 360, "today": 320}
    assert shown["shares"] == {"total": 16, "today": 15}

    # The next day starts from the last figure of the day before.
    clock.shift(timedelta(days=1))
    Activity.objects.filter(pk=country["ministry"].pk).update(checkin_count=12)
    refresh_statistics()
    expire("province", "河北省科协")
    shown = data(client, roles["unit"])["figures"]
    assert shown["participants"] == {"total": 132, "today": 2}
    assert shown["activities"]["today"] == 0
    assert shown["views"]["today"] == 0


# --- the JSON, the page, who may see it ----------------------------------------------------------


def test_the_json_has_its_shape(client, roles, country):
    shown = data(client, roles["parent"])
    assert set(shown) == {
        "scope", "campaign", "updated_at", "updated_time", "tally_at", "figures", "areas", "daily",
        "categories", "top_viewed", "top_liked",
    }  # fmt: skip
    assert shown["campaign"] == {"year": 2020, "name": "2020年全国科普日", "label": "2020年全国科普日活动"}
    assert shown["updated_time"] == "09:00:00"
    assert shown["updated_at"] == "2026-09-01T09:00:00+08:00"
    assert set(shown["figures"]) == set(screen.FIGURES)
    assert set(shown["daily"]) == {"days", "submitted", "views", "shares"}
    assert len({len(series) for series in shown["daily"].values()}) == 1
    for row in shown["top_viewed"] + shown["top_liked"]:
        assert set(row) == {"code", "name", "place", "url", "views", "likes"}


def test_the_page_shows_the_figures_and_draws_the_rest_from_its_data(client, roles, country):
    client.force_login(roles["unit"])
    response = client.get("/review/screen/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-figure="views" data-value="352">352<' in html
    assert 'data-figure-today="views" data-value="312">+312<' in html
    assert 'data-url="/review/screen/data.json"' in html and 'data-refresh="60"' in html
    assert 'id="screen-data"' in html
    text = text_of(response)
    for label in (
        "活动数",
        "参与人数",
        "浏览量",
        "分享数",
        "市排行",
        "各市分布",
        "每日趋势",
        "浏览最多",
        "点赞最多",
        "全屏",
    ):
        assert label in text
    assert "数据更新于 09:00:00" in text
    assert client.get("/review/screen/?refresh=5").context["refresh"] == 5
    assert client.get("/review/screen/?refresh=0").context["refresh"] == 2
    assert client.get("/review/screen/?refresh=x").context["refresh"] == 60


def test_the_national_page_draws_every_province_as_a_square(client, roles, country):
    client.force_login(roles["parent"])
    html = client.get("/review/screen/").content.decode()
    assert html.count('class="tile r') == 35  # 34 provincial-level divisions and 兵团
    for code in ("710000", "810000", "820000", "130000", "650000", "660000"):
        assert f'data-code="{code}"' in html
    assert "<svg" not in html and "<path" not in html  # no drawn boundary


def test_numbers_have_thousands_separators(client, roles, country):
    count(country["baoding"].public_code, views=1_234_567)
    flush.flush()
    client.force_login(roles["parent"])
    assert ">1,236,169<" in client.get("/review/screen/").content.decode()


def test_the_statistics_page_and_the_console_link_to_it(client, roles, country):
    client.force_login(roles["unit"])
    assert 'href="/review/screen/"' in client.get("/review/statistics/").content.decode()
    assert 'href="/review/screen/"' in client.get("/review/").content.decode()


@pytest.mark.parametrize("path", ["/review/screen/", "/review/screen/data.json"])
def test_visitors_log_in_and_organisers_are_refused(client, organiser, path):
    response = client.get(path)
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    client.force_login(organiser)
    assert client.get(path).status_code == 403


def test_the_json_is_kept_for_a_while(client, roles, country, django_assert_max_num_queries):
    first = data(client, roles["parent"])
    count(country["baoding"].public_code, views=5)
    flush.flush()
    with django_assert_max_num_queries(1):  # the reviewer with their role, nothing of the figures
        again = client.get("/review/screen/data.json")
    assert json.loads(again.content) == first
    cache.delete("reviews:screen:national")  # SECONDS later
    caches["local"].clear()
    assert (
        data(client, roles["parent"])["figures"]["views"]["total"] == first["figures"]["views"]["total"] + 5
    )


# --- a fixed number of queries ---------------------------------------------------------------------

# The 统计 figures first made after a rebuild (statistics.page), then kept for every screen of the unit.
QUERIES = {"first": 12, "kept": 5}


def add_activities(organiser, size):
    hebei = Region.objects.filter(parent__code="130000")
    cities = [region("130600"), *hebei.exclude(code="130600"), *Region.objects.cities()[:20]]
    for n in range(size):
        activity = make_activity(
            organiser,
            status=["approved", "pending", "rejected"][n % 3],
            region=cities[n % len(cities)],
            owner_unit=unit("河北省科协") if n % 2 else unit("教育部"),
            like_count=n + 1,
            checkin_count=n,
        )
        count(activity.public_code, views=n + 1, shares=n % 4, day=EARLIER + timedelta(days=n % 5))
    flush.flush()
    refresh_statistics()
    caches["local"].clear()  # as a second later: this process's copies of what the rebuild replaced


def queries_of(scope) -> dict[str, int]:
    taken = {}
    for when in ("first", "kept"):
        with CaptureQueriesContext(connection) as captured:
            built = screen.build(scope)
        assert built["figures"]["activities"]["total"] > 0
        taken[when] = len(captured)
    return taken


@pytest.mark.parametrize("who", ["中国科协", "河北省科协", "保定市科协", "教育部"])
def test_the_figures_take_a_fixed_number_of_queries_whatever_the_size(clock, organiser, who):
    scope = screen.scope_of(unit(who))
    screen.build(scope)  # the unit and its scope kept for five minutes, as a reviewer's request finds them
    add_activities(organiser, 5)
    few = queries_of(scope)
    add_activities(organiser, 60)
    assert queries_of(scope) == few
    assert few["first"] <= QUERIES["first"] and few["kept"] <= QUERIES["kept"]


def test_beat_prepares_the_screens_after_each_rebuild(country, organiser):
    refresh_statistics()
    caches["local"].clear()
    with CaptureQueriesContext(connection) as captured:
        built = screen.build(screen.national())
    # Neither the 统计 aggregate nor the ranking of likes is read: beat made both.
    assert not [q["sql"] for q in captured if "reviews_activitytally" in q["sql"] or "OVER" in q["sql"]]
    assert names(built["top_liked"]) == ["太原天文之夜", "保定节水讲座", "教育部科普进校园"]
    # Likes move the lists at once among the candidates; a newcomer joins them at the next rebuild.
    Activity.objects.filter(pk=country["ministry"].pk).update(like_count=100)
    newcomer = make_activity(organiser, status="approved", name="新来的活动", like_count=500)
    assert names(screen.build(screen.national())["top_liked"])[:2] == ["教育部科普进校园", "太原天文之夜"]
    refresh_statistics()
    caches["local"].clear()
    assert names(screen.build(screen.national())["top_liked"])[0] == newcomer.name


# --- the public screen -------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/screen/", "/screen/data.json"])
def test_the_public_screen_is_not_found_until_the_admin_turns_it_on(client, country, path):
    assert client.get(path).status_code == 404
    Campaign.objects.filter(year=2020).update(public_screen=True)
    assert client.get(path).status_code == 200
    Campaign.objects.filter(year=2020).update(public_screen=False)
    assert client.get(path).status_code == 404


def test_the_public_screen_shows_the_whole_country(client, roles, country):
    Campaign.objects.filter(year=2020).update(public_screen=True)
    public = json.loads(client.get("/screen/data.json").content)
    assert public["scope"]["kind"] == "national"
    assert public["figures"]["activities"]["total"] == 5
    assert public == data(client, roles["parent"])  # the same figures as 中国科协's
    client.logout()
    response = client.get("/screen/")
    assert 'data-url="/screen/data.json"' in response.content.decode()
    assert "返回统计" not in text_of(response)
    assert "全国" in text_of(response)
