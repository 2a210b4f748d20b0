"""The console as a reviewer uses it: queue, decisions and their notices, 延期, 推荐, moderation, statistics, export."""

import html
import io
import re
from datetime import date, datetime, timedelta

import pytest
from django.conf import settings
from django.http import QueryDict
from openpyxl import load_workbook

from activities.models import Activity, ActivityLink, DeadlineExtension, ReviewDecision
from activities.reports import Report
from directory.models import Region
from notifications.models import Message
from reviews import services
from reviews.models import ExportJob, Recommendation, ReviewerRole
from reviews.queue import Key, Queue
from summaries.models import ActivitySummary
from tests.factories import UserFactory, make_activity, make_change
from tests.reviews.conftest import flushed, reach, unit
from tests.support import SHANGHAI, header_text, queue_names, text_of

pytestmark = pytest.mark.django_db


def submitted(organiser, minutes, **fields):
    at = datetime(2020, 9, 1, 10, 0, tzinfo=SHANGHAI) + timedelta(minutes=minutes)
    return make_activity(
        organiser, submitted_at=at, first_submitted_at=at, owner_unit=unit("河北省科协"), **fields
    )


def names(response):
    return queue_names(response)


@pytest.fixture
def hebei(client, roles):
    client.force_login(roles["unit"])
    return client


# --- queue ----------------------------------------------------------------------------


def test_waiting_first_oldest_first_with_changes_and_the_count(hebei, organiser):
    submitted(organiser, 30, status="pending", name="新活动（较晚）")
    submitted(organiser, 10, status="pending", name="新活动（较早）")
    approved = submitted(organiser, 0, status="approved", name="已通过，有修改")
    make_change(approved, submitted_at=datetime(2020, 9, 1, 10, 20, tzinfo=SHANGHAI))
    submitted(organiser, 5, status="approved", name="已通过")
    submitted(organiser, 1, status="draft", name="草稿")

    response = hebei.get("/review/")
    assert names(response) == ["新活动（较早）", "已通过，有修改", "新活动（较晚）"]
    assert "待审核 3" in text_of(response)
    assert names(hebei.get("/review/?state=all")) == [
        "新活动（较早）",
        "已通过，有修改",
        "新活动（较晚）",
        "已通过",
    ]
    assert names(hebei.get("/review/?state=change")) == ["已通过，有修改"]


def test_filters_and_search(hebei, organiser):
    submitted(
        organiser, 0, status="pending", name="保定的线上活动", activity_type="online", org_name="甲科技馆"
    )
    submitted(
        organiser, 1, status="pending", name="石家庄的活动", region_id=_region("130100"), org_name="乙学校"
    )
    assert names(hebei.get("/review/?region=130600")) == ["保定的线上活动"]
    assert names(hebei.get("/review/?activity_type=online")) == ["保定的线上活动"]
    assert names(hebei.get("/review/?q=乙学校")) == ["石家庄的活动"]
    assert names(hebei.get("/review/?starts_from=2020-09-16")) == []
    assert len(names(hebei.get("/review/?starts_from=2020-09-15&starts_to=2020-09-15"))) == 2


def _region(code):
    return Region.objects.get(code=code).pk


def _link(response, rel):
    found = re.search(rf'rel="{rel}" href="([^"]+)"', response.content.decode())
    return html.unescape(found.group(1)) if found else None


def test_pages_by_key_keep_the_filters(hebei, organiser):
    for n in range(55):
        submitted(organiser, n, status="pending", name=f"活动{n:02d}")
    first = hebei.get("/review/?activity_type=hybrid")
    assert names(first) == [f"活动{n:02d}" for n in range(50)]
    assert "共 55 个" in text_of(first) and _link(first, "prev") is None
    second = hebei.get(f"/review/{_link(first, 'next')}")
    assert _link(first, "next").startswith("?activity_type=hybrid&after=")
    assert names(second) == [f"活动{n:02d}" for n in range(50, 55)]
    assert _link(second, "next") is None
    back = hebei.get(f"/review/{_link(second, 'prev')}")
    assert names(back) == names(first)


def test_a_page_by_key_crosses_from_what_waits_to_the_rest(hebei, organiser):
    for n in range(3):
        submitted(organiser, n, status="pending", name=f"待审{n}")
    for n in range(3):
        submitted(organiser, 10 + n, status="approved", name=f"已通过{n}")
    queue = Queue(unit("河北省科协"), QueryDict("state=all"), user=hebei)
    page = queue.page(size=2)
    seen = names_of(page)
    while page.next:
        page = queue.page(after=page.next, size=2)
        seen += names_of(page)
    # what waits, oldest first; then the newest submission first
    assert seen == ["待审0", "待审1", "待审2", "已通过2", "已通过1", "已通过0"]
    backwards = queue.page(before=Key.of(Activity.objects.get(name="已通过1")).encode(), size=2)
    assert names_of(backwards) == ["待审2", "已通过2"]


def names_of(page):
    return [a.name for a in page.items]


@pytest.mark.parametrize("cursor", ["x", "1.2", "a.b.c", "99999999999999999999.n.1", "", "n.n.n"])
def test_a_bad_cursor_shows_the_first_page(hebei, organiser, cursor):
    submitted(organiser, 0, status="pending", name="第一个")
    response = hebei.get("/review/", {"after": cursor})
    assert response.status_code == 200 and names(response) == ["第一个"]


def test_a_city_reviewer_decides_only_its_own_but_reads_its_city(client, roles, organiser):
    submitted(organiser, 0, status="pending", name="隶属河北省科协")
    client.force_login(roles["child"])
    assert names(client.get("/review/")) == []
    assert names(client.get("/review/?scope=read")) == ["隶属河北省科协"]


def test_the_queue_has_a_fixed_number_of_queries(hebei, organiser, django_assert_max_num_queries):
    for n in range(30):
        activity = submitted(organiser, n, status="pending", name=f"活动{n}")
        if n % 2:  # views and shares come with the rows (a LEFT JOIN), whether an activity has any or not
            reach(activity, n, 1)
    # the first view builds the option lists and counts (kept afterwards: see test_queue_flow)
    with django_assert_max_num_queries(14):
        hebei.get("/review/")


def reach_shown(response, name) -> tuple[str, str]:
    """The 浏览 and 分享 cells of the queue row of the activity ``name``."""
    html_text = response.content.decode()
    row = re.search(rf"<tr>(?:(?!</tr>).)*>{re.escape(name)}</a>(?:(?!</tr>).)*</tr>", html_text, re.S)
    return tuple(re.findall(r'data-reach="(?:views|shares)">(\d+)<', row.group(0)))


def test_each_queue_row_shows_its_views_and_shares(hebei, organiser):
    viewed = submitted(organiser, 0, status="pending", name="有人看过")
    submitted(organiser, 1, status="pending", name="无人看过")
    flushed(viewed, 120, 7)  # counted on its page and by its 分享 button, then flushed
    response = hebei.get("/review/")
    assert re.search(
        r'<th scope="col" class="text-end">浏览</th><th scope="col" class="text-end">分享</th>',
        response.content.decode(),
    )
    assert reach_shown(response, "有人看过") == ("120", "7")
    assert reach_shown(response, "无人看过") == ("0", "0")


def test_the_review_page_shows_views_and_shares(hebei, organiser):
    viewed = submitted(organiser, 0, status="pending", name="有人看过")
    unseen = submitted(organiser, 1, status="pending", name="无人看过")
    reach(viewed, 9, 2)
    assert "浏览 · 分享 浏览 9 次，分享 2 次" in text_of(
        hebei.get(f"/review/activities/{viewed.public_code}/")
    )
    assert "浏览 · 分享 浏览 0 次，分享 0 次" in text_of(
        hebei.get(f"/review/activities/{unseen.public_code}/")
    )


# --- decisions and notices ---------------------------------------------------------------


def test_reject_needs_a_reason_and_tells_the_organiser(hebei, activity, organiser, client):
    url = f"/review/activities/{activity.public_code}/decide/"
    hebei.post(url, {"decision": "reject", "reason": " "})
    assert Activity.objects.get().status == "pending"
    hebei.post(url, {"decision": "reject", "reason": "请补充活动地址"})
    activity.refresh_from_db()
    assert (activity.status, activity.rejection_reason) == ("rejected", "请补充活动地址")

    decision = ReviewDecision.objects.get(to_status="rejected")
    messages = Message.objects.filter(key=f"decision:{decision.pk}")
    assert sorted(messages.values_list("channel", "state")) == [("site", "sent"), ("sms", "queued")]
    assert "请补充活动地址" in messages.get(channel="site").body

    client.force_login(organiser)
    assert "消息 1" in header_text(client.get("/"))
    assert "审核未通过 原因：请补充活动地址" in text_of(client.get("/center/"))
    inbox = client.get("/messages/")
    assert "活动未通过审核" in text_of(inbox)
    client.post(f"/messages/{messages.get(channel='site').pk}/open/")
    assert "消息 1" not in header_text(client.get("/"))


def test_a_change_is_shown_beside_the_approved_version_and_applied(hebei, organiser):
    approved = submitted(organiser, 0, status="approved", name="原名称")
    make_change(approved, data={**_report_json(approved), "name": "新名称"})
    page = text_of(hebei.get(f"/review/activities/{approved.public_code}/"))
    assert "修改待审核" in page and "活动名称 原名称 新名称" in page
    hebei.post(f"/review/activities/{approved.public_code}/decide/", {"decision": "approve"})
    approved.refresh_from_db()
    assert approved.name == "新名称"
    assert Message.objects.get(channel="site").title == "活动修改审核通过"


def _report_json(activity):
    return Report.of(activity).to_json()


def test_bulk_approve_only_what_the_reviewer_decides(hebei, organiser):
    mine = [submitted(organiser, n, status="pending", name=f"河北{n}") for n in range(2)]
    theirs = make_activity(organiser, status="pending", owner_unit=unit("山西省科协"), name="山西")
    response = hebei.post(
        "/review/bulk-approve/",
        {"codes": [a.public_code for a in [*mine, theirs]], "next": "/review/?state=all"},
    )
    assert response.url == "/review/?state=all"
    assert sorted(Activity.objects.filter(status="approved").values_list("name", flat=True)) == [
        "河北0",
        "河北1",
    ]
    page = text_of(hebei.get("/review/"))
    assert "已审核通过 2 个活动" in page and "1 个活动不在您的审核范围内" in page


def test_a_decided_activity_cannot_be_decided_again(hebei, activity):
    url = f"/review/activities/{activity.public_code}/decide/"
    hebei.post(url, {"decision": "approve"})
    response = hebei.post(url, {"decision": "reject", "reason": "晚了"}, follow=True)
    assert "该活动没有待审核的内容" in text_of(response)
    assert ReviewDecision.objects.count() == 1


def test_the_log_is_shown_to_reviewers(hebei, activity):
    hebei.post(f"/review/activities/{activity.public_code}/decide/", {"decision": "reject", "reason": "缺图"})
    page = text_of(hebei.get(f"/review/activities/{activity.public_code}/"))
    assert "审核记录" in page and "待审核 → 审核未通过 缺图" in page


# --- 延期 ------------------------------------------------------------------------------


def test_an_extension_moves_one_window_of_one_activity(hebei, activity, organiser):
    other = make_activity(organiser, status="pending", owner_unit=unit("河北省科协"))
    url = f"/review/activities/{activity.public_code}/extend/"
    response = hebei.post(
        url, {"window": "supplement", "last_day": "2020-10-05", "reason": "疫情"}, follow=True
    )
    assert "延期日期须晚于现在的截止日期（2020年10月9日）" in text_of(response)
    hebei.post(url, {"window": "supplement", "last_day": "2020-10-20", "reason": "疫情"})
    extension = DeadlineExtension.objects.get()
    assert (extension.activity, extension.last_day) == (activity, date(2020, 10, 20))
    assert activity.window("supplement").last_day == date(2020, 10, 20)
    assert other.window("supplement").last_day == date(2020, 10, 9)
    assert Message.objects.filter(kind="extension", channel="site").get().recipient == organiser


def test_the_organiser_sees_the_new_date(client, activity, organiser, roles, time_machine):
    time_machine.move_to(datetime(2020, 10, 12, tzinfo=SHANGHAI), tick=False)
    DeadlineExtension.objects.create(
        activity=activity,
        window="supplement",
        last_day=date(2020, 10, 20),
        reason="疫情",
        granted_by=roles["unit"],
    )
    client.force_login(organiser)
    assert "补充截止 10月20日（延期）" in text_of(client.get("/center/"))
    assert client.get(f"/activities/{activity.public_code}/supplement/").status_code == 200


# --- 推荐 ------------------------------------------------------------------------------


def test_recommendations_go_up_the_chain(client, roles, organiser):
    approved = make_activity(
        organiser, status="approved", owner_unit=unit("保定市科协"), org_name="保定科技馆"
    )
    client.force_login(roles["child"])
    client.post(
        f"/review/activities/{approved.public_code}/recommend/", {"kind": "activity", "note": "特色鲜明"}
    )
    client.force_login(roles["unit"])
    client.post(
        f"/review/activities/{approved.public_code}/recommend/", {"kind": "organization", "note": "组织有力"}
    )
    assert sorted(Recommendation.objects.values_list("from_unit__short_name", "to_unit__short_name")) == [
        ("保定市科协", "河北省科协"),
        ("河北省科协", "中国科协"),
    ]
    assert "保定科技馆" in text_of(client.get("/review/recommendations/"))
    client.force_login(roles["parent"])
    page = text_of(client.get("/review/recommendations/"))
    assert "全国推荐名单" in page and "组织有力" in page
    response = client.get("/review/recommendations/?xlsx=1")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [cell.value for cell in sheet[2]][:4] == [
        "优秀活动组织单位",
        approved.name,
        approved.public_code,
        "保定科技馆",
    ]


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_the_recommendation_workbook_writes_text_as_text(client, roles, organiser, prefix):
    name = f'{prefix}HYPERLINK("http://example.org","点击查看")'
    approved = make_activity(organiser, status="approved", owner_unit=unit("河北省科协"), name=name[:100])
    client.force_login(roles["unit"])
    client.post(
        f"/review/activities/{approved.public_code}/recommend/", {"kind": "activity", "note": f"{prefix}1+1"}
    )
    client.force_login(roles["parent"])
    sheet = load_workbook(io.BytesIO(client.get("/review/recommendations/?xlsx=1").content)).active
    name_cell, note_cell = sheet[2][1], sheet[2][5]
    assert (name_cell.data_type, note_cell.data_type) == ("s", "s")  # text, never a formula
    assert name_cell.value.replace("\n", "\r") == name.replace("\n", "\r")  # XML reads a CR as a LF
    assert note_cell.value == f"{prefix}1+1".strip()  # the reason is stored stripped


def test_only_approved_activities_are_recommended_and_only_once(client, roles, activity):
    client.force_login(roles["unit"])
    response = client.post(
        f"/review/activities/{activity.public_code}/recommend/",
        {"kind": "activity", "note": "x"},
        follow=True,
    )
    assert "只能推荐审核通过的活动" in text_of(response)
    Activity.objects.filter(pk=activity.pk).update(status="approved")
    client.post(f"/review/activities/{activity.public_code}/recommend/", {"kind": "activity", "note": "x"})
    response = client.post(
        f"/review/activities/{activity.public_code}/recommend/",
        {"kind": "activity", "note": "y"},
        follow=True,
    )
    assert "已推荐过" in text_of(response)
    assert Recommendation.objects.count() == 1


# --- moderation --------------------------------------------------------------------------


def test_hide_and_unhide_a_supplement_link(hebei, activity, roles):
    link = ActivityLink.objects.create(activity=activity, kind="news", url="https://news.example.org/bad")
    hebei.post(f"/review/activities/{activity.public_code}/items/link/{link.pk}/hide/")
    link.refresh_from_db()
    assert link.hidden_at is not None and link.hidden_by == roles["unit"]
    hebei.post(f"/review/activities/{activity.public_code}/items/link/{link.pk}/unhide/")
    link.refresh_from_db()
    assert link.hidden_at is None and ActivityLink.objects.count() == 1


# --- statistics and export ------------------------------------------------------------------


def test_statistics_over_the_read_set(hebei, organiser):
    done = submitted(
        organiser, 0, status="approved", activity_type="online", summarized_at=datetime.now(SHANGHAI)
    )
    ActivitySummary.objects.create(activity=done, text="好", participants=120, created_by=organiser)
    submitted(organiser, 1, status="pending")
    make_activity(organiser, status="pending", owner_unit=unit("山西省科协"), region_id=_region("140100"))
    reach(done, 40, 3)
    response = hebei.get("/review/statistics/")
    assert response.context["totals"] == {
        "total": 2,
        "summaries": 1,
        "participants": 120,
        "views": 40,
        "shares": 3,
    }
    assert {row["label"]: row["count"] for row in response.context["by_status"]} == {
        "审核通过": 1,
        "待审核": 1,
        "审核未通过": 0,
    }
    html = response.content.decode()
    assert '<script id="chart-data" type="application/json">' in html
    assert "/static/vendor/chartjs/chart.umd.min.js" in html


def test_export_of_the_read_set(hebei, organiser, roles, django_capture_on_commit_callbacks):
    a = submitted(
        organiser,
        0,
        status="approved",
        name="导出的活动",
        hosts=["甲", "乙"],
        org_contact_phone="13812345678",
    )
    make_activity(
        organiser, status="pending", owner_unit=unit("山西省科协"), region_id=_region("140100"), name="不导出"
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = hebei.post("/review/exports/")
    job = ExportJob.objects.get()
    assert response.url == f"/review/exports/{job.pk}/"
    status = hebei.get(f"/review/exports/{job.pk}/status/").json()
    assert (status["state"], status["percent"], status["total"]) == ("done", 100, 1)
    download = hebei.get(status["link"])
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    rows = list(sheet.values)
    assert rows[0][:3] == ("活动编号", "活动名称", "状态")
    assert rows[1][:3] == (a.public_code, "导出的活动", "审核通过")
    assert "甲，乙" in rows[1] and "13812345678" in rows[1]
    assert len(rows) == 2


def test_export_files_are_not_public(hebei, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        hebei.post("/review/exports/")
    job = ExportJob.objects.get()
    assert str(settings.PRIVATE_MEDIA_ROOT) in job.file.path
    assert not job.file.path.startswith(str(settings.MEDIA_ROOT))


def test_roles_are_granted_and_revoked(client, roles):
    admin = UserFactory(is_superuser=True, is_staff=True)
    services.revoke_roles(ReviewerRole.objects.filter(user=roles["unit"]), by=admin)
    client.force_login(roles["unit"])
    assert client.get("/review/").status_code == 403
    services.grant_role(user=roles["unit"], unit=unit("河北省科协"), by=admin)
    assert client.get("/review/").status_code == 200
    with pytest.raises(Exception, match="请先撤销原授权"):
        services.grant_role(user=roles["unit"], unit=unit("山西省科协"), by=admin)
