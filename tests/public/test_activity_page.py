"""The activity page (the QR code's target): who sees what, the actions, comments, and a fixed query budget."""

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test import Client

from activities.models import ActivityLink, ActivityPhoto
from directory.models import SupervisingUnit
from notifications.models import Message
from public.models import CheckIn, Comment, Favorite, Like
from reviews.models import ReviewerRole
from tests.factories import UserFactory, make_activity, make_change
from tests.support import SHANGHAI, inline_code, text_of

pytestmark = pytest.mark.django_db
XHR = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}
TICK = timedelta(microseconds=1)


def page(client, activity, **params):
    return client.get(f"/a/{activity.public_code}/", params)


# --- visibility -------------------------------------------------------------------------


def test_an_approved_activity_shows_everything(client, approved):
    ActivityLink.objects.create(activity=approved, kind="news", url="https://news.example.org/shown")
    ActivityLink.objects.create(activity=approved, kind="news", url="https://news.example.org/hidden",
                                hidden_at=datetime(2020, 9, 1, tzinfo=SHANGHAI))  # fmt: skip
    text = text_of(page(client, approved))
    for shown in ("节水科普进社区", "2020年全国科普日活动", "2020-09-15 09:30–11:30", "河北省—保定市",
                  "保定市竞秀区示范社区", "https://live.example.org/jieshui", "保定市科学技术协会",
                  "保定市水利局，示范社区", "面向社区居民开展节水知识讲座", "https://news.example.org/shown",
                  "打卡", "点赞", "收藏", "评论"):  # fmt: skip
        assert shown in text, shown
    assert "news.example.org/hidden" not in text
    assert inline_code(page(client, approved).content.decode()) == []


def test_not_shown_is_reachable_but_not_listed(client, organiser):
    hidden = make_activity(organiser, status="approved", is_public=False, name="不展示的活动")
    assert page(client, hidden).status_code == 200
    assert "不展示的活动" not in text_of(client.get("/activities/"))


@pytest.mark.parametrize("status", ["pending", "rejected"])
def test_never_approved_shows_a_notice_and_no_details(client, organiser, status):
    activity = make_activity(organiser, status=status, name="秘密的名字", address="秘密的地址")
    text = text_of(page(client, activity))
    assert "活动审核中" in text and "秘密的地址" not in text


def test_a_waiting_change_is_not_public(client, approved):
    make_change(approved, data={"name": "还没通过的新名字"})
    text = text_of(page(client, approved))
    assert "节水科普进社区" in text and "还没通过的新名字" not in text


def test_drafts_deleted_and_unknown_are_404(client, organiser):
    draft = make_activity(organiser, status="draft")
    deleted = make_activity(organiser, status="approved", deleted_at=datetime(2020, 9, 1, tzinfo=SHANGHAI))
    assert page(client, draft).status_code == 404
    assert page(client, deleted).status_code == 404
    assert client.get("/a/zzzzzzzz/").status_code == 404


def test_its_organiser_and_reviewers_see_a_marked_preview(client, organiser):
    activity = make_activity(
        organiser,
        status="pending",
        name="预览中的活动",
        owner_unit=SupervisingUnit.objects.get(short_name="保定市科协"),
    )
    client.force_login(organiser)
    text = text_of(page(client, activity))
    assert "预览" in text and "预览中的活动" in text and "保定市竞秀区示范社区" in text
    reviewer = UserFactory()
    ReviewerRole.objects.create(user=reviewer, unit=SupervisingUnit.objects.get(short_name="河北省科协"))
    client.force_login(reviewer)
    assert "预览" in text_of(page(client, activity))
    client.force_login(UserFactory())
    assert "活动审核中" in text_of(page(client, activity))


# --- 点赞 / 收藏 ---------------------------------------------------------------------------


def test_like_is_a_toggle_and_idempotent(member_client, approved):
    url = f"/a/{approved.public_code}/like/"
    assert member_client.post(url, {"on": "1"}, **XHR).json()["counts"]["likes"] == 1
    assert member_client.post(url, {"on": "1"}, **XHR).json()["counts"]["likes"] == 1  # a double click
    assert Like.objects.count() == 1
    answer = member_client.post(url, {"on": "0"}, **XHR).json()
    assert (answer["active"], answer["counts"]["likes"]) == (False, 0)
    assert member_client.post(url, {"on": "0"}, **XHR).json()["counts"]["likes"] == 0


def test_favorite_and_the_plain_form(member_client, approved):
    response = member_client.post(f"/a/{approved.public_code}/favorite/", {"on": "1"})
    assert response.status_code == 302 and response.url.endswith("#actions")
    assert Favorite.objects.get().activity == approved
    approved.refresh_from_db()
    assert approved.favorite_count == 1
    assert "已收藏" in text_of(page(member_client, approved))


def test_a_visitor_is_sent_to_login_and_back_with_the_action_ready(client, approved, member):
    response = client.post(f"/a/{approved.public_code}/like/", {"on": "1"})
    back = f"/a/{approved.public_code}/?do=like#actions"
    assert (
        response.url
        == f"/accounts/login/?next={back.replace('?', '%3F').replace('=', '%3D').replace('#', '%23')}"
    )
    answer = client.post(f"/a/{approved.public_code}/like/", {"on": "1"}, **XHR)
    assert answer.status_code == 401 and answer.json()["login"].startswith("/accounts/login/?next=")
    client.force_login(member)
    assert "已登录，点击下方按钮即可点赞" in text_of(
        client.get(f"/a/{approved.public_code}/", {"do": "like"})
    )
    assert not Like.objects.exists()


def test_an_activity_under_review_takes_no_likes(member_client, organiser):
    pending = make_activity(organiser, status="pending")
    assert member_client.post(f"/a/{pending.public_code}/like/", {"on": "1"}).status_code == 404


# --- 打卡 -----------------------------------------------------------------------------------


def test_check_in_from_the_start_to_the_end_of_the_last_day(member_client, approved, time_machine):
    url = f"/a/{approved.public_code}/checkin/"
    start = datetime(2020, 9, 15, 9, 30, tzinfo=SHANGHAI)
    time_machine.move_to(start - TICK, tick=False)
    answer = member_client.post(url, **XHR).json()
    assert answer == {**answer, "ok": False, "message": "打卡将于 9月15日 09:30 开放"}
    assert "打卡将于 9月15日 09:30 开放" in text_of(page(member_client, approved))
    time_machine.move_to(datetime(2020, 9, 16, tzinfo=SHANGHAI), tick=False)  # past the end of the last day
    assert member_client.post(url, **XHR).json()["message"] == "活动已于 9月15日 结束，打卡已关闭"
    time_machine.move_to(datetime(2020, 9, 16, tzinfo=SHANGHAI) - TICK, tick=False)  # 23:59:59.999999
    assert member_client.post(url, **XHR).json()["ok"] is True
    assert member_client.post(url, **XHR).json()["message"] == "您已打卡"
    approved.refresh_from_db()
    assert (CheckIn.objects.count(), approved.checkin_count) == (1, 1)
    time_machine.move_to(start, tick=False)
    assert me(member_client, approved)["checked_in"] is True
    assert "已打卡" in text_of(page(member_client, approved, do="checkin"))


# --- 评论 -----------------------------------------------------------------------------------


def comment(client, activity, text):
    return client.post(f"/a/{activity.public_code}/comments/", {"text": text}, **XHR)


def test_comments_are_limited_escaped_and_newest_first(
    member_client, approved, django_assert_max_num_queries
):
    assert comment(member_client, approved, "  ").json()["message"] == "请输入评论内容"
    assert comment(member_client, approved, "长" * 501).json()["message"] == "评论不能超过 500 个字"
    assert comment(member_client, approved, "长" * 500).json()["ok"] is True
    # user, activity, the same text just sent?, insert, count (+ savepoint; + the reader's lock on
    # PostgreSQL): the answer reads nothing
    with django_assert_max_num_queries(8 if connection.vendor == "postgresql" else 7):
        answer = comment(member_client, approved, "<script>alert(1)</script>很好").json()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;很好" in answer["html"] and "删除" in answer["html"]
    html = page(member_client, approved).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert html.index("很好") < html.index("长" * 500)
    assert answer["counts"]["comments"] == 2


def test_comments_page_by_twenty(client, approved, member):
    Comment.objects.bulk_create(
        Comment(activity=approved, author=member, text=f"第{n:02d}条") for n in range(25)
    )
    first = text_of(page(client, approved))
    assert "第24条" in first and "第04条" not in first
    assert "第04条" in text_of(page(client, approved, comments=2))


def test_the_author_deletes_their_own(member_client, approved):
    created = Comment.objects.get(pk=_comment_id(comment(member_client, approved, "删掉我")))
    client = Client()
    client.force_login(UserFactory())
    assert (
        client.post(f"/a/{approved.public_code}/comments/{created.pk}/delete/", **XHR).json()["message"]
        == "只能删除自己的评论"
    )
    answer = member_client.post(f"/a/{approved.public_code}/comments/{created.pk}/delete/", **XHR).json()
    assert answer["counts"]["comments"] == 0
    created.refresh_from_db()
    assert created.deleted_at is not None  # kept, not shown


def _comment_id(response):
    return int(response.json()["html"].split('data-comment="')[1].split('"')[0])


def test_the_organiser_and_reviewers_hide_comments_visitors_cannot(
    member_client, approved, organiser, client
):
    created = Comment.objects.get(pk=_comment_id(comment(member_client, approved, "广告")))
    url = f"/a/{approved.public_code}/comments/{created.pk}/hide/"
    assert member_client.post(url, **XHR).json()["message"] == "只有活动的发布单位和审核员可以隐藏评论"
    client.force_login(organiser)
    assert client.post(url, **XHR).json()["counts"]["comments"] == 0
    assert "广告" not in text_of(page(client, approved))
    created.refresh_from_db()
    assert created.hidden_by == organiser
    assert client.post(url, {"hidden": "0"}, **XHR).json()["counts"]["comments"] == 1


# --- a logged-in reader's page: the shared shell, their own parts ---------------------------------


def _tools(html, comment, tool):
    return f'action="/a/{comment.activity.public_code}/comments/{comment.pk}/{tool}/"' in html


def me(client, activity):
    """/a/<code>/me: what is the reader's own on the shared page."""
    response = client.get(f"/a/{activity.public_code}/me")
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    return response.json()


def test_the_page_is_the_same_for_visitors_and_readers(client, approved, member, organiser):
    mine = Comment.objects.create(activity=approved, author=member, text="我的评论")
    Like.objects.create(activity=approved, user=member)
    visitors = page(client, approved).content
    for reader in (member, organiser, UserFactory(is_superuser=True, is_staff=True)):
        client.force_login(reader)
        assert page(client, approved).content == visitors
    html = visitors.decode()
    assert (
        "csrfmiddlewaretoken" not in html
        and not _tools(html, mine, "delete")
        and not _tools(html, mine, "hide")
    )
    assert "已点赞" not in text_of(page(client, approved))


def test_each_reader_gets_their_own_parts_from_me(client, approved, member, organiser):
    theirs = Comment.objects.create(activity=approved, author=UserFactory(), text="别人的评论")
    mine = Comment.objects.create(activity=approved, author=member, text="我的评论")
    Like.objects.create(activity=approved, user=member)
    Message.objects.create(
        recipient=member, kind="review_result", key="k1", channel="site", title="审核结果", body=""
    )
    visitor = me(client, approved)
    assert (
        visitor["signed_in"] is False
        and visitor["csrf_token"]
        and set(visitor) == {"signed_in", "csrf_token"}
    )

    client.force_login(member)
    answer = me(client, approved)
    assert answer["liked"] is True and answer["favorited"] is False and answer["checked_in"] is False
    assert answer["own_comments"] == [mine.pk] and answer["moderates"] is False
    assert answer["header"] == {"phone": "137****7000", "unread": 1, "reviews": False, "staff": False}

    client.force_login(organiser)
    answer = me(client, approved)
    assert answer["liked"] is False and answer["own_comments"] == [] and answer["moderates"] is True

    reviewer = UserFactory()
    ReviewerRole.objects.create(user=reviewer, unit=SupervisingUnit.objects.get(short_name="河北省科协"))
    client.force_login(reviewer)
    answer = me(client, approved)
    assert answer["moderates"] is True and answer["header"]["reviews"] is True

    client.force_login(UserFactory())
    answer = me(client, approved)
    assert answer["moderates"] is False and answer["header"]["reviews"] is False
    assert theirs.pk not in answer["own_comments"]


def test_me_is_only_for_a_public_activity(client, organiser, member):
    pending = make_activity(organiser, status="pending")
    client.force_login(member)
    assert client.get(f"/a/{pending.public_code}/me").status_code == 404
    assert client.get("/a/nosuchco/me").status_code == 404


def test_without_javascript_a_readers_page_after_an_action_is_their_own(member_client, approved):
    """The plain form's answer leaves a message, and a page with a message is made for its reader."""
    member_client.post(f"/a/{approved.public_code}/like/", {"on": "1"})
    response = page(member_client, approved)
    assert 'aria-pressed="true"' in response.content.decode() and "已点赞" in text_of(response)
    assert "csrfmiddlewaretoken" in response.content.decode()
    assert "已点赞" not in text_of(page(member_client, approved))  # the message read: the shared page again


def test_a_query_gives_the_reader_their_own_page(member_client, approved, member):
    mine = Comment.objects.create(activity=approved, author=member, text="我的评论")
    html = page(member_client, approved, do="like").content.decode()
    assert _tools(html, mine, "delete") and "csrfmiddlewaretoken" in html


def test_a_slot_marker_typed_in_a_comment_stays_text(member_client, approved):
    comment(member_client, approved, "<!--slot:actions--><!--slot:tools:1-->")
    html = page(member_client, approved, do="comment").content.decode()
    assert "&lt;!--slot:actions--&gt;" in html and html.count('data-action="checkin"') == 1


def test_a_readers_comment_and_like_show_at_once_to_others(
    client, approved, member, django_capture_on_commit_callbacks
):
    reader = Client()
    reader.force_login(UserFactory())
    assert "还没有评论" in text_of(page(reader, approved))
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        comment(client, approved, "现场很热闹")
        client.post(f"/a/{approved.public_code}/like/", {"on": "1"}, **XHR)
    text = text_of(page(reader, approved))
    assert "现场很热闹" in text and "点赞 1" in text


# --- query budget ----------------------------------------------------------------------------


@pytest.mark.parametrize("many", [1, 200])
def test_the_page_runs_a_fixed_number_of_queries(
    member_client, approved, member, many, django_assert_max_num_queries
):
    users = [UserFactory() for _ in range(min(many, 20))]
    Comment.objects.bulk_create(
        Comment(activity=approved, author=users[n % len(users)], text=f"评论{n}") for n in range(many)
    )
    Like.objects.bulk_create(Like(activity=approved, user=user) for user in users)
    ActivityPhoto.objects.bulk_create(
        ActivityPhoto(activity=approved, image=f"p{n}.jpg", image_list=f"p{n}-l.jpg", position=n)
        for n in range(min(many, 9))
    )
    Comment.objects.create(activity=approved, author=member, text="我的评论")
    member_client.get(f"/a/{approved.public_code}/")
    # The logged-in reader: their user, their state (with the header's), their comments on the page.
    with django_assert_max_num_queries(3):
        member_client.get(f"/a/{approved.public_code}/")


# --- /a/<code>/me checks the session on the account it reads in its one query -----------------


def test_me_costs_one_query_for_a_reader_and_one_more_with_a_comment_on_the_page(
    client, approved, member, django_assert_num_queries
):
    client.force_login(member)
    client.get(f"/a/{approved.public_code}/me")  # the session read once into the cache
    with django_assert_num_queries(1):
        assert me(client, approved)["signed_in"] is True
    Comment.objects.create(activity=approved, author=member, text="我的评论")
    with django_assert_num_queries(2):
        assert len(me(client, approved)["own_comments"]) == 1
    client.logout()
    with django_assert_num_queries(1):
        assert me(client, approved)["signed_in"] is False


def _changed_password(user):
    user.set_password("kepuri-Other-2021")
    user.save()


def _changed_phone(user):
    user.phone = "13700137999"
    user.save()


def _deactivated(user):
    user.is_active = False
    user.save()


def _deleted(user):
    user.delete()


@pytest.mark.parametrize("change", [_changed_password, _changed_phone, _deactivated, _deleted])
def test_me_says_signed_out_once_the_session_no_longer_holds(client, approved, member, change):
    """As request.user would: a password or phone changed elsewhere, an account stopped or gone."""
    client.force_login(member)
    assert me(client, approved)["signed_in"] is True
    change(member)
    answer = me(client, approved)
    assert answer["signed_in"] is False and "liked" not in answer and "header" not in answer
    # The next page that reads the user ends the session, as before.
    assert client.get("/accounts/me/").status_code == 302


def test_me_with_a_session_forged_without_its_hash_is_a_visitor(client, approved, member):
    client.force_login(member)
    session = client.session
    del session["_auth_user_hash"]
    session.save()
    assert me(client, approved)["signed_in"] is False


def test_me_under_a_fallback_secret_still_holds(client, approved, member, settings):
    """A session made before the secret key's rotation (the old key in SECRET_KEY_FALLBACKS)."""
    old = settings.SECRET_KEY
    client.force_login(member)
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "k" * 50, [old]
    assert me(client, approved)["signed_in"] is True


def test_me_with_a_session_naming_no_account_or_a_bad_id_is_a_visitor(client, approved, member):
    client.force_login(member)
    for value in (str(10**9), "not-a-number"):
        session = client.session
        session["_auth_user_id"] = value
        session.save()
        assert me(client, approved)["signed_in"] is False
        assert client.post(f"/a/{approved.public_code}/like/", {"on": "1"}).status_code == 302  # to 登录
    assert Like.objects.count() == 0


def test_the_poster_keeps_its_box_before_it_loads(client, organiser, caplog):
    """The 宣传图 carries its own width and height, so the facts below it never jump (layout shift);
    a file that cannot be read leaves the picture without them, and the page answers."""
    import io

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (900, 1280), "#2a6").save(buffer, "JPEG")
    name = default_storage.save("activities/box/poster-page.jpg", ContentFile(buffer.getvalue()))
    tall = make_activity(organiser, status="approved", poster_page=name)
    page = client.get(f"/a/{tall.public_code}/").content.decode()
    assert f'src="/media/{name}"' in page and 'width="900" height="1280"' in page

    missing = make_activity(organiser, status="approved", poster_page="activities/box/gone.jpg")
    response = client.get(f"/a/{missing.public_code}/")
    assert response.status_code == 200
    assert 'src="/media/activities/box/gone.jpg"' in response.content.decode()
    assert "No size for activities/box/gone.jpg" in caplog.text
