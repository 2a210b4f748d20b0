"""发布活动 and 用户中心 through the API: each operation of SPEC §6 allowed exactly when the site allows it,
refused with the site's words, at the edges of its window (23:59:59.999999 open, 00:00 closed)."""

from datetime import date, datetime

import pytest
from django.test import Client

from activities.models import Activity, ActivityChange, DeadlineExtension, StagedPoster
from summaries.models import ActivitySummary
from tests.activities.conftest import REPORT_OPEN, image_file
from tests.api.conftest import bearer
from tests.factories import UserFactory, make_activity, make_change, make_organiser
from tests.support import SHANGHAI, text_of

pytestmark = pytest.mark.django_db

LAST_REPORT_INSTANT = datetime(2020, 9, 25, 23, 59, 59, 999999, tzinfo=SHANGHAI)
REPORT_CLOSED = datetime(2020, 9, 26, 0, 0, tzinfo=SHANGHAI)


def report(**overrides):
    """A complete report as a client sends it (JSON)."""
    from activities.models import Campaign
    from directory.models import SupervisingUnit

    values = {
        "submit": True,
        "activity_type": "hybrid",
        "name": "节水科普进社区",
        "starts_at": "2020-09-15T09:30:00+08:00",
        "ends_at": "2020-09-15T11:30:00+08:00",
        "region": "130600",
        "category": Campaign.objects.get(year=2020).categories.get(name="节水").pk,
        "description": "面向社区居民开展节水知识讲座和体验活动。",
        "address": "河北省保定市竞秀区示范社区活动中心",
        "url": "https://live.example.org/jieshui",
        "supervisor_type": "city",
        "supervisor": SupervisingUnit.objects.get(short_name="保定市科协").pk,
        "hosts": ["保定市科学技术协会", "保定市水利局"],
        "organizers": ["示范社区居委会"],
        "is_public": True,
    }
    values.update(overrides)
    return values


def staged_poster(organiser) -> str:
    answer = bearer(organiser).post("/api/v1/my/posters/", {"poster": image_file()}, format="multipart")
    assert answer.status_code == 201, answer.json()
    return answer.json()["id"]


@pytest.fixture
def organiser():
    return make_organiser()


@pytest.fixture
def api_as(organiser):
    return bearer(organiser)


@pytest.fixture
def site_as(organiser):
    client = Client()
    client.force_login(organiser)
    return client


@pytest.fixture
def at(time_machine):
    def move(instant):
        time_machine.move_to(instant, tick=False)

    move(REPORT_OPEN)
    return move


def site_message(response) -> str:
    """The page a refused request lands on, as text (messages shown at its top)."""
    return text_of(response)


# --- 发布活动 ------------------------------------------------------------------------------------


def test_a_draft_needs_only_a_name(api_as, at):
    answer = api_as.post("/api/v1/my/activities/", {"name": "节水科普进社区"})
    assert answer.status_code == 201
    body = answer.json()
    assert body["status"] == "draft" and body["status_display"] == "草稿"
    assert body["operations"]["can_edit"] == {"allowed": True, "reason": "", "code": ""}
    assert body["operations"]["can_supplement"] == {
        "allowed": False,
        "reason": "请先提交活动，再补充活动信息",
        "code": "not_submitted",
    }
    assert body["qr"] is None
    assert body["windows"][0] == {
        "window": "report",
        "opens_at": "2020-08-03T00:00:00+08:00",
        "closes_at": "2020-09-26T00:00:00+08:00",
        "last_day": "2020-09-25",
        "is_open": True,
        "extended": False,
        "message": "活动填报截止日期：2020年9月25日",
    }


def test_a_report_with_a_multipart_poster_is_submitted_and_waits(api_as, organiser, at):
    values = report()
    values["poster"] = image_file()
    answer = api_as.post("/api/v1/my/activities/", values, format="multipart")
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    activity = Activity.objects.get(public_code=body["code"])
    assert activity.status == "pending" and activity.owner == organiser
    assert activity.hosts == ["保定市科学技术协会", "保定市水利局"]
    assert activity.org_name == "保定市示范科技馆" and activity.owner_unit.short_name == "保定市科协"
    assert body["poster"]["page"].endswith(".jpg") and body["poster"]["page"].startswith(
        "http://127.0.0.1:8000/media/"
    )
    assert body["operations"]["can_edit"]["code"] == "pending_review"
    assert body["qr"]["png"].endswith(f"/api/v1/my/activities/{body['code']}/qrcode.png")
    assert activity.decisions.get().to_status == "pending"


def test_a_poster_uploaded_first_is_named_by_its_id(api_as, organiser, at):
    poster = staged_poster(organiser)
    answer = api_as.post("/api/v1/my/activities/", report(poster_id=poster))
    assert answer.status_code == 201, answer.json()
    assert Activity.objects.get().poster and not StagedPoster.objects.exists()


def test_an_upload_that_is_no_image_is_refused_with_the_sites_message(api_as, at):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("poster.jpg", b"<html>not an image</html>", content_type="image/jpeg")
    answer = api_as.post("/api/v1/my/posters/", {"poster": fake}, format="multipart")
    assert answer.status_code == 422
    assert answer.json()["fields"]["poster"] == ["“poster.jpg”不是有效的图片，请上传 JPEG、PNG 或 WebP 格式"]


def test_an_incomplete_submission_names_every_missing_field(api_as, at):
    answer = api_as.post("/api/v1/my/activities/", {"name": "节水科普进社区", "submit": True})
    assert answer.status_code == 422
    fields = answer.json()["fields"]
    assert fields["activity_type"] == ["请选择活动类型"]
    assert fields["poster"] == ["请上传活动宣传图"]
    assert fields["region"] == ["请选择所在城市"] and "province" not in fields
    assert not Activity.objects.exists()


def test_the_same_creation_token_makes_one_activity(api_as, organiser, at):
    token = "7d0f6a5e-0c4e-4a55-9a8f-2f1d3c8b6a01"
    first = api_as.post("/api/v1/my/activities/", {"name": "节水", "creation_token": token})
    second = api_as.post("/api/v1/my/activities/", {"name": "节水", "creation_token": token})
    assert first.json()["code"] == second.json()["code"]
    assert Activity.objects.filter(owner=organiser).count() == 1


def test_without_an_organisation_the_client_is_sent_to_fill_it_in(at):
    answer = bearer(UserFactory()).post("/api/v1/my/activities/", {"name": "节水"})
    assert answer.status_code == 409
    assert answer.json() == {"code": "organization_required", "detail": "请先填写单位信息", "fields": {}}


@pytest.mark.parametrize(
    ("instant", "allowed"),
    [(LAST_REPORT_INSTANT, True), (REPORT_CLOSED, False)],
    ids=["23:59:59.999999", "00:00"],
)
def test_the_report_window_at_its_last_instant_and_after(api_as, site_as, at, instant, allowed):
    at(instant)
    answer = api_as.post("/api/v1/my/activities/", {"name": "节水"})
    site = site_as.get("/publish/")
    if allowed:
        assert answer.status_code == 201
        assert "活动填报已于" not in site_message(site)
    else:
        assert answer.status_code == 403
        assert answer.json()["code"] == "window_closed"
        assert answer.json()["detail"] == "活动填报已于2020年9月25日截止"
        assert answer.json()["detail"] in site_message(site)  # the same words on the site's page


# --- 编辑活动 ------------------------------------------------------------------------------------


def test_a_pending_activity_is_locked_as_on_the_site(api_as, site_as, organiser, at):
    activity = make_activity(organiser, status="pending")
    answer = api_as.patch(f"/api/v1/my/activities/{activity.public_code}/", {"name": "改名"})
    site = site_as.get(f"/activities/{activity.public_code}/edit/", follow=True)
    assert answer.status_code == 409
    assert answer.json()["code"] == "pending_review"
    assert answer.json()["detail"] == "活动待审核，请等审核结果出来后再编辑"
    assert answer.json()["detail"] in site_message(site)
    activity.refresh_from_db()
    assert activity.name == "节水科普进社区"


def test_an_approved_activity_changes_beside_its_public_version(api_as, organiser, at):
    activity = make_activity(organiser, status="approved")
    code = activity.public_code
    draft = api_as.patch(f"/api/v1/my/activities/{code}/", {"name": "改名", "submit": False})
    assert draft.status_code == 409 and draft.json()["code"] == "approved_no_draft"
    changed = api_as.patch(
        f"/api/v1/my/activities/{code}/", {"name": "节水科普进社区（第二场）", "submit": True}
    )
    assert changed.status_code == 200, changed.json()
    body = changed.json()
    assert body["status"] == "approved" and body["name"] == "节水科普进社区"
    assert (
        body["change"]["status"] == "pending"
        and body["change"]["report"]["name"] == "节水科普进社区（第二场）"
    )
    assert body["operations"]["can_edit"]["code"] == "change_pending"
    assert bearer(UserFactory()).get(f"/api/v1/activities/{code}/").json()["name"] == "节水科普进社区"
    again = api_as.patch(f"/api/v1/my/activities/{code}/", {"name": "再改", "submit": True})
    assert again.status_code == 409
    assert again.json()["detail"] == "修改待审核，请等审核结果出来后再编辑"
    assert ActivityChange.objects.filter(activity=activity).count() == 1


def test_a_rejected_change_is_what_patch_starts_from(api_as, organiser, at):
    activity = make_activity(organiser, status="approved")
    change = make_change(activity, data={**_report_json(activity), "name": "被退回的名称"})
    ActivityChange.objects.filter(pk=change.pk).update(status="rejected", rejection_reason="名称不规范")
    type(activity).objects.filter(pk=activity.pk).update(waiting_since=None)
    mine = api_as.get(f"/api/v1/my/activities/{activity.public_code}/").json()
    assert mine["change"]["status"] == "rejected" and mine["change"]["reason"] == "名称不规范"
    resent = api_as.patch(f"/api/v1/my/activities/{activity.public_code}/", {"submit": True})
    assert resent.status_code == 200
    assert resent.json()["change"]["report"]["name"] == "被退回的名称"


def _report_json(activity):
    from activities.reports import Report

    return Report.of(activity).to_json()


def test_a_rejected_activity_is_edited_and_submitted_again(api_as, organiser, at):
    activity = make_activity(organiser, status="rejected", rejection_reason="简介过短")
    mine = api_as.get(f"/api/v1/my/activities/{activity.public_code}/").json()
    assert mine["rejection_reason"] == "简介过短" and mine["operations"]["can_edit"]["allowed"]
    answer = api_as.patch(
        f"/api/v1/my/activities/{activity.public_code}/",
        {"description": "更详细的简介。" * 5, "submit": True},
    )
    assert answer.status_code == 200 and answer.json()["status"] == "pending"


def test_submit_sends_a_stored_draft(api_as, organiser, at):
    activity = make_activity(organiser, status="draft")
    answer = api_as.post(f"/api/v1/my/activities/{activity.public_code}/submit/")
    assert answer.status_code == 200 and answer.json()["status"] == "pending"


def test_another_accounts_activity_does_not_exist(at):
    activity = make_activity(make_organiser(), status="draft")
    stranger = bearer(make_organiser(name="石家庄市科技馆"))
    code = activity.public_code
    for method, path in [
        ("get", f"/api/v1/my/activities/{code}/"),
        ("patch", f"/api/v1/my/activities/{code}/"),
        ("delete", f"/api/v1/my/activities/{code}/"),
        ("post", f"/api/v1/my/activities/{code}/submit/"),
        ("get", f"/api/v1/my/activities/{code}/qrcode.png"),
    ]:
        answer = getattr(stranger, method)(path)
        assert answer.status_code == 404, (method, path)
        assert answer.json()["code"] == "not_found"
    assert Activity.objects.get().deleted_at is None


# --- 补充活动信息 ---------------------------------------------------------------------------------


def test_the_supplement_is_saved_once(api_as, organiser, at):
    activity = make_activity(organiser, status="pending")
    url = f"/api/v1/my/activities/{activity.public_code}/supplement/"
    empty = api_as.post(url, {})
    assert empty.status_code == 422 and empty.json()["code"] == "empty_supplement"
    assert empty.json()["detail"] == "请至少上传一张图片或填写一个链接；暂无补充信息时请点击“跳过”"
    saved = api_as.post(
        url,
        {"photos": [image_file("a.png"), image_file("b.png")], "video_links": ["https://v.example.org/1"]},
        format="multipart",
    )
    assert saved.status_code == 200, saved.json()
    activity.refresh_from_db()
    assert activity.photos.count() == 2 and activity.links.get().url == "https://v.example.org/1"
    again = api_as.post(url, {"news_links": ["https://news.example.org/1"]})
    assert again.status_code == 409
    assert again.json() == {"code": "locked", "detail": "活动信息已补充，不可修改", "fields": {}}


def test_a_draft_has_nothing_to_supplement_and_a_saved_supplement_is_not_skipped(api_as, organiser, at):
    draft = make_activity(organiser, name="节水科普草稿")
    for path in ("supplement/", "supplement/skip/"):
        answer = api_as.post(
            f"/api/v1/my/activities/{draft.public_code}/{path}", {"news_links": ["https://a.cn/1"]}
        )
        assert answer.status_code == 409 and answer.json()["code"] == "not_submitted", answer.json()
    pending = make_activity(organiser, status="pending")
    url = f"/api/v1/my/activities/{pending.public_code}/supplement/"
    assert api_as.post(url, {"news_links": ["https://news.example.org/1"]}).status_code == 200
    again = api_as.post(f"{url}skip/")
    assert again.status_code == 409 and again.json()["code"] == "locked"


@pytest.mark.parametrize(
    ("instant", "allowed"),
    [
        (datetime(2020, 10, 9, 23, 59, 59, 999999, tzinfo=SHANGHAI), True),
        (datetime(2020, 10, 10, 0, 0, tzinfo=SHANGHAI), False),
    ],
    ids=["23:59:59.999999", "00:00"],
)
def test_the_supplement_window_at_its_edges(api_as, site_as, organiser, at, instant, allowed):
    activity = make_activity(organiser, status="pending")
    at(instant)
    answer = api_as.post(f"/api/v1/my/activities/{activity.public_code}/supplement/skip/")
    site = site_as.get(f"/activities/{activity.public_code}/supplement/", follow=True)
    if allowed:
        assert answer.status_code == 200
    else:
        assert answer.status_code == 403 and answer.json()["code"] == "window_closed"
        assert answer.json()["detail"] == "补充活动信息已于2020年10月9日截止"
        assert answer.json()["detail"] in site_message(site)


def test_a_reviewers_extension_reopens_the_window(api_as, organiser, at):
    activity = make_activity(organiser, status="pending")
    DeadlineExtension.objects.create(
        activity=activity,
        window="supplement",
        last_day=date(2020, 10, 20),
        reason="受天气影响",
        granted_by=UserFactory(),
    )
    at(datetime(2020, 10, 15, 12, 0, tzinfo=SHANGHAI))
    mine = api_as.get(f"/api/v1/my/activities/{activity.public_code}/").json()
    supplement = next(w for w in mine["windows"] if w["window"] == "supplement")
    assert supplement["extended"] and supplement["last_day"] == "2020-10-20"
    assert supplement["message"] == "补充活动信息截止日期：2020年10月20日（已延期）"
    answer = api_as.post(
        f"/api/v1/my/activities/{activity.public_code}/supplement/",
        {"news_links": ["https://news.example.org/1"]},
    )
    assert answer.status_code == 200


# --- 编辑总结 ------------------------------------------------------------------------------------


def test_the_summary_opens_at_the_activitys_start_and_is_final(api_as, site_as, organiser, at):
    activity = make_activity(organiser, status="approved")
    url = f"/api/v1/my/activities/{activity.public_code}/summary/"
    early = api_as.post(url, {"text": "总结", "participants": "120"})
    site = site_as.get(f"/activities/{activity.public_code}/summary/", follow=True)
    assert early.status_code == 403 and early.json()["code"] == "window_not_open"
    assert early.json()["detail"] == "活动总结将于2020年9月15日 09:30开放"
    assert early.json()["detail"] in site_message(site)
    at(datetime(2020, 9, 15, 9, 30, tzinfo=SHANGHAI))
    bad = api_as.post(url, {"text": "总结", "participants": "-1"})
    assert bad.status_code == 422 and bad.json()["fields"] == {"participants": ["参与人数不能为负数"]}
    saved = api_as.post(
        url,
        {"text": "活动顺利举行。", "participants": "120", "attachments": [image_file()]},
        format="multipart",
    )
    assert saved.status_code == 200, saved.json()
    summary = ActivitySummary.objects.get(activity=activity)
    assert summary.participants == 120 and summary.attachments.count() == 1
    again = api_as.post(url, {"text": "再写", "participants": "1"})
    assert again.status_code == 409 and again.json()["detail"] == "活动总结已提交，不可修改"


def test_only_an_approved_activity_is_summarised(api_as, organiser, at):
    activity = make_activity(organiser, status="pending")
    at(datetime(2020, 9, 16, tzinfo=SHANGHAI))
    answer = api_as.post(
        f"/api/v1/my/activities/{activity.public_code}/summary/", {"text": "x", "participants": "1"}
    )
    assert answer.status_code == 409 and answer.json()["code"] == "not_approved"


@pytest.mark.parametrize(
    ("instant", "status"),
    [
        (datetime(2020, 10, 16, 23, 59, 59, 999999, tzinfo=SHANGHAI), 200),
        (datetime(2020, 10, 17, tzinfo=SHANGHAI), 403),
    ],
    ids=["23:59:59.999999", "00:00"],
)
def test_the_summary_window_closes_at_midnight(api_as, organiser, at, instant, status):
    activity = make_activity(organiser, status="approved")
    at(instant)
    answer = api_as.post(
        f"/api/v1/my/activities/{activity.public_code}/summary/", {"text": "总结", "participants": "3"}
    )
    assert answer.status_code == status
    if status == 403:
        assert answer.json()["detail"] == "活动总结已于2020年10月16日截止"


# --- 二维码, 删除, the list ------------------------------------------------------------------------


def test_the_qr_code_as_png_and_svg_with_an_etag(api_as, organiser, at):
    activity = make_activity(organiser, status="pending")
    png = api_as.get(f"/api/v1/my/activities/{activity.public_code}/qrcode.png")
    assert (
        png.status_code == 200
        and png["Content-Type"] == "image/png"
        and png.content[:8] == b"\x89PNG\r\n\x1a\n"
    )
    again = api_as.get(
        f"/api/v1/my/activities/{activity.public_code}/qrcode.png", HTTP_IF_NONE_MATCH=png["ETag"]
    )
    assert again.status_code == 304
    svg = api_as.get(f"/api/v1/my/activities/{activity.public_code}/qrcode.svg?download")
    assert svg["Content-Type"] == "image/svg+xml" and svg["Content-Disposition"].startswith("attachment")
    draft = make_activity(organiser, status="draft", name="草稿")
    refused = api_as.get(f"/api/v1/my/activities/{draft.public_code}/qrcode.png")
    assert refused.status_code == 404 and refused.json()["detail"] == "活动提交后才能生成二维码"


def test_a_qr_code_is_served_whatever_the_client_accepts(api_as, organiser, at):
    activity = make_activity(organiser, status="pending")
    png = api_as.get(f"/api/v1/my/activities/{activity.public_code}/qrcode.png", HTTP_ACCEPT="image/png")
    assert png.status_code == 200


def test_delete_is_soft_and_the_activity_is_gone_for_the_client(api_as, organiser, at):
    activity = make_activity(organiser, status="approved")
    assert api_as.delete(f"/api/v1/my/activities/{activity.public_code}/").status_code == 204
    activity.refresh_from_db()
    assert activity.deleted_at is not None and activity.deleted_by == organiser
    assert api_as.get(f"/api/v1/my/activities/{activity.public_code}/").status_code == 404
    assert api_as.get("/api/v1/my/activities/").json()["results"] == []


def test_the_list_pages_by_cursor_with_a_fixed_number_of_queries(
    api_as, organiser, at, django_assert_max_num_queries
):
    for n in range(25):
        make_activity(organiser, status="approved" if n % 2 else "pending", name=f"活动{n}")
    with django_assert_max_num_queries(6):
        first = api_as.get("/api/v1/my/activities/")
    body = first.json()
    assert len(body["results"]) == 20 and body["results"][0]["name"] == "活动24"
    assert set(first["Cache-Control"].split(", ")) == {"private", "no-cache"}
    rest = api_as.get(body["next"]).json()
    assert [row["name"] for row in rest["results"]] == [f"活动{n}" for n in range(4, -1, -1)] and rest[
        "next"
    ] is None
    with django_assert_max_num_queries(6):
        api_as.get("/api/v1/my/activities/?page_size=100")


def test_the_windows_are_the_activitys_own(api_as, organiser, at):
    activity = make_activity(organiser, status="approved")
    mine = api_as.get(f"/api/v1/my/activities/{activity.public_code}/").json()
    summary = next(w for w in mine["windows"] if w["window"] == "summary")
    assert summary["opens_at"] == "2020-09-15T09:30:00+08:00" and not summary["is_open"]
    assert summary["message"] == "活动总结将于2020年9月15日 09:30开放"
    assert mine["operations"]["can_summarize"]["code"] == "window_not_open"
