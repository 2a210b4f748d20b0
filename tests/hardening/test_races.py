"""Requests that arrive together, on PostgreSQL: one effect each, no duplicates, no lost updates.

Each race releases its requests at one moment (``tests.support.race``). The
organiser's double clicks go through two test clients that share one session,
as the two requests of one browser; the reviewers' and the public's through the
services their views call, with the objects as their pages read them. The clock
stands on 2020-09-15 10:00: the 2020 report, supplement and summary windows are
open and the sample activity (09:30–11:30) takes check-ins.

Where the order in which the racers reach the database decides the outcome, a
test races a few times, or several pairs at once, rather than being
parametrized: every transactional test costs a flush of the database.
Two reviewers deciding a new activity at once: ``tests/reviews/test_concurrency.py``;
likes: ``tests/public/test_postgres.py``.
"""

import uuid
from datetime import date, datetime

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.test import Client
from django.urls import reverse

from activities import services, transitions
from activities.deadlines import Window
from activities.models import Activity, ActivityChange, ReviewDecision
from activities.reports import Report
from activities.services import ActivityError
from notifications.models import Message
from public import services as public
from public.models import CheckIn, Comment, Favorite
from reviews import services as reviews
from reviews.models import Recommendation
from summaries.models import ActivitySummary
from tests.activities.conftest import image_file, report_data
from tests.factories import UserFactory, make_activity, make_change, make_organiser
from tests.reviews.conftest import reviewer, unit
from tests.support import SHANGHAI, race, text_of

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

# The report, supplement and summary windows are open; the sample activity runs 09:30–11:30.
DURING = datetime(2020, 9, 15, 10, 0, tzinfo=SHANGHAI)
VISITORS = 30


@pytest.fixture(autouse=True)
def during(postgres, clock):
    clock.move_to(DURING, tick=False)


@pytest.fixture
def organiser():
    return make_organiser(phone="13800138000")


@pytest.fixture
def city(organiser):
    """A reviewer of 保定市科协, which the sample activities belong to."""
    return reviewer("保定市科协", "13900000001")


@pytest.fixture
def one_session(organiser):
    """Two clients on one session of the organiser: the two requests of a double click."""
    first, second = Client(), Client()
    first.force_login(organiser)
    second.cookies[settings.SESSION_COOKIE_NAME] = first.cookies[settings.SESSION_COOKIE_NAME].value
    return first, second


def double_click(one_session, url, data):
    """Post ``data()`` to ``url`` from both clients at once (each gets its own copy of any file)."""
    for client in one_session:  # messages of an earlier click, never shown, are not this click's
        client.cookies.pop(CookieStorage.cookie_name, None)
    return race(*(lambda client=client: client.post(url, data()) for client in one_session))


def told(response) -> str:
    """What the response tells the user: its messages and, for a page, the page's text."""
    said = [str(message) for message in get_messages(response.wsgi_request)]
    if response.status_code == 200:
        said.append(text_of(response))
    return " ".join(said)


def the_loser(responses, success: str):
    """Of two responses, the one that did not report ``success``; fails unless exactly one did."""
    won = [r for r in responses if r.status_code == 302 and told(r) == success]
    assert len(won) == 1, [(r.status_code, told(r)[:300]) for r in responses]
    return next(r for r in responses if r is not won[0])


# --- 发布活动 and 用户中心: the organiser's double clicks ------------------------------------------


def test_double_click_on_submitting_a_new_report_makes_one_activity(one_session):
    for _ in range(3):
        token = uuid.uuid4()
        url = f"{reverse('activities:report_new')}?token={token}"
        responses = double_click(one_session, url, lambda: report_data(poster=image_file()))
        activity = Activity.objects.get(creation_token=token)
        supplement = reverse("activities:supplement", args=[activity.public_code])
        # The second click lands where the first did, with the same message.
        assert [(r.status_code, r.url, told(r)) for r in responses] == [
            (302, supplement, "活动已提交，等待审核")
        ] * 2
        assert activity.status == Activity.Status.PENDING
        assert list(activity.decisions.values_list("from_status", "to_status")) == [("draft", "pending")]
    assert (Activity.objects.count(), ReviewDecision.objects.count()) == (3, 3)
    assert Message.objects.count() == 0  # submitting tells nobody; reviewers learn it from their digest


def test_double_click_on_submitting_a_draft_submits_it_once(one_session, organiser):
    for n in range(2):
        draft = make_activity(organiser, status="draft")
        url = reverse("activities:edit", args=[draft.public_code])
        responses = double_click(one_session, url, lambda n=n: report_data(name=f"节水科普进社区（第{n}场）"))
        loser = the_loser(responses, "活动已提交，等待审核")
        assert "活动待审核，请等审核结果出来后再编辑" in told(loser)
        draft.refresh_from_db()
        assert (draft.status, draft.name) == (Activity.Status.PENDING, f"节水科普进社区（第{n}场）")
        assert list(draft.decisions.values_list("from_status", "to_status")) == [("draft", "pending")]


def test_double_click_on_submitting_a_change_files_one_change(one_session, organiser):
    for _ in range(3):
        approved = make_activity(organiser, status="approved")
        url = reverse("activities:edit", args=[approved.public_code])
        responses = double_click(one_session, url, lambda: report_data(name="节水科普进社区（第二场）"))
        loser = the_loser(responses, "修改已提交审核；审核通过前，公众看到的仍是已通过审核的版本")
        assert "修改待审核，请等审核结果出来后再编辑" in told(loser)
        change = approved.changes.get()
        assert (change.status, change.data["name"]) == (
            ActivityChange.Status.PENDING,
            "节水科普进社区（第二场）",
        )
        assert list(approved.decisions.values_list("change", "to_status")) == [(change.pk, "change_pending")]
        approved.refresh_from_db()  # the public still sees the approved version
        assert (approved.status, approved.name) == (Activity.Status.APPROVED, "节水科普进社区")


def test_double_click_on_the_supplement_saves_it_once(one_session, organiser):
    for _ in range(2):
        activity = make_activity(organiser, status="pending")
        url = reverse("activities:supplement", args=[activity.public_code])
        responses = double_click(
            one_session,
            url,
            lambda: {"photos": [image_file("现场.png")], "news_links": "https://news.example.org/jieshui"},
        )
        loser = the_loser(responses, "补充活动信息已保存")
        assert "活动信息已补充，不可修改" in told(loser)
        assert list(activity.links.values_list("kind", "url")) == [
            ("news", "https://news.example.org/jieshui")
        ]
        assert activity.photos.count() == 1
        activity.refresh_from_db()
        assert activity.supplemented_at == DURING


def test_double_click_on_the_summary_saves_one_summary(one_session, organiser):
    for participants in (120, 80):
        activity = make_activity(organiser, status="approved")
        url = reverse("summaries:edit", args=[activity.public_code])
        responses = double_click(
            one_session, url, lambda p=participants: {"text": "活动顺利举行。", "participants": p}
        )
        loser = the_loser(responses, "活动总结已提交")
        assert "活动总结已提交，不可修改" in told(loser)
        summary = ActivitySummary.objects.get(activity=activity)
        assert (summary.text, summary.participants) == ("活动顺利举行。", participants)
        activity.refresh_from_db()
        assert activity.summarized_at == DURING
    assert ActivitySummary.objects.count() == 2


def test_double_click_on_delete_deletes_once_without_an_error(one_session, organiser):
    for _ in range(3):
        activity = make_activity(organiser, status="approved")
        responses = double_click(one_session, reverse("activities:delete", args=[activity.public_code]), dict)
        # The second click finds the activity gone (404), or deleted under it: the same success then.
        success = (302, reverse("activities:user_center"), f"活动“{activity}”已删除")
        outcomes = sorted((r.status_code, getattr(r, "url", ""), told(r)) for r in responses)
        assert outcomes in ([success, success], [success, (404, "", "")])
        activity = Activity.all_objects.get(pk=activity.pk)
        assert (activity.deleted_by, activity.deleted_at) == (organiser, DURING)


# --- 审核: reviewers at once ------------------------------------------------------------------------


def test_two_reviewers_deciding_changes_at_once_make_one_decision_each(organiser, city):
    """Three changes waiting, each approved by one reviewer while another rejects it."""
    province = reviewer("河北省科协", "13900000002")
    activities = [make_activity(organiser, status="approved") for _ in range(3)]
    changes = [
        make_change(a, data=Report.of(a).to_json() | {"name": "节水科普进社区（第二场）"}) for a in activities
    ]
    calls = []
    for activity in activities:
        calls.append(lambda a=activity: transitions.approve(activity=a, by=city))
        calls.append(lambda a=activity: transitions.reject(activity=a, by=province, reason="同时审核"))
    results = race(*calls, expect=ActivityError)
    for activity, change, pair in zip(
        activities, changes, zip(results[::2], results[1::2], strict=True), strict=True
    ):
        decision, refusal = sorted(pair, key=lambda r: isinstance(r, ActivityError))
        assert isinstance(decision, ReviewDecision), pair
        assert refusal.message == "该活动没有待审核的内容，可能已被其他审核员处理"
        assert list(activity.decisions.values_list("change", "to_status")) == [
            (change.pk, decision.to_status)
        ]
        change.refresh_from_db()
        activity.refresh_from_db()
        status, name = {
            "approved": (ActivityChange.Status.APPROVED, "节水科普进社区（第二场）"),
            "change_rejected": (ActivityChange.Status.REJECTED, "节水科普进社区"),
        }[decision.to_status]
        assert (change.status, activity.name, activity.status) == (status, name, Activity.Status.APPROVED)
        assert activity.waiting_since is None
    assert Message.objects.filter(kind="decision").count() == 3 * 2  # one notice each: site and SMS


def test_approving_while_the_organiser_deletes_is_never_an_error(organiser, city):
    """Six activities, each approved and deleted at once: whichever comes first, the other copes."""
    activities = [make_activity(organiser, status="pending") for _ in range(6)]
    calls = []
    for activity in activities:
        calls.append(lambda a=activity: transitions.approve(activity=a, by=city))
        calls.append(lambda a=activity: services.delete_activity(activity=a, user=organiser))
    results = race(*calls, expect=ActivityError)
    for activity, approval in zip(activities, results[::2], strict=True):
        activity = Activity.all_objects.get(pk=activity.pk)
        assert activity.deleted_at == DURING
        if isinstance(approval, ActivityError):  # deleted first: nothing left to decide
            assert approval.message == "活动已删除"
            assert (activity.status, activity.decisions.count()) == (Activity.Status.PENDING, 0)
        else:
            assert (activity.status, activity.decisions.get()) == (Activity.Status.APPROVED, approval)


def test_double_clicks_on_extend_and_recommend_have_one_effect_each(organiser, city):
    """延期 and 推荐, each clicked twice at once, on three activities."""
    activities = [make_activity(organiser, status="approved") for _ in range(3)]

    def extend(activity):
        return reviews.grant_extension(
            activity=activity,
            by=city,
            window=Window.SUPPLEMENT,
            last_day=date(2020, 10, 20),
            reason="因台风延期",
        )

    def recommend(activity):
        return reviews.recommend(
            activity=activity, unit=unit("保定市科协"), by=city, kind="activity", note="特色鲜明"
        )

    calls = [
        call for a in activities for call in [lambda a=a: extend(a)] * 2 + [lambda a=a: recommend(a)] * 2
    ]
    results = race(*calls, expect=ActivityError)
    refusals = sorted(r.message for r in results if isinstance(r, ActivityError))
    assert refusals == ["已推荐过"] * 3 + ["延期日期须晚于现在的截止日期（2020年10月20日）"] * 3
    for activity in activities:
        assert list(activity.extensions.values_list("window", "last_day")) == [
            ("supplement", date(2020, 10, 20))
        ]
        assert Recommendation.objects.filter(activity=activity).count() == 1
    assert Message.objects.filter(kind="extension").count() == 3 * 2  # one notice each: site and SMS


# --- 打卡, 收藏, 评论: the public at once ------------------------------------------------------------

ACTIONS = {
    "checkin": (
        lambda user, activity: public.check_in(user=user, activity=activity),
        CheckIn,
        "checkin_count",
    ),
    "favorite": (
        lambda user, activity: public.set_favorite(user=user, activity=activity, on=True),
        Favorite,
        "favorite_count",
    ),
}


@pytest.mark.parametrize("action", ACTIONS)
def test_many_visitors_at_once_are_all_counted_and_a_double_tap_once(organiser, action):
    """Thirty visitors tap at once, one of them twice: thirty rows, a count of thirty."""
    act, model, counter = ACTIONS[action]
    activity = make_activity(organiser, status="approved")
    visitors = [UserFactory() for _ in range(VISITORS)]
    results = race(
        *(lambda user=user: act(user, activity) for user in visitors),
        lambda: act(visitors[0], activity),
        expect=public.ActionRefused,
    )
    activity.refresh_from_db()
    assert (getattr(activity, counter), model.objects.count()) == (VISITORS, VISITORS)
    assert set(model.objects.values_list("user", flat=True)) == {user.pk for user in visitors}
    refusals = [r.message for r in results if isinstance(r, public.ActionRefused)]
    assert refusals == (["您已打卡"] if action == "checkin" else [])  # a second 收藏 is a no-op


def test_favourites_taken_back_while_others_are_added_keep_the_count(organiser):
    activity = make_activity(organiser, status="approved")
    leaving, arriving = [UserFactory() for _ in range(15)], [UserFactory() for _ in range(15)]
    for user in leaving:
        public.set_favorite(user=user, activity=activity, on=True)
    race(
        *(lambda user=user: public.set_favorite(user=user, activity=activity, on=False) for user in leaving),
        *(lambda user=user: public.set_favorite(user=user, activity=activity, on=True) for user in arriving),
    )
    activity.refresh_from_db()
    assert set(Favorite.objects.values_list("user", flat=True)) == {user.pk for user in arriving}
    assert activity.favorite_count == 15


def test_comments_at_once_are_all_counted_and_hidden_twice_at_once_uncounted_once(organiser, city):
    activity = make_activity(organiser, status="approved")
    visitors = [UserFactory() for _ in range(VISITORS)]
    race(
        *(
            lambda user=user: public.add_comment(user=user, activity=activity, text="很有收获")
            for user in visitors
        )
    )
    activity.refresh_from_db()
    assert (activity.comment_count, Comment.objects.visible().count()) == (VISITORS, VISITORS)

    comments = list(Comment.objects.select_related("activity")[:10])  # as the moderators' pages read them
    race(
        *(
            lambda c=c, by=by: public.set_comment_hidden(user=by, comment=c, hidden=True)
            for c in comments
            for by in (organiser, city)
        )
    )
    activity.refresh_from_db()
    assert (activity.comment_count, Comment.objects.visible().count()) == (VISITORS - 10, VISITORS - 10)


def test_a_comment_deleted_while_it_is_hidden_is_uncounted_once(organiser):
    """Eight comments, each deleted by its author while the organiser hides it, as their pages read it."""
    activity = make_activity(organiser, status="approved")
    author = UserFactory()
    comments = [public.add_comment(user=author, activity=activity, text=f"第{n}条") for n in range(8)]
    race(
        *(lambda c=c: public.delete_comment(user=author, comment=c) for c in comments),
        *(lambda c=c: public.set_comment_hidden(user=organiser, comment=c, hidden=True) for c in comments),
    )
    activity.refresh_from_db()
    assert (activity.comment_count, Comment.objects.visible().count()) == (0, 0)
    assert Comment.objects.filter(deleted_at__isnull=False).count() == 8
