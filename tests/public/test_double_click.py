"""打卡 and 评论 sent twice: a double click without JavaScript is answered as its first click; the same
comment sent again within minutes (a double click, a retry, the API) is stored once."""

from datetime import timedelta

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts import tokens
from public import services
from public.models import CheckIn, Comment
from tests.double_click import double_click, form_token
from tests.factories import UserFactory
from tests.support import race, text_of

pytestmark = pytest.mark.django_db
XHR = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}


def reader_page(client, activity, action):
    """The signed-in reader's own page (``?do=`` after 登录), whose forms work without JavaScript."""
    return client.get(f"/a/{activity.public_code}/", {"do": action})


def comments_of(activity):
    return list(Comment.objects.filter(activity=activity).values_list("text", flat=True))


# --- the form token --------------------------------------------------------------------------


def test_checking_in_twice_without_javascript_says_done_once(member_client, approved, during):
    token = form_token(reader_page(member_client, approved, "checkin"))

    first, second = double_click(member_client, f"/a/{approved.public_code}/checkin/", {"form_token": token})

    assert first.status_code == second.status_code == 302 and first.url == second.url
    approved.refresh_from_db()
    assert (CheckIn.objects.count(), approved.checkin_count) == (1, 1)
    page = text_of(member_client.get(second.url))
    assert page.count("打卡成功") == 1 and "您已打卡" not in page


def test_without_the_token_the_second_check_in_is_refused(member_client, approved, during):
    """What the token is for (and what a second tap of a page without it still says)."""
    first, second = double_click(member_client, f"/a/{approved.public_code}/checkin/", {})
    assert first.status_code == 302 and CheckIn.objects.count() == 1
    assert "您已打卡" in text_of(member_client.get(second.url))


def test_commenting_twice_without_javascript_stores_one_and_says_published_once(
    member_client, approved, django_capture_on_commit_callbacks
):
    token = form_token(reader_page(member_client, approved, "comment"))

    with django_capture_on_commit_callbacks(execute=True):  # the cached page goes once committed
        first, second = double_click(
            member_client, f"/a/{approved.public_code}/comments/", {"text": "讲得真好", "form_token": token}
        )

    assert first.status_code == second.status_code == 302
    assert comments_of(approved) == ["讲得真好"]
    approved.refresh_from_db()
    assert approved.comment_count == 1
    page = text_of(member_client.get(second.url))
    assert page.count("评论已发表") == 1 and page.count("讲得真好") == 1


def test_the_scripts_answer_gives_the_next_comment_a_new_token(member_client, approved):
    """The page's script posts the form and keeps it: the answer's token makes its next comment
    another submission, even with the same words after the first was deleted."""
    token = form_token(reader_page(member_client, approved, "comment"))
    url = f"/a/{approved.public_code}/comments/"
    answer = member_client.post(url, {"text": "好", "form_token": token}, **XHR).json()
    assert answer["ok"] is True and answer["form_token"] != token
    first = Comment.objects.get()
    member_client.post(f"{url}{first.pk}/delete/", **XHR)

    again = member_client.post(url, {"text": "好", "form_token": answer["form_token"]}, **XHR).json()

    assert again["ok"] is True and again["message"] == "评论已发表"
    shown = Comment.objects.visible().get()
    assert shown.pk != first.pk and f'data-comment="{shown.pk}"' in again["html"]
    assert again["counts"]["comments"] == 1


# --- the same comment again, by the service --------------------------------------------------


def test_the_same_words_again_within_ten_minutes_are_stored_once(member, approved, time_machine):
    time_machine.move_to(approved.starts_at, tick=False)
    first = services.add_comment(user=member, activity=approved, text="讲得真好")
    time_machine.shift(services.COMMENT_REPEAT_WINDOW - timedelta(microseconds=1))

    again = services.add_comment(user=member, activity=approved, text="  讲得真好 ")

    assert again.pk == first.pk and comments_of(approved) == ["讲得真好"]
    approved.refresh_from_db()
    assert approved.comment_count == 1
    time_machine.shift(timedelta(microseconds=1))  # ten minutes after the first: a new comment
    later = services.add_comment(user=member, activity=approved, text="讲得真好")
    assert later.pk != first.pk and Comment.objects.count() == 2


def test_other_words_another_reader_or_another_activity_are_new_comments(member, approved, organiser):
    from tests.factories import make_activity

    other_activity = make_activity(organiser, status="approved", name="天文观测之夜")
    services.add_comment(user=member, activity=approved, text="讲得真好")
    services.add_comment(user=member, activity=approved, text="讲得真好！")
    services.add_comment(user=UserFactory(), activity=approved, text="讲得真好")
    services.add_comment(user=member, activity=other_activity, text="讲得真好")
    assert Comment.objects.count() == 4


def test_a_deleted_or_hidden_comment_is_not_the_repeat(member, approved, organiser):
    deleted = services.add_comment(user=member, activity=approved, text="讲得真好")
    services.delete_comment(user=member, comment=deleted)
    hidden = services.add_comment(user=member, activity=approved, text="讲得真好")
    services.set_comment_hidden(user=organiser, comment=hidden, hidden=True)

    shown = services.add_comment(user=member, activity=approved, text="讲得真好")

    assert len({deleted.pk, hidden.pk, shown.pk}) == 3
    assert list(Comment.objects.visible().values_list("pk", flat=True)) == [shown.pk]


def test_the_site_and_the_api_answer_a_repeat_as_the_first(member, approved):
    site = Client()
    site.force_login(member)
    url = f"/a/{approved.public_code}/comments/"
    on_site = [site.post(url, {"text": "讲得真好"}, **XHR).json() for _ in range(2)]
    comment = Comment.objects.get()
    for answer in on_site:
        assert (answer["ok"], answer["message"], answer["counts"]["comments"]) == (True, "评论已发表", 1)
        assert f'data-comment="{comment.pk}"' in answer["html"] and "讲得真好" in answer["html"]

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens.issue(member, client='test').access}")
    api_url = f"/api/v1/activities/{approved.public_code}/comments/"
    answers = [api.post(api_url, {"text": "讲得真好"}, format="json") for _ in range(2)]
    assert [a.status_code for a in answers] == [201, 201]
    assert answers[0].json() == answers[1].json()
    assert answers[0].json()["id"] == Comment.objects.get().pk  # the site's comment: the same words
    approved.refresh_from_db()
    assert approved.comment_count == 1


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_the_same_comment_sent_twice_at_once_is_stored_once(postgres, member, approved):
    def send():
        return services.add_comment(user=member, activity=approved, text="讲得真好").pk

    for _ in range(3):  # a race is lost only sometimes: run it a few times
        Comment.objects.all().delete()
        first, second = race(send, send)
        assert first == second and Comment.objects.count() == 1
    approved.refresh_from_db()
    assert approved.comment_count == 3  # once per round (the rows deleted above are not uncounted)
