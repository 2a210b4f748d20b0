"""The public side through the API: the list and its filters, an activity (one cached JSON for every
reader, with an ETag), 打卡 / 点赞 / 收藏 as idempotent PUT and DELETE, comments, 个人中心's lists and
消息 — each with the site's outcome and words."""

from datetime import datetime, timedelta

import pytest

from activities.models import ActivityLink, ActivityPhoto
from notifications.models import Message
from public import services
from public.models import CheckIn, Like
from reviews.models import ReviewerRole
from tests.api.conftest import bearer
from tests.factories import UserFactory, make_activity
from tests.support import SHANGHAI

pytestmark = pytest.mark.django_db

XHR = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}
START = datetime(2020, 9, 15, 9, 30, tzinfo=SHANGHAI)
TICK = timedelta(microseconds=1)


@pytest.fixture
def member_api(member):
    return bearer(member)


@pytest.fixture
def member_site(client, member):
    client.force_login(member)
    return client


@pytest.fixture
def during(time_machine):
    time_machine.move_to(START + timedelta(minutes=30), tick=False)


# --- the list -----------------------------------------------------------------------------------


def test_the_list_holds_what_the_site_lists_with_its_filters(api, organiser):
    make_activity(organiser, status="approved", name="节水科普进社区")
    make_activity(organiser, status="approved", name="防震减灾知识讲座", activity_type="offline", url="")
    make_activity(organiser, status="approved", name="不展示的活动", is_public=False)
    make_activity(organiser, status="pending", name="节水待审核")
    names = {row["name"] for row in api.get("/api/v1/activities/").json()["results"]}
    assert names == {"节水科普进社区", "防震减灾知识讲座"}
    found = api.get("/api/v1/activities/", {"q": "节水"}).json()["results"]  # two characters find it
    assert [row["name"] for row in found] == ["节水科普进社区"]
    offline = api.get("/api/v1/activities/", {"activity_type": "offline"}).json()["results"]
    assert [row["name"] for row in offline] == ["防震减灾知识讲座"]
    card = found[0]
    assert (
        card["province"] == "河北省"
        and card["region"] == "保定市"
        and card["label"] == "2020年全国科普日活动"
    )


def test_a_bad_filter_is_refused_with_the_forms_message(api):
    answer = api.get("/api/v1/activities/", {"activity_type": "teleport"})
    assert answer.status_code == 422
    assert answer.json()["fields"]["activity_type"] == ["选择一个有效的选项。 teleport 不在可用的选项中。"]
    bad_cursor = api.get("/api/v1/activities/", {"cursor": "bz14"})  # "o=x": an offset that is no number
    assert bad_cursor.status_code == 422
    assert bad_cursor.json()["fields"] == {"cursor": ["分页游标无效，请从第一页重新获取"]}


def test_the_list_sorts_as_the_site_and_pages_by_cursor(api, organiser, time_machine):
    time_machine.move_to(datetime(2020, 9, 1, tzinfo=SHANGHAI), tick=False)
    for n in range(25):
        make_activity(
            organiser,
            status="approved",
            name=f"活动{n:02d}",
            like_count=n,
            decided_at=START + timedelta(hours=n),
        )
    liked = api.get("/api/v1/activities/", {"sort": "liked"}).json()
    assert [row["name"] for row in liked["results"][:3]] == ["活动24", "活动23", "活动22"]
    newest = api.get("/api/v1/activities/").json()
    assert newest["results"][0]["name"] == "活动24" and len(newest["results"]) == 20
    rest = api.get(newest["next"]).json()
    assert len(rest["results"]) == 5 and rest["next"] is None


@pytest.mark.parametrize("many", [1, 60])
def test_the_list_runs_a_fixed_number_of_queries(api, organiser, many, django_assert_max_num_queries):
    for n in range(many):
        make_activity(organiser, status="approved", name=f"活动{n}")
    with django_assert_max_num_queries(4):
        assert api.get("/api/v1/activities/", {"region": "130600"}).status_code == 200


# --- an activity --------------------------------------------------------------------------------


def test_an_activity_as_the_public_page_shows_it(api, approved, organiser):
    ActivityPhoto.objects.create(activity=approved, image="p1.jpg", image_list="p1-l.jpg")
    ActivityPhoto.objects.create(activity=approved, image="p2.jpg", image_list="p2-l.jpg", hidden_at=START)
    ActivityLink.objects.create(activity=approved, kind="video", url="https://v.example.org/1")
    answer = api.get(f"/api/v1/activities/{approved.public_code}/")
    assert answer.status_code == 200
    body = answer.json()
    assert body["name"] == "节水科普进社区" and body["hosts"] == ["保定市水利局", "示范社区"]
    assert body["supervisor"] == "保定市科学技术协会" and body["label"] == "2020年全国科普日活动"
    assert len(body["photos"]) == 1  # the hidden one is left out, as on the page
    assert body["links"] == [{"kind": "video", "url": "https://v.example.org/1"}]
    assert body["checkin"] == {
        "opens_at": "2020-09-15T09:30:00+08:00",
        "closes_at": "2020-09-16T00:00:00+08:00",
    }
    assert body["public_url"] == f"http://127.0.0.1:8000/a/{approved.public_code}/"
    assert answer["Cache-Control"] == "no-cache" and answer["ETag"]


def test_an_etag_answers_304_until_the_activity_changes(
    api, member_api, approved, django_capture_on_commit_callbacks
):
    url = f"/api/v1/activities/{approved.public_code}/"
    first = api.get(url)
    assert api.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    with django_capture_on_commit_callbacks(execute=True):
        member_api.put(f"/api/v1/activities/{approved.public_code}/like/")
    changed = api.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed.json()["counts"]["likes"] == 1


def test_one_json_for_every_reader_from_the_cache(api, member_api, approved, django_assert_max_num_queries):
    url = f"/api/v1/activities/{approved.public_code}/"
    body = api.get(url).content
    with django_assert_max_num_queries(0):
        assert api.get(url).content == body
    with django_assert_max_num_queries(1):  # only the reader's token
        assert member_api.get(url).content == body


def test_an_activity_under_review_or_a_draft_is_not_public(api, organiser):
    pending = make_activity(organiser, status="pending")
    answer = api.get(f"/api/v1/activities/{pending.public_code}/")
    assert answer.status_code == 404
    assert answer.json()["code"] == "under_review"
    assert answer.json()["detail"] == "该活动正在审核中，审核通过后即可查看活动详情、打卡和点赞。"
    draft = make_activity(organiser, status="draft")
    assert api.get(f"/api/v1/activities/{draft.public_code}/").json()["code"] == "not_found"
    assert api.get("/api/v1/activities/nosuchco/").status_code == 404


def test_a_waiting_change_is_not_public(api, approved):
    from tests.factories import make_change

    make_change(approved, data={"name": "改过的名称"})
    assert api.get(f"/api/v1/activities/{approved.public_code}/").json()["name"] == "节水科普进社区"


# --- 点赞, 收藏 -----------------------------------------------------------------------------------


def test_like_and_favourite_are_idempotent_put_and_delete(member_api, member_site, approved, member):
    url = f"/api/v1/activities/{approved.public_code}/like/"
    for _ in range(2):
        answer = member_api.put(url)
        assert answer.status_code == 200 and answer.json()["active"] is True
        assert answer.json()["counts"]["likes"] == 1
    state = member_api.get(f"/api/v1/activities/{approved.public_code}/me/").json()
    assert state["liked"] is True and state["favorited"] is False
    site = member_site.post(f"/a/{approved.public_code}/like/", {"on": "1"}, **XHR).json()
    assert site["counts"]["likes"] == 1  # the site sees the API's like, and adds none
    for _ in range(2):
        assert member_api.delete(url).json()["counts"]["likes"] == 0
    approved.refresh_from_db()
    assert (Like.objects.count(), approved.like_count) == (0, 0)
    fav = member_api.put(f"/api/v1/activities/{approved.public_code}/favorite/").json()
    assert fav["active"] and fav["detail"] == "已收藏" and fav["counts"]["favorites"] == 1


def test_actions_need_an_account_and_a_public_activity(api, member_api, organiser):
    pending = make_activity(organiser, status="pending")
    assert member_api.put(f"/api/v1/activities/{pending.public_code}/like/").status_code == 404
    approved = make_activity(organiser, status="approved", name="另一个")
    visitor = api.put(f"/api/v1/activities/{approved.public_code}/like/")
    assert visitor.status_code == 401
    assert visitor.json() == {"code": "not_authenticated", "detail": "请先登录", "fields": {}}


# --- 打卡 ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("instant", "ok", "message"),
    [
        (START - TICK, False, "打卡将于 9月15日 09:30 开放"),
        (START, True, "打卡成功"),
        (datetime(2020, 9, 16, tzinfo=SHANGHAI) - TICK, True, "打卡成功"),
        (datetime(2020, 9, 16, tzinfo=SHANGHAI), False, "活动已于 9月15日 结束，打卡已关闭"),
    ],
    ids=["before the start", "at the start", "23:59:59.999999", "00:00"],
)
def test_check_in_window_gives_the_sites_outcome_and_words(
    member_api, member_site, approved, time_machine, instant, ok, message
):
    time_machine.move_to(instant, tick=False)
    answer = member_api.put(f"/api/v1/activities/{approved.public_code}/checkin/")
    site = member_site.post(f"/a/{approved.public_code}/checkin/", **XHR).json()
    if ok:
        assert answer.status_code == 200 and answer.json()["detail"] == message
        assert site["message"] == "您已打卡"  # the API's check-in holds on the site
    else:
        assert answer.status_code == 403
        assert answer.json()["code"] == ("window_not_open" if instant < START else "window_closed")
        assert answer.json()["detail"] == message == site["message"]
    assert CheckIn.objects.count() == (1 if ok else 0)


def test_a_second_check_in_is_counted_once_and_cannot_be_undone(member_api, approved, during):
    url = f"/api/v1/activities/{approved.public_code}/checkin/"
    assert member_api.put(url).json()["detail"] == "打卡成功"
    again = member_api.put(url)
    assert again.status_code == 200 and again.json() == {
        "active": True,
        "detail": "您已打卡",
        "counts": {"checkins": 1, "likes": 0, "favorites": 0, "comments": 0},
    }
    assert member_api.delete(url).status_code == 405
    approved.refresh_from_db()
    assert (CheckIn.objects.count(), approved.checkin_count) == (1, 1)


# --- 评论 ----------------------------------------------------------------------------------------


def test_comments_at_500_and_501_characters_as_on_the_site(member_api, member_site, approved):
    url = f"/api/v1/activities/{approved.public_code}/comments/"
    long = member_api.post(url, {"text": "长" * 501})
    site = member_site.post(f"/a/{approved.public_code}/comments/", {"text": "长" * 501}, **XHR).json()
    assert long.status_code == 422 and long.json()["detail"] == "评论不能超过 500 个字" == site["message"]
    blank = member_api.post(url, {"text": "  "})
    assert blank.status_code == 422 and blank.json()["detail"] == "请输入评论内容"
    made = member_api.post(url, {"text": "长" * 500})
    assert made.status_code == 201 and made.json()["author"] == "137****7000"
    member_api.post(url, {"text": "<script>alert(1)</script>很好"})
    listed = member_api.get(url).json()["results"]
    assert [c["text"] for c in listed] == [
        "<script>alert(1)</script>很好",
        "长" * 500,
    ]  # JSON: the text as typed
    approved.refresh_from_db()
    assert approved.comment_count == 2


def test_the_author_deletes_their_comment_others_cannot(member_api, approved, member):
    mine = services.add_comment(user=member, activity=approved, text="我的")
    theirs = services.add_comment(user=UserFactory(), activity=approved, text="别人的")
    base = f"/api/v1/activities/{approved.public_code}/comments"
    refused = member_api.delete(f"{base}/{theirs.pk}/")
    assert refused.status_code == 404 and refused.json()["detail"] == "只能删除自己的评论"
    assert member_api.delete(f"{base}/{mine.pk}/").status_code == 204
    mine.refresh_from_db()
    assert mine.deleted_at is not None  # kept, for admins to restore
    assert member_api.delete(f"{base}/{mine.pk}/").status_code == 404


def test_the_organiser_and_reviewers_hide_comments_others_cannot(member_api, approved, organiser, member):
    target = services.add_comment(user=member, activity=approved, text="广告")
    url = f"/api/v1/activities/{approved.public_code}/comments/{target.pk}/hidden/"
    refused = member_api.put(url)
    assert refused.status_code == 403 and refused.json()["detail"] == "只有活动的发布单位和审核员可以隐藏评论"
    assert bearer(organiser).put(url).status_code == 204
    target.refresh_from_db()
    assert target.hidden_by == organiser
    reviewer = UserFactory()
    from directory.models import SupervisingUnit

    ReviewerRole.objects.create(user=reviewer, unit=SupervisingUnit.objects.get(short_name="保定市科协"))
    assert bearer(reviewer).delete(url).status_code == 204
    target.refresh_from_db()
    assert target.hidden_at is None


# --- 个人中心 and 消息 --------------------------------------------------------------------------


def test_my_lists_of_joined_liked_and_favourited(member_api, approved, organiser, during):
    other = make_activity(organiser, status="approved", name="另一个活动")
    member_api.put(f"/api/v1/activities/{approved.public_code}/checkin/")
    member_api.put(f"/api/v1/activities/{other.public_code}/like/")
    member_api.put(f"/api/v1/activities/{approved.public_code}/like/")
    assert [a["name"] for a in member_api.get("/api/v1/me/checkins/").json()["results"]] == ["节水科普进社区"]
    assert [a["name"] for a in member_api.get("/api/v1/me/likes/").json()["results"]] == [
        "节水科普进社区",
        "另一个活动",
    ]
    assert member_api.get("/api/v1/me/favorites/").json()["results"] == []


def test_messages_are_read_one_by_one_or_all(organiser):
    for n in range(3):
        Message.objects.create(
            recipient=organiser,
            kind="decision",
            key=f"k{n}",
            channel="site",
            title=f"审核结果{n}",
            body="",
            url="/center/",
        )
    Message.objects.create(
        recipient=UserFactory(), kind="decision", key="other", channel="site", title="别人的", body=""
    )
    api = bearer(organiser)
    assert api.get("/api/v1/messages/unread-count/").json() == {"unread": 3}
    listed = api.get("/api/v1/messages/").json()["results"]
    assert [m["title"] for m in listed] == ["审核结果2", "审核结果1", "审核结果0"]
    assert listed[0]["url"] == "http://127.0.0.1:8000/center/"
    assert api.post(f"/api/v1/messages/{listed[0]['id']}/read/").status_code == 204
    assert api.get("/api/v1/messages/unread-count/").json() == {"unread": 2}
    stranger = Message.objects.get(key="other")
    assert api.post(f"/api/v1/messages/{stranger.pk}/read/").status_code == 404
    assert api.post("/api/v1/messages/read-all/").status_code == 204
    assert api.get("/api/v1/messages/unread-count/").json() == {"unread": 0}


# --- the campaign and the directory ----------------------------------------------------------


def test_regions_and_units_for_the_report_form(api):
    regions = api.get("/api/v1/directory/regions/").json()
    assert len(regions) == 32 and sum(len(p["cities"]) for p in regions) == 449
    hebei = next(p for p in regions if p["code"] == "130000")
    assert {"code": "130600", "name": "保定市"} in hebei["cities"]
    units = api.get("/api/v1/directory/units/", {"type": "city", "region": "130600", "q": "bd"}).json()
    assert [u["short_name"] for u in units["results"]] == ["保定市科协"]


def test_the_campaign_is_404_before_any_opens(api, time_machine):
    time_machine.move_to(datetime(2019, 1, 1, tzinfo=SHANGHAI), tick=False)
    answer = api.get("/api/v1/campaign/")
    assert answer.status_code == 404 and answer.json()["detail"] == "当前没有科普日活动"


def test_v1_announces_its_sunset_once_configured(api, settings):
    assert "Sunset" not in api.get("/api/v1/campaign/")
    settings.API_V1_SUNSET = "2027-06-30"
    answer = api.get("/api/v1/campaign/")
    assert answer["Deprecation"] == "true"
    assert answer["Sunset"] == "Wed, 30 Jun 2027 16:00:00 GMT"  # the end of that day in Asia/Shanghai
    assert "Sunset" not in api.get("/activities/")  # the site's pages are not the API
