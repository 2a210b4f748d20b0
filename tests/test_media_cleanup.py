"""Files nothing shows any more leave the media storage, on disk and on S3 (``activities/files.py``).

Each test runs twice: with local files (``MEDIA_ROOT``) and with moto's S3 as a local server, set up
as ``tests/test_media_s3.py`` does. The organiser works through the site's pages; the sweep is
beat's task (``activities.tasks.delete_unused_files``); what is stored is asked of the storage.
"""

from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.test import Client

from activities import transitions
from activities.files import poster_names
from activities.models import Activity, ActivityChange, DiscardedFile, StagedPoster
from activities.tasks import delete_unused_files
from directory.models import SupervisingUnit
from kepuri.testing import free_port
from reviews.models import ReviewerRole
from tests.activities.conftest import REPORT_OPEN, image_file, report_data
from tests.activities.test_wizard import start
from tests.factories import UserFactory
from tests.support import text_of
from tests.test_media_s3 import bucket, s3_server, stored  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db

GRACE = timedelta(days=30)  # MEDIA_GRACE_DAYS's default
DRAFT = {"save_draft": "1", "submit": None}


@pytest.fixture(params=["local", "s3"])
def media(request, settings):
    """Where uploads go for this run: the bucket (its listing), or None for the test's MEDIA_ROOT."""
    assert settings.MEDIA_GRACE_DAYS == 30
    return request.getfixturevalue("bucket") if request.param == "s3" else None


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(REPORT_OPEN, tick=False)
    return time_machine


@pytest.fixture
def organiser_client():
    client = Client()
    client.force_login(UserFactory(phone="13800138000"))
    return client


@pytest.fixture
def reviewer():
    user = UserFactory(phone="13900000001")
    ReviewerRole.objects.create(user=user, unit=SupervisingUnit.objects.get(short_name="保定市科协"))
    return user


def present(names) -> set[str]:
    return {name for name in names if default_storage.exists(name)}


def sweep_at(clock, moment) -> dict:
    clock.move_to(moment, tick=False)
    return delete_unused_files.delay().get()


def test_a_staged_poster_goes_a_day_after_and_a_used_ones_files_at_the_next_sweep(
    media, clock, organiser_client
):
    url = start(organiser_client)
    organiser_client.post(url, report_data(poster=image_file("第一张.png"), name=""))
    used = StagedPoster.objects.get()
    used_files = poster_names(used)
    assert len(used_files) == 3 and present(used_files) == set(used_files)
    response = organiser_client.post(url, report_data(staged_poster=str(used.pk), **DRAFT))
    activity = Activity.objects.get()
    assert response.url == f"/activities/{activity.public_code}/edit/"
    shown = poster_names(activity)
    assert present(used_files) == set(used_files)  # copied, not yet swept

    # A second poster on a form left unfinished: staged, never used.
    edit = f"/activities/{activity.public_code}/edit/"
    organiser_client.post(edit, report_data(poster=image_file("第二张.png"), name="", **DRAFT))
    abandoned = StagedPoster.objects.get()
    abandoned_files = poster_names(abandoned)

    swept = sweep_at(clock, REPORT_OPEN)
    assert (swept["staged"], swept["discarded"], swept["files"]) == (0, 3, 3)
    assert present(used_files) == set()
    assert present(shown) == set(shown) and present(abandoned_files) == set(abandoned_files)

    assert sweep_at(clock, REPORT_OPEN + timedelta(days=1))["files"] == 0  # a day old: kept
    assert StagedPoster.objects.filter(pk=abandoned.pk).exists()
    swept = sweep_at(clock, REPORT_OPEN + timedelta(days=1, seconds=1))
    assert (swept["staged"], swept["files"]) == (1, 3)
    assert not StagedPoster.objects.exists() and present(abandoned_files) == set()
    assert present(shown) == set(shown)
    if media:
        assert stored(media) == set(shown)


def test_a_replaced_poster_goes_after_the_grace_period(media, clock, organiser_client):
    url = start(organiser_client)
    organiser_client.post(url, report_data(poster=image_file("旧的.png"), **DRAFT))
    activity = Activity.objects.get()
    old = poster_names(activity)
    organiser_client.post(
        f"/activities/{activity.public_code}/edit/", report_data(poster=image_file("新的.png"), **DRAFT)
    )
    activity.refresh_from_db()
    new = poster_names(activity)
    assert set(old).isdisjoint(new)
    assert set(DiscardedFile.objects.values_list("name", "reason")) == {(name, "replaced") for name in old}

    assert sweep_at(clock, REPORT_OPEN + GRACE - timedelta(seconds=1))["files"] == 0
    assert present(old) == set(old)
    swept = sweep_at(clock, REPORT_OPEN + GRACE)
    assert (swept["discarded"], swept["files"], swept["error"]) == (3, 3, "")
    assert present(old) == set() and present(new) == set(new)
    assert not DiscardedFile.objects.exists()
    if media:
        assert stored(media) == set(new)


def test_an_approved_change_replaces_the_poster_and_a_refused_ones_poster_goes(
    media, clock, organiser_client, reviewer
):
    url = start(organiser_client)
    organiser_client.post(url, report_data(poster=image_file("原图.png")))
    activity = Activity.objects.get()
    first = poster_names(activity)
    transitions.approve(activity=activity, by=reviewer)
    edit = f"/activities/{activity.public_code}/edit/"

    organiser_client.post(edit, report_data(poster=image_file("修改.png"), name="节水科普进社区（修改）"))
    transitions.approve(activity=activity, by=reviewer)
    activity.refresh_from_db()
    second = poster_names(activity)
    approved_change = ActivityChange.objects.get(status="approved")
    assert poster_names(approved_change) == second  # the activity and its approved change share it

    organiser_client.post(edit, report_data(poster=image_file("再改.png"), name="节水科普进社区（再改）"))
    refused_change = ActivityChange.objects.get(status="pending")
    refused = poster_names(refused_change)
    transitions.reject(activity=activity, by=reviewer, reason="宣传图不清晰")
    assert present(first + second + refused) == set(first + second + refused)

    swept = sweep_at(clock, REPORT_OPEN + GRACE)
    assert (swept["discarded"], swept["files"], swept["kept"]) == (6, 6, 0)
    assert present(first + refused) == set()
    assert present(second) == set(second)
    refused_change.refresh_from_db()
    assert poster_names(refused_change) == []  # nothing names a file that is gone
    assert poster_names(ActivityChange.objects.get(pk=approved_change.pk)) == second
    page = Client().get(f"/a/{activity.public_code}/")
    assert page.status_code == 200 and activity.poster_page.name in page.content.decode()


def test_a_deleted_activity_keeps_its_files_through_the_grace_period_then_loses_them(
    media, clock, organiser_client, reviewer
):
    url = start(organiser_client)
    organiser_client.post(url, report_data(poster=image_file("宣传图.png")))
    activity = Activity.objects.get()
    code = activity.public_code
    organiser_client.post(f"/activities/{code}/supplement/", {"photos": [image_file("现场.png")]})
    photo = activity.photos.get()
    transitions.approve(activity=activity, by=reviewer)
    files = [*poster_names(activity), photo.image.name, photo.image_list.name]
    assert present(files) == set(files)

    deleted_at = REPORT_OPEN + timedelta(days=2)
    clock.move_to(deleted_at, tick=False)
    assert organiser_client.post(f"/activities/{code}/delete/").status_code == 302

    assert sweep_at(clock, deleted_at + GRACE)["activities"] == 0  # 30 days to the second: kept
    assert present(files) == set(files)
    swept = sweep_at(clock, deleted_at + GRACE + timedelta(seconds=1))
    assert (swept["activities"], swept["files"]) == (1, 5)
    assert present(files) == set()
    if media:
        assert stored(media) == set()

    # The record stays, and an admin can still restore it: without its poster and photos.
    activity = Activity.all_objects.get(pk=activity.pk)
    assert (activity.name, poster_names(activity), activity.photos.count()) == ("节水科普进社区", [], 0)
    admin = Client()
    admin.force_login(UserFactory(is_staff=True, is_superuser=True))
    admin.post("/admin/activities/activity/", {"action": "restore", "_selected_action": [activity.pk]})
    page = Client().get(f"/a/{code}/")
    assert page.status_code == 200 and "节水科普进社区" in text_of(page)
    html = page.content.decode()
    assert 'alt="节水科普进社区的宣传图"' not in html and 'alt="活动图片1"' not in html
    assert sweep_at(clock, deleted_at + GRACE + timedelta(days=1))["files"] == 0


def test_a_restored_activity_keeps_its_files(media, clock, organiser_client):
    url = start(organiser_client)
    organiser_client.post(url, report_data(poster=image_file("宣传图.png")))
    activity = Activity.objects.get()
    files = poster_names(activity)
    organiser_client.post(f"/activities/{activity.public_code}/delete/")
    admin = Client()
    admin.force_login(UserFactory(is_staff=True, is_superuser=True))
    admin.post("/admin/activities/activity/", {"action": "restore", "_selected_action": [activity.pk]})
    assert sweep_at(clock, REPORT_OPEN + GRACE * 2)["files"] == 0
    assert present(files) == set(files)


def test_a_discarded_name_that_a_row_shows_again_is_kept(media, clock, organiser_client):
    url = start(organiser_client)
    organiser_client.post(url, report_data(poster=image_file("宣传图.png"), **DRAFT))
    activity = Activity.objects.get()
    files = poster_names(activity)
    DiscardedFile.objects.bulk_create(
        DiscardedFile(name=name, reason="replaced", delete_after=REPORT_OPEN) for name in files
    )  # e.g. an admin put a replaced poster back
    swept = sweep_at(clock, REPORT_OPEN)
    assert (swept["kept"], swept["files"]) == (3, 0)
    assert present(files) == set(files) and not DiscardedFile.objects.exists()


def test_a_bucket_that_fails_stops_the_sweep_and_the_next_one_deletes_what_is_left(
    bucket,  # noqa: F811
    clock,
    organiser_client,
    settings,
    caplog,
):
    url = start(organiser_client)
    organiser_client.post(url, report_data(poster=image_file("旧的.png"), **DRAFT))
    activity = Activity.objects.get()
    old = poster_names(activity)
    organiser_client.post(
        f"/activities/{activity.public_code}/edit/", report_data(poster=image_file("新的.png"), **DRAFT)
    )
    working = settings.STORAGES["default"]
    unreachable = f"http://127.0.0.1:{free_port()}"  # the bucket's service down
    options = {**working["OPTIONS"], "endpoint_url": unreachable}
    settings.STORAGES = {**settings.STORAGES, "default": {**working, "OPTIONS": options}}

    swept = sweep_at(clock, REPORT_OPEN + GRACE)
    assert swept["files"] == 0 and "Could not connect to the endpoint URL" in swept["error"]
    assert "the storage failed, the rest waits for the next sweep" in caplog.text
    assert DiscardedFile.objects.count() == 3

    settings.STORAGES = {**settings.STORAGES, "default": working}
    assert stored(bucket) >= set(old)
    swept = sweep_at(clock, REPORT_OPEN + GRACE)
    assert (swept["files"], swept["error"]) == (3, "")
    assert stored(bucket).isdisjoint(old) and not DiscardedFile.objects.exists()
