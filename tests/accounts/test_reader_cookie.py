"""The cookie that tells the shared pages' scripts whether to ask for the reader's own parts."""

import pytest

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

PHONE = "13800138000"


def test_logging_in_sets_it_and_logging_out_removes_it(client):
    UserFactory(phone=PHONE)
    response = client.post("/accounts/login/", {"phone": PHONE, "password": PASSWORD})
    cookie = response.cookies["kepuri_reader"]
    assert cookie.value == "1" and not cookie["httponly"] and cookie["samesite"] == "Lax"
    response = client.post("/accounts/logout/")
    assert response.cookies["kepuri_reader"]["max-age"] == 0


def test_a_session_without_it_gets_it_once(client):
    client.force_login(UserFactory())
    first = client.get("/activities/")
    assert first.cookies["kepuri_reader"].value == "1"
    assert "kepuri_reader" not in client.get("/activities/").cookies  # known now: nothing more to set


def test_a_visitor_gets_none_and_a_stale_one_goes(client):
    assert "kepuri_reader" not in client.get("/activities/").cookies
    client.cookies["kepuri_reader"] = "1"  # the session it followed has expired
    assert client.get("/activities/").cookies["kepuri_reader"]["max-age"] == 0
