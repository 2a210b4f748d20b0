"""Anonymous visitors get the activity page and the list from a short server cache, with ETags.

The cache is let go when the activity changes (on commit, as in production:
``django_capture_on_commit_callbacks(execute=True)`` commits here).
"""

from datetime import datetime

import pytest
from django.core.cache import cache

from activities import transitions
from activities.models import ActivityPhoto
from directory.models import SupervisingUnit
from kepuri import microcache
from public import pagecache
from reviews.models import ReviewerRole
from reviews.services import set_hidden
from tests.factories import UserFactory, make_activity
from tests.support import SHANGHAI, text_of

pytestmark = pytest.mark.django_db
XHR = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}


def url(activity):
    return f"/a/{activity.public_code}/"


def test_a_visitor_gets_a_page_without_token_from_the_cache(client, approved, django_assert_num_queries):
    first = client.get(url(approved))
    html = first.content.decode()
    assert "csrfmiddlewaretoken" not in html and "csrftoken" not in first.cookies
    assert f'href="/accounts/login/?next=%2Fa%2F{approved.public_code}%2F%3Fdo%3Dlike%23actions"' in html
    with django_assert_num_queries(0):
        again = client.get(url(approved))
    assert again.content == first.content and again["ETag"] == first["ETag"]
    assert again["Cache-Control"] == "no-cache"


def test_a_phone_asking_again_with_the_etag_gets_304(client, approved):
    etag = client.get(url(approved))["ETag"]
    answer = client.get(url(approved), HTTP_IF_NONE_MATCH=etag)
    assert answer.status_code == 304 and answer.content == b"" and answer["ETag"] == etag
    assert client.get(url(approved), HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_a_like_shows_at_once_to_visitors(client, approved, member, django_capture_on_commit_callbacks):
    assert 'data-count="likes">0<' in client.get(url(approved)).content.decode()
    liker = type(client)()
    liker.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        liker.post(f"{url(approved)}like/", {"on": "1"}, **XHR)
    # The page is made again from the shell, which a like leaves alone: its comments are not rendered again.
    assert cache.get(pagecache.shell_key(approved.public_code)) is not None
    assert 'data-count="likes">1<' in client.get(url(approved)).content.decode()


def test_an_edit_and_a_hidden_photo_show_at_once(client, approved, django_capture_on_commit_callbacks):
    photo = ActivityPhoto.objects.create(activity=approved, image="activities/test/p.jpg",
                                         image_list="activities/test/p-list.jpg")  # fmt: skip
    assert "p-list.jpg" in client.get(url(approved)).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        approved.name = "节水科普进校园"
        approved.save()
    assert "节水科普进校园" in text_of(client.get(url(approved)))
    reviewer = UserFactory()
    ReviewerRole.objects.create(user=reviewer, unit=SupervisingUnit.objects.get(short_name="河北省科协"))
    with django_capture_on_commit_callbacks(execute=True):
        set_hidden(photo, by=reviewer, hidden=True)
    assert "p-list.jpg" not in client.get(url(approved)).content.decode()


def test_without_a_commit_the_page_stays_as_cached(client, approved):
    """The cache follows committed data: a change still in its transaction is not shown to anyone."""
    client.get(url(approved))
    approved.name = "未提交的新名字"
    approved.save()
    assert "未提交的新名字" not in text_of(client.get(url(approved)))


def test_signed_in_readers_get_the_visitors_page_from_the_cache(
    client, approved, member, django_assert_num_queries
):
    first = client.get(url(approved))  # cached for every reader
    client.force_login(member)
    client.cookies["kepuri_reader"] = "1"  # as after the login that set it
    with django_assert_num_queries(0):  # not even the session: the user is not asked for
        again = client.get(url(approved))
    assert again.content == first.content


def test_a_reader_with_a_message_waiting_is_never_served_from_the_cache(client, approved, member):
    client.get(url(approved))  # cached for visitors
    client.force_login(member)
    client.post(f"{url(approved)}like/", {"on": "1"})  # a plain form: a message waits
    page = client.get(url(approved))
    assert "已点赞" in text_of(page) and "csrfmiddlewaretoken" in page.content.decode()
    client.logout()
    assert "已点赞" not in text_of(client.get(url(approved)))


def test_pages_with_parameters_are_rendered_each_time(client, approved, django_assert_max_num_queries):
    """Later pages of comments are read anew; the first page's shell is shared: only the counts are read."""
    client.get(url(approved), {"comments": "2"})
    with django_assert_max_num_queries(20) as captured:
        client.get(url(approved), {"comments": "2"})
    assert len(captured) > 0
    client.get(url(approved), {"comments": "1"})
    with django_assert_max_num_queries(1):
        assert client.get(url(approved), {"comments": "1"}).status_code == 200


def test_under_review_and_missing_pages_are_not_cached(client, organiser, django_capture_on_commit_callbacks):
    pending = make_activity(organiser, status="pending", name="审核中的活动")
    assert "活动审核中" in text_of(client.get(url(pending)))
    reviewer = UserFactory(is_superuser=True)
    with django_capture_on_commit_callbacks(execute=True):
        transitions.approve(activity=pending, by=reviewer, at=datetime(2020, 9, 2, tzinfo=SHANGHAI))
    assert "审核中的活动" in text_of(client.get(url(pending))) and "活动审核中" not in text_of(
        client.get(url(pending))
    )


def test_the_list_is_cached_until_an_activity_changes(client, organiser, django_capture_on_commit_callbacks,
                                                     django_assert_num_queries):  # fmt: skip
    make_activity(organiser, status="approved", name="第一场活动")
    assert "第一场活动" in text_of(client.get("/activities/"))
    with django_assert_num_queries(0):
        client.get("/activities/")
    with django_capture_on_commit_callbacks(execute=True):
        make_activity(organiser, status="approved", name="新通过的活动")
    assert "新通过的活动" in text_of(client.get("/activities/"))
    assert "csrfmiddlewaretoken" not in client.get("/activities/").content.decode()


def test_the_cache_lasts_at_most_its_ttl(client, approved, time_machine):
    time_machine.move_to(datetime(2020, 9, 10, tzinfo=SHANGHAI), tick=False)
    client.get(url(approved))
    if hasattr(cache, "ttl"):  # Redis keeps its own clock: read the expiry it was given
        assert 0 < cache.ttl(pagecache.activity_key(approved.public_code)[0]) <= pagecache.PAGE_TTL
        return
    approved.name = "静默改名"  # no commit reaches the cache: only time lets it go
    approved.save()
    time_machine.shift(pagecache.PAGE_TTL - 1)
    assert "静默改名" not in text_of(client.get(url(approved)))
    time_machine.shift(2)
    assert "静默改名" in text_of(client.get(url(approved)))


def test_a_cached_page_goes_when_check_in_opens_and_closes(client, approved, time_machine):
    """The visitor's 打卡 button turns on at 09:30:00 sharp and off at midnight after the last day."""
    key = pagecache.activity_key(approved.public_code)[0]
    time_machine.move_to(datetime(2020, 9, 15, 9, 29, tzinfo=SHANGHAI), tick=False)
    assert "do%3Dcheckin" not in client.get(url(approved)).content.decode()
    if hasattr(cache, "ttl"):  # Redis keeps its own clock: read the expiry it was given
        assert 0 < cache.ttl(key) <= 60
        return
    time_machine.shift(59)
    assert "do%3Dcheckin" not in client.get(url(approved)).content.decode()
    time_machine.shift(1)
    assert "do%3Dcheckin" in client.get(url(approved)).content.decode()
    time_machine.move_to(datetime(2020, 9, 15, 23, 59, 59, 999999, tzinfo=SHANGHAI), tick=False)
    cache.delete(key)
    assert "do%3Dcheckin" in client.get(url(approved)).content.decode()
    time_machine.shift(0.000001)
    assert "do%3Dcheckin" not in client.get(url(approved)).content.decode()


def test_a_page_rendered_before_a_change_and_stored_after_it_is_never_served(client, approved):
    """A rendering that began before a change (on another server) and is stored after it: the change
    moved the page's and the shell's generations on, so what it stores is under keys nobody reads."""
    code = approved.public_code
    page_key, generation = pagecache.activity_key(code)
    at, _ = microcache.get_current(page_key, generation)  # as a rendering begins
    old_shell_key = pagecache.shell_key(code)
    approved.name = "改过的名字"
    approved.save()
    pagecache.forget_activity(code)  # the change's commit
    stale = ('"stale"', "旧的页面".encode(), "text/html; charset=utf-8", True)
    microcache.set_current(page_key, at, stale, pagecache.PAGE_TTL)
    cache.set(old_shell_key, "旧的外壳", pagecache.PAGE_TTL)  # the late rendering lands
    page = text_of(client.get(url(approved)))
    assert "改过的名字" in page and "旧的页面" not in page
