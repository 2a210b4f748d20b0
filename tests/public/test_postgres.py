"""On PostgreSQL: the keyword index, and likes under concurrent clicks."""

import pytest
from django.db import connection

from activities import search
from activities.models import Activity
from public import services
from public.models import Like
from tests.factories import UserFactory, make_activity
from tests.support import race

pytestmark = pytest.mark.services


@pytest.mark.django_db
def test_search_finds_two_character_words_and_hosts_with_the_index(postgres, organiser):
    make_activity(organiser, status="approved", name="节水科普进社区", hosts=["保定市水利局"])
    make_activity(organiser, status="approved", name="天文观测之夜", hosts=["石家庄市天文学会"])
    found = Activity.objects.filter(search.matches("节水")).values_list("name", flat=True)
    assert list(found) == ["节水科普进社区"]
    assert list(Activity.objects.filter(search.matches("水利")).values_list("name", flat=True)) == [
        "节水科普进社区"
    ]
    assert list(Activity.objects.filter(search.matches("天文学会")).values_list("name", flat=True)) == [
        "天文观测之夜"
    ]
    assert not Activity.objects.filter(search.matches("水天")).exists()

    sql, params = Activity.objects.filter(search.matches("节水")).only("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a small table: ask whether the index can serve
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "activity_search_pairs" in plan, plan


@pytest.mark.django_db(transaction=True)
def test_fifty_users_like_at_once(postgres, organiser):
    activity = make_activity(organiser, status="approved")
    users = [UserFactory() for _ in range(50)]
    race(*[lambda user=user: services.set_like(user=user, activity=activity, on=True) for user in users])
    activity.refresh_from_db()
    assert (activity.like_count, Like.objects.count()) == (50, 50)


@pytest.mark.django_db(transaction=True)
def test_one_user_liking_twice_at_once_likes_once(postgres, organiser, member):
    activity = make_activity(organiser, status="approved")
    race(*[lambda: services.set_like(user=member, activity=activity, on=True)] * 2)
    activity.refresh_from_db()
    assert (activity.like_count, Like.objects.count()) == (1, 1)


@pytest.mark.django_db(transaction=True)
def test_the_sign_in_sheet_sent_twice_at_once_comments_once(postgres, organiser, during):
    """A double tap on 同意协议并评论: two POSTs with one code race; one signs in and comments."""
    from django.test import Client

    from accounts.models import User
    from public.models import Comment
    from tests.support import last_code, request_code

    activity = make_activity(organiser, status="approved")
    phone = "13700137000"
    request_code(Client(), phone, "login")
    data = {"action": "comment", "phone": phone, "code": last_code(phone), "text": "扫码就能评论"}
    url = f"/a/{activity.public_code}/join/"
    answers = race(
        *[lambda: Client().post(url, data, HTTP_X_REQUESTED_WITH="XMLHttpRequest") for _ in range(2)]
    )
    assert sorted(answer.status_code for answer in answers) == [200, 400]
    activity.refresh_from_db()
    assert Comment.objects.count() == activity.comment_count == 1
    assert User.objects.filter(phone=phone).count() == 1
