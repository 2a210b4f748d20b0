"""The database away or the media disk full: a 503 with Retry-After and what to do, in Chinese, in
the shape each caller reads (a page, the page's script, the API); not a 500, and nothing half done.
The database is made to fail at the driver (Django's execute_wrapper), the disk at the storage."""

import errno

import pytest
from django.core.files.storage import FileSystemStorage
from django.db import OperationalError, connection
from django.test import Client

from activities.models import Activity, StagedPoster
from tests.activities.conftest import REPORT_OPEN, image_file, report_data
from tests.activities.test_wizard import start
from tests.api.conftest import bearer
from tests.factories import UserFactory, make_activity, make_organiser
from tests.support import text_of

pytestmark = pytest.mark.django_db

AWAY = "服务暂时不可用，请稍后再试"
FULL = "存储空间暂时不足，上传的文件未能保存，请稍后再试"


def database_away(execute, sql, params, many, context):
    raise OperationalError("server closed the connection unexpectedly")


@pytest.fixture
def site():
    """A browser: what the server answers, not the test's exception."""
    return Client(raise_request_exception=False)


@pytest.fixture
def disk_full(monkeypatch):
    def full(self, name, content):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(FileSystemStorage, "_save", full)


def test_a_page_read_while_the_database_is_away_says_so_and_reloads_itself(site):
    with connection.execute_wrapper(database_away):
        response = site.get("/activities/")
    assert response.status_code == 503
    assert response["Retry-After"] == "10" and response["Cache-Control"] == "no-store"
    page = response.content.decode()
    assert '<meta http-equiv="refresh" content="10">' in page
    assert f"{AWAY}。本页将在 10 秒后自动刷新。" in text_of(response)
    assert "<title>服务暂时不可用 - 全国科普日</title>" in page
    # Back, the same page answers.
    assert site.get("/activities/").status_code == 200


def test_a_form_sent_while_the_database_is_away_is_not_repeated_by_the_page(site):
    with connection.execute_wrapper(database_away):
        response = site.post("/accounts/login/", {"phone": "13800138000", "password": "x"})
    assert response.status_code == 503 and response["Retry-After"] == "10"
    assert "http-equiv" not in response.content.decode()
    assert f"{AWAY}。请稍后返回上一页重新提交，已填写的内容仍保留在上一页中。" in text_of(response)


def test_a_tap_while_the_database_is_away_gets_the_scripts_answer(site):
    activity = make_activity(make_organiser(), status="approved")
    site.force_login(UserFactory())
    url, xhr = f"/a/{activity.public_code}/like/", {"X-Requested-With": "XMLHttpRequest"}
    assert site.post(url, {"on": "1"}, headers=xhr).json()["counts"]["likes"] == 1
    with connection.execute_wrapper(database_away):
        response = site.post(url, {"on": "0"}, headers=xhr)
    assert response.status_code == 503 and response["Retry-After"] == "10"
    assert response.json() == {"ok": False, "message": AWAY, "retry_after": 10}
    activity.refresh_from_db()
    assert activity.like_count == 1
    # The tap sent again when it is back (activity-actions.js) is done once.
    again = site.post(url, {"on": "0"}, headers=xhr)
    assert again.status_code == 200 and again.json()["counts"]["likes"] == 0


def test_the_api_answers_its_error_shape_with_code_unavailable():
    api = bearer(make_organiser())
    api.raise_request_exception = False
    with connection.execute_wrapper(database_away):
        public = api.get("/api/v1/activities/")
        own = api.get("/api/v1/my/activities/")
    for response in (public, own):
        assert response.status_code == 503 and response["Retry-After"] == "10"
        assert response.json() == {"code": "unavailable", "detail": AWAY, "fields": {}, "retry_after": 10}


def test_a_poster_on_a_full_disk_is_a_503_and_nothing_is_stored(site, disk_full, time_machine):
    time_machine.move_to(REPORT_OPEN, tick=False)
    organiser = make_organiser(phone="13800138000")
    site.force_login(organiser)
    response = site.post(start(site), report_data(poster=image_file()))
    assert response.status_code == 503 and response["Retry-After"] == "60"
    assert FULL in text_of(response)
    assert not Activity.objects.exists()

    api = bearer(organiser)
    api.raise_request_exception = False
    answer = api.post("/api/v1/my/posters/", {"poster": image_file()}, format="multipart")
    assert answer.status_code == 503 and answer["Retry-After"] == "60"
    assert answer.json() == {"code": "unavailable", "detail": FULL, "fields": {}, "retry_after": 60}
    assert not StagedPoster.objects.exists()


def test_any_other_failure_is_still_a_500(site, monkeypatch, time_machine):
    """Not a part away for a moment (a folder the server may not write): a defect, Django's 500."""

    def forbidden(self, name, content):
        raise OSError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(FileSystemStorage, "_save", forbidden)
    time_machine.move_to(REPORT_OPEN, tick=False)
    site.force_login(make_organiser(phone="13800138000"))
    response = site.post(start(site), report_data(poster=image_file()))
    assert response.status_code == 500 and "Retry-After" not in response
    assert "服务器开小差了" in text_of(response)
