"""统计: each scope's figures from the aggregate, equal to a direct count of the read set after a rebuild."""

import io
import re
from datetime import datetime, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Q, Sum
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from activities import transitions
from activities.models import Activity, ActivityCategory, Campaign, ReviewDecision
from directory.models import Region
from reviews import access
from reviews import statistics as stats
from reviews.models import ActivityTally, DailyTally, StatisticsState
from reviews.tasks import refresh_statistics
from summaries.models import ActivitySummary
from tests.factories import make_activity
from tests.reviews.conftest import flushed, reach, unit
from tests.support import SHANGHAI, race, text_of

pytestmark = pytest.mark.django_db

SHIJIAZHUANG, BAODING, TAIYUAN = "130100", "130600", "140100"


def region(code):
    return Region.objects.get(code=code)


@pytest.fixture
def country(organiser):
    """Activities around 河北 and 山西, with a draft and a deleted one that never count; some viewed
    and shared (保定市 307 views and 12 shares, 太原市 50 and 2), others never."""
    made = {
        # 保定市, belonging to 河北省科协 (归口: 其他)
        "hebei-other": make_activity(organiser, status="pending", owner_unit=unit("河北省科协")),
        # 保定市, belonging to 保定市科协, with its summary
        "baoding": make_activity(
            organiser, status="approved", activity_type="online", summarized_at=timezone.now()
        ),
        # 石家庄市, belonging to 河北省科协
        "shijiazhuang": make_activity(
            organiser, status="rejected", owner_unit=unit("河北省科协"), region=region(SHIJIAZHUANG)
        ),
        # 太原市, belonging to 山西省科协
        "taiyuan": make_activity(
            organiser, status="approved", owner_unit=unit("山西省科协"), region=region(TAIYUAN)
        ),
        # 保定市, belonging to 教育部: read by 河北省科协 and 保定市科协 for its place, decided by neither
        "ministry": make_activity(
            organiser, status="approved", activity_type="offline", owner_unit=unit("教育部")
        ),
        "draft": make_activity(organiser, status="draft"),
        "deleted": make_activity(organiser, status="approved", deleted_at=timezone.now()),
    }
    ActivitySummary.objects.create(
        activity=made["baoding"], text="好", participants=120, created_by=organiser
    )
    reach(made["baoding"], 300, 12)
    reach(made["taiyuan"], 50, 2)
    reach(made["ministry"], 7)
    reach(made["draft"], 1000, 100)
    reach(made["deleted"], 1000, 100)
    return made


def page(client, user, query=""):
    client.force_login(user)
    response = client.get(f"/review/statistics/{query}")
    assert response.status_code == 200
    return response


def labelled(rows):
    return {row["label"]: row["count"] for row in rows if row["count"]}


def direct(scope_unit) -> dict:
    """The figures counted straight from the read set's rows, as the page showed them before issue 19."""
    activities = access.read_set(scope_unit)
    totals = activities.aggregate(
        total=Count("pk"),
        summaries=Count("pk", filter=Q(summarized_at__isnull=False)),
        participants=Sum("summary__participants", default=0),
        views=Sum("reach__views", default=0),
        shares=Sum("reach__shares", default=0),
    )
    status_labels, type_labels = dict(Activity.Status.choices), dict(Activity.Type.choices)
    return {
        "totals": totals,
        "by_status": {
            status_labels[row["status"]]: row["n"]
            for row in activities.values("status").annotate(n=Count("pk")).order_by()
        },
        "by_type": {
            type_labels[row["activity_type"]]: row["n"]
            for row in activities.values("activity_type").annotate(n=Count("pk")).order_by()
        },
        "by_category": {
            row["category__name"]: row["n"]
            for row in activities.values("category__name").annotate(n=Count("pk")).order_by()
        },
    }


def shown(response) -> dict:
    return {
        "totals": response.context["totals"],
        "by_status": labelled(response.context["by_status"]),
        "by_type": labelled(response.context["by_type"]),
        "by_category": labelled(response.context["by_category"]),
    }


# --- what each scope sees -------------------------------------------------------------------


def test_china_sees_the_country_by_province(client, roles, country):
    response = page(client, roles["parent"])
    assert response.context["totals"] == {
        "total": 5,
        "summaries": 1,
        "participants": 120,
        "views": 357,
        "shares": 14,
    }
    assert labelled(response.context["by_status"]) == {"待审核": 1, "审核通过": 3, "审核未通过": 1}
    assert labelled(response.context["by_area"]) == {"河北省": 4, "山西省": 1}
    assert len(response.context["by_area"]) == 32  # every province, those without activities as 0
    assert response.context["by_area"][0] == {
        "label": "河北省",
        "code": "130000",
        "count": 4,
        "pending": 1,
        "approved": 2,
        "rejected": 1,
        "summaries": 1,
        "participants": 120,
        "views": 307,
        "shares": 12,
        "by_status": [1, 2, 1],
    }
    shanxi = next(row for row in response.context["by_area"] if row["label"] == "山西省")
    assert (shanxi["views"], shanxi["shares"]) == (50, 2)
    assert all(row["views"] == row["shares"] == 0 for row in response.context["by_area"][2:])
    assert "按省份" in text_of(response)


def test_a_province_sees_its_cities(client, roles, country):
    response = page(client, roles["unit"])
    assert response.context["totals"] == {
        "total": 4,
        "summaries": 1,
        "participants": 120,
        "views": 307,
        "shares": 12,
    }
    assert labelled(response.context["by_area"]) == {"保定市": 3, "石家庄市": 1}
    reached = {row["label"]: (row["views"], row["shares"]) for row in response.context["by_area"]}
    assert (reached["保定市"], reached["石家庄市"]) == ((307, 12), (0, 0))
    assert {row["label"] for row in response.context["by_area"]} == set(
        Region.objects.filter(parent__code="130000").values_list("name", flat=True)
    )
    text = text_of(response)
    assert "按市" in text and "太原市" not in text and "山西省" not in text


def test_a_city_sees_its_own_figures(client, roles, country):
    response = page(client, roles["child"])
    assert response.context["totals"] == {
        "total": 3,
        "summaries": 1,
        "participants": 120,
        "views": 307,
        "shares": 12,
    }
    assert labelled(response.context["by_status"]) == {"待审核": 1, "审核通过": 2}
    assert labelled(response.context["by_type"]) == {"线上": 1, "线下": 1, "线上线下": 1}
    assert response.context["by_area"] == []
    text = text_of(response)
    assert "按市" not in text and "按省份" not in text and "石家庄市" not in text


def test_another_province_sees_none_of_hebei(client, roles, country):
    response = page(client, roles["sibling"])
    assert response.context["totals"] == {
        "total": 1,
        "summaries": 0,
        "participants": 0,
        "views": 50,
        "shares": 2,
    }
    assert labelled(response.context["by_area"]) == {"太原市": 1}
    assert "保定市" not in text_of(response)


@pytest.mark.parametrize("role", ["parent", "unit", "child", "sibling", "ministry"])
def test_the_figures_equal_a_direct_count_after_changes_and_a_rebuild(
    client, roles, country, organiser, role
):
    scope_unit = access.reviewer_unit(roles[role])
    assert shown(page(client, roles[role])) == _without_zeros(direct(scope_unit))

    transitions.approve(activity=country["hebei-other"], by=roles["parent"])
    Activity.objects.filter(pk=country["taiyuan"].pk).update(deleted_at=timezone.now())
    make_activity(organiser, status="pending", region=region(SHIJIAZHUANG), owner_unit=unit("石家庄市科协"))
    ActivitySummary.objects.create(
        activity=country["ministry"], text="好", participants=30, created_by=organiser
    )
    Activity.objects.filter(pk=country["ministry"].pk).update(summarized_at=timezone.now())
    flushed(country["baoding"], 5, 1)
    flushed(country["shijiazhuang"], 4, 3)
    before = shown(page(client, roles[role]))
    assert before != _without_zeros(direct(scope_unit))  # read as taken, until the next rebuild

    stats.rebuild()
    assert shown(page(client, roles[role])) == _without_zeros(direct(scope_unit))


def _without_zeros(figures):
    return {
        key: value if key == "totals" else {k: n for k, n in value.items() if n}
        for key, value in figures.items()
    }


def test_categories_follow_the_campaign_order_and_an_unset_one_is_shown(client, roles, organiser):
    make_activity(organiser, status="pending", category=None, activity_type="")
    response = page(client, roles["child"])
    campaign = Campaign.objects.get(year=2020)
    assert [row["label"] for row in response.context["by_category"]] == [
        *campaign.categories.order_by("position", "pk").values_list("name", flat=True),
        "（未选）",
    ]
    assert labelled(response.context["by_category"]) == {"（未选）": 1}
    assert labelled(response.context["by_type"]) == {"（未选）": 1}


# --- the daily series -------------------------------------------------------------------------


def log(activity, at, to_status, from_status="pending"):
    return ReviewDecision.objects.create(
        activity=activity, actor=activity.owner, at=at, from_status=from_status, to_status=to_status
    )


def test_the_daily_series_counts_by_shanghai_day(client, roles, organiser):
    first, second = (make_activity(organiser, status="approved") for _ in range(2))
    log(first, datetime(2020, 9, 1, 10, 0, tzinfo=SHANGHAI), "pending", from_status="draft")
    log(second, datetime(2020, 9, 1, 23, 30, tzinfo=SHANGHAI), "pending", from_status="draft")
    log(first, datetime(2020, 9, 1, 23, 59, 59, 999999, tzinfo=SHANGHAI), "approved")
    log(second, datetime(2020, 9, 2, 0, 0, tzinfo=SHANGHAI), "rejected")
    log(second, datetime(2020, 9, 2, 8, 0, tzinfo=SHANGHAI), "pending", from_status="rejected")
    log(second, datetime(2020, 9, 3, 9, 0, tzinfo=SHANGHAI), "approved")
    log(first, datetime(2020, 9, 3, 10, 0, tzinfo=SHANGHAI), "change_pending", from_status="approved")
    log(first, datetime(2020, 9, 3, 11, 0, tzinfo=SHANGHAI), "change_rejected", from_status="change_pending")
    hidden = make_activity(organiser, status="approved", deleted_at=timezone.now())
    log(hidden, datetime(2020, 9, 1, 12, 0, tzinfo=SHANGHAI), "pending", from_status="draft")
    elsewhere = make_activity(
        organiser, status="pending", owner_unit=unit("山西省科协"), region=region(TAIYUAN)
    )
    log(elsewhere, datetime(2020, 9, 1, 12, 0, tzinfo=SHANGHAI), "pending", from_status="draft")

    daily = {
        row["day"].isoformat(): (row["submitted"], row["approved"], row["rejected"])
        for row in page(client, roles["child"]).context["daily"]
    }
    assert daily["2020-09-01"] == (2, 1, 0)  # the decision at 23:59:59.999999 counts that day
    assert daily["2020-09-02"] == (1, 0, 1)  # the one at 00:00:00 the next
    assert daily["2020-09-03"] == (1, 1, 1)  # a change and its refusal count as well
    # Through the season: from the report window's first day to the summary deadline, one row a day.
    days = list(daily)
    assert (days[0], days[-1], len(days)) == ("2020-08-03", "2020-10-16", 75)
    assert sum(n for n, _, _ in daily.values()) == 4
    china = page(client, roles["parent"]).context["daily"]
    assert sum(row["submitted"] for row in china) == 5  # 山西's too, never the deleted one's


def test_the_page_draws_its_charts_from_a_json_block_and_says_when_the_figures_were_taken(
    client, roles, country
):
    response = page(client, roles["parent"])
    html = response.content.decode()
    assert '<script id="chart-data" type="application/json">' in html
    assert "/static/vendor/chartjs/chart.umd.min.js" in html and "/static/js/review-statistics.js" in html
    assert " style=" not in html and "<style" not in html
    taken = timezone.localtime(StatisticsState.objects.get().refreshed_at, SHANGHAI)
    assert f"数据更新于 {taken:%H:%M}" in text_of(response)
    charts = response.context["charts"]
    assert set(charts) == {"status", "type", "category", "area", "daily"}
    assert set(charts["daily"]) == {"labels", "submitted", "approved", "rejected"}
    assert len(charts["daily"]["labels"]) == len(charts["daily"]["submitted"]) == 75


# --- keeping the aggregate fresh --------------------------------------------------------------


def test_the_page_builds_the_figures_when_none_exist_and_when_they_are_stale(
    client, roles, organiser, settings, time_machine
):
    settings.STATS_REFRESH_MINUTES = 5
    time_machine.move_to(timezone.now(), tick=False)
    assert not StatisticsState.objects.exists()
    make_activity(organiser, status="pending")
    assert page(client, roles["child"]).context["totals"]["total"] == 1  # built on first read

    make_activity(organiser, status="pending")
    assert page(client, roles["child"]).context["totals"]["total"] == 1  # fresh: read as it is

    time_machine.shift(timedelta(minutes=9))
    assert page(client, roles["child"]).context["totals"]["total"] == 1  # younger than twice the period
    time_machine.shift(timedelta(minutes=2))
    assert page(client, roles["child"]).context["totals"]["total"] == 2  # older: rebuilt first
    assert StatisticsState.objects.get().refreshed_at == timezone.now()


def test_beat_recomputes_the_figures_every_few_minutes(settings, organiser):
    entry = settings.CELERY_BEAT_SCHEDULE["refresh-statistics"]
    assert entry["task"] == "reviews.tasks.refresh_statistics"
    assert entry["schedule"] == settings.STATS_REFRESH_MINUTES * 60
    make_activity(organiser, status="approved")
    refresh_statistics()
    refresh_statistics()  # run again: replaced, not added to
    assert ActivityTally.objects.aggregate(n=Sum("count"))["n"] == 1
    assert StatisticsState.objects.get().duration_ms >= 0


def test_a_rebuild_that_finds_the_figures_fresh_leaves_them(organiser):
    stats.rebuild()
    taken = StatisticsState.objects.get().refreshed_at
    make_activity(organiser, status="pending")
    assert stats.rebuild(unless_since=taken) == taken
    assert not ActivityTally.objects.exists()


# Session; the account with its role and unread count (reviews.access); the aggregate's state; the
# campaigns and the current one; the tally, the categories, the regions and the daily series.
QUERIES = 9


@pytest.mark.parametrize("size", [5, 60])
def test_the_page_asks_a_fixed_number_of_queries_whatever_the_size(
    client, roles, organiser, size, django_assert_max_num_queries
):
    cities = list(Region.objects.cities()[:30])
    categories = list(Campaign.objects.get(year=2020).categories.all())
    for n in range(size):
        city = cities[n % len(cities)]
        make_activity(
            organiser,
            status=["pending", "approved", "rejected"][n % 3],
            activity_type=["online", "offline", "hybrid"][n % 3],
            category=categories[n % len(categories)],
            region=city,
            owner_unit=unit("中国科协") if n % 2 else unit("教育部"),
            supervisor=None,
        )
    stats.rebuild()
    client.force_login(roles["parent"])
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/review/statistics/")
    assert response.context["totals"]["total"] == size
    assert len(captured) == QUERIES  # the same for 5 and for 60
    with django_assert_max_num_queries(QUERIES):
        client.get("/review/statistics/?xlsx=1")


# --- kept until the next rebuild -------------------------------------------------------------

TALLIES = (ActivityTally._meta.db_table, DailyTally._meta.db_table, StatisticsState._meta.db_table)
# The session and the reviewer with their role and unread count (reviews.access): nothing else once kept.
KEPT_QUERIES = 2


def without_tokens(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", response.content.decode())


def test_a_page_asked_again_reads_nothing_but_the_reviewer(
    client, roles, country, django_assert_max_num_queries
):
    first = page(client, roles["parent"])
    with CaptureQueriesContext(connection) as captured:
        again = client.get("/review/statistics/")
    assert not [q["sql"] for q in captured if any(table in q["sql"] for table in TALLIES)]
    assert len(captured) <= KEPT_QUERIES
    assert without_tokens(again) == without_tokens(first)  # the charts' data too
    assert again.context["totals"] == {
        "total": 5,
        "summaries": 1,
        "participants": 120,
        "views": 357,
        "shares": 14,
    }
    with django_assert_max_num_queries(KEPT_QUERIES):
        workbook = client.get("/review/statistics/?xlsx=1")
    overview = {row[0]: row[1] for row in load_workbook(io.BytesIO(workbook.content))["概况"].values}
    assert overview["活动总数"] == 5


def test_a_rebuild_shows_new_figures_at_once(client, roles, country, organiser):
    assert text_of(page(client, roles["child"])).count("审核未通过") >= 1
    assert page(client, roles["child"]).context["totals"]["total"] == 3
    transitions.approve(activity=country["hebei-other"], by=roles["parent"])
    make_activity(organiser, status="pending")
    assert page(client, roles["child"]).context["totals"]["total"] == 3  # as taken, until the rebuild
    stats.rebuild()
    response = page(client, roles["child"])
    assert response.context["totals"]["total"] == 4
    assert labelled(response.context["by_status"]) == {"待审核": 1, "审核通过": 3}
    assert 'data-total="activities">4<' in response.content.decode()


def test_a_rebuild_in_another_transaction_shows_at_its_commit(
    client, roles, country, organiser, django_capture_on_commit_callbacks
):
    assert page(client, roles["child"]).context["totals"]["total"] == 3
    make_activity(organiser, status="pending")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        stats.rebuild()
    assert len(callbacks) == 1  # the generation moves on again when the rebuild is committed
    assert page(client, roles["child"]).context["totals"]["total"] == 4


def test_each_unit_and_year_has_its_own_figures(client, roles, country, organiser):
    later = Campaign.objects.get(year=2020)
    later.pk, later.year, later.name = None, 2021, "2021年全国科普日"
    for name in ("report_opens", "report_closes", "supplement_closes", "summary_closes"):
        setattr(later, name, getattr(later, name).replace(year=2021))
    later.save()
    make_activity(organiser, status="pending", campaign=later, category=None)
    stats.rebuild()
    expected = {"parent": 5, "unit": 4, "child": 3, "sibling": 1}
    for _ in range(2):  # made, then kept: each reviewer still sees their unit's
        for role, total in expected.items():
            assert page(client, roles[role], "?campaign=2020").context["totals"]["total"] == total
            assert page(client, roles[role], "?campaign=2021").context["totals"]["total"] == (
                0 if role == "sibling" else 1
            )
    kept = page(client, roles["child"], "?campaign=2021")
    assert kept.context["figures"].campaign.year == 2021
    assert "2021年全国科普日" in text_of(kept)
    # A year that names no campaign shows the current one's, and is not kept under its name.
    assert page(client, roles["child"], "?campaign=1999").context["figures"].campaign.year == 2021
    assert cache.get(f"reviews:statistics:{access.reviewer_unit(roles['child']).pk}:1999") is None


# --- the workbook -----------------------------------------------------------------------------


def test_the_workbook_holds_the_tables_and_names_are_never_formulas(client, roles, organiser):
    campaign = Campaign.objects.get(year=2020)
    tricky = ["=1+1", "+86 12", "-2", "@SUM(A1)", "\tTAB", "\rCR"]
    for n, name in enumerate(tricky):
        category = ActivityCategory.objects.create(campaign=campaign, name=name, position=100 + n)
        make_activity(organiser, status="approved", category=category)
    client.force_login(roles["unit"])
    response = client.get("/review/statistics/?xlsx=1")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["概况", "按状态", "按活动类型", "按活动类别", "按市", "每日提交与审核"]
    overview = {row[0].value: row[1] for row in book["概况"].iter_rows(min_row=2)}
    assert overview["活动总数"].value == 6 and overview["活动总数"].data_type == "n"
    assert overview["审核单位"].value == "河北省科学技术协会"
    categories = {row[0].value: row for row in book["按活动类别"].iter_rows(min_row=2)}
    for name in tricky:
        label, count = categories[name.replace("\r", "\n")]  # XML reads a CR back as a line feed
        assert (label.data_type, count.value, count.data_type) == ("s", 1, "n")
    cities = [[cell.value for cell in row] for row in book["按市"].iter_rows(values_only=False)]
    assert cities[0] == [
        "市",
        "活动数",
        "待审核",
        "审核通过",
        "审核未通过",
        "已提交总结",
        "参与人数",
        "浏览量",
        "分享数",
    ]
    assert cities[1] == ["保定市", 6, 0, 6, 0, 0, 0, 0, 0]
    daily = list(book["每日提交与审核"].values)
    assert daily[0] == ("日期", "提交", "审核通过", "审核未通过")
    assert len(daily) == 1 + 75


def test_the_workbook_and_the_page_show_views_and_shares_by_province(client, roles, country):
    response = page(client, roles["parent"])
    row = re.search(r"<tr><td>河北省</td>(.*?)</tr>", response.content.decode()).group(1)
    assert re.findall(r'<td class="text-end">(\d+)</td>', row) == [
        "4",
        "1",
        "2",
        "1",
        "1",
        "120",
        "307",
        "12",
    ]
    assert 'data-total="views">357<' in response.content.decode()
    assert 'data-total="shares">14<' in response.content.decode()

    book = load_workbook(io.BytesIO(client.get("/review/statistics/?xlsx=1").content))
    overview = {row[0].value: row[1] for row in book["概况"].iter_rows(min_row=2)}
    assert [(overview[name].value, overview[name].data_type) for name in ("浏览量合计", "分享数合计")] == [
        (357, "n"),
        (14, "n"),
    ]
    provinces = {row[0].value: row[1:] for row in book["按省份"].iter_rows(min_row=2)}
    assert [(cell.value, cell.data_type) for cell in provinces["河北省"][-2:]] == [(307, "n"), (12, "n")]
    assert [cell.value for cell in provinces["山西省"][-2:]] == [50, 2]
    assert [cell.value for cell in provinces["北京市"][-2:]] == [0, 0]  # none counted: zeros, not blanks


def test_views_flushed_after_a_rebuild_show_at_the_next(client, roles, country):
    assert page(client, roles["sibling"]).context["totals"]["views"] == 50
    flushed(country["taiyuan"], 8, 1)
    assert page(client, roles["sibling"]).context["totals"]["views"] == 50  # as taken, until the rebuild
    stats.rebuild()
    totals = page(client, roles["sibling"]).context["totals"]
    assert (totals["views"], totals["shares"]) == (58, 3)


# --- two rebuilds at once (PostgreSQL) ----------------------------------------------------------


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("repeat", range(3))
def test_two_rebuilds_at_once_count_once(postgres, organiser, repeat):
    for n in range(20):
        activity = make_activity(organiser, status="pending" if n % 2 else "approved")
        log(activity, datetime(2020, 9, 1, 10, n, tzinfo=SHANGHAI), "pending", from_status="draft")
    stats.rebuild()  # the state row exists: the rebuilds below meet on its lock, not on creating it
    race(stats.rebuild, stats.rebuild, stats.rebuild)
    assert ActivityTally.objects.aggregate(n=Sum("count"))["n"] == 20
    assert DailyTally.objects.aggregate(n=Sum("count"))["n"] == 20
    assert StatisticsState.objects.count() == 1


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_readers_of_stale_figures_at_once_rebuild_them_once(postgres, organiser):
    make_activity(organiser, status="pending")
    taken = race(stats.ensure_fresh, stats.ensure_fresh, stats.ensure_fresh)
    assert len(set(taken)) == 1  # the readers who waited found the first one's figures
    assert ActivityTally.objects.aggregate(n=Sum("count"))["n"] == 1
