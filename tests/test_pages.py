"""Every page: the base layout, local Bootstrap, and nothing a strict CSP would block."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.factories import UserFactory
from tests.support import inline_code, text_of

ROOT = Path(__file__).resolve().parent.parent
VISITOR_PAGES = [
    "/",
    "/agreement/",
    "/accounts/register/",
    "/accounts/login/",
    "/accounts/password/forgot/",
    "/directory/",
]
USER_PAGES = [
    "/",
    "/publish/",
    "/center/",
    "/center/organization/",
    "/center/organization/edit/",
    "/accounts/me/",
    "/accounts/password/change/",
    "/messages/",
]


def pages(client):
    yield from ((url, client.get(url)) for url in VISITOR_PAGES)
    client.force_login(UserFactory())
    yield from ((url, client.get(url)) for url in USER_PAGES)
    yield "/no-such-page/", client.get("/no-such-page/")


@pytest.mark.django_db
def test_every_page_holds_under_a_strict_csp(client):
    for url, response in pages(client):
        assert response.status_code in (200, 404), url
        assert inline_code(response.content.decode()) == [], url
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "style-src 'self'" in policy, url


@pytest.mark.django_db
def test_every_page_uses_the_base_layout_with_local_bootstrap(client):
    for url, response in pages(client):
        html = response.content.decode()
        assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html, url
        assert "/static/vendor/bootstrap/css/bootstrap.min.css" in html, url
        assert "/static/vendor/bootstrap/js/bootstrap.bundle.min.js" in html, url
        assert "推荐使用Chrome浏览器" in text_of(response), url
        external = re.findall(r'(?:src|href)="(?:https?:)?//[^"]+"', html)
        assert external == [], url


def test_bootstrap_is_served_from_our_static_files(client):
    css = client.get("/static/vendor/bootstrap/css/bootstrap.min.css")
    assert css.status_code == 200
    assert b"Bootstrap" in b"".join(css.streaming_content)[:200]


def test_no_template_has_inline_script_or_style():
    templates = [*ROOT.glob("templates/**/*.html"), *ROOT.glob("*/templates/**/*.html")]
    assert len(templates) > 10
    for path in templates:
        assert inline_code(path.read_text()) == [], path


def test_error_pages_speak_chinese(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in text_of(response)


@pytest.mark.django_db
def test_an_expired_form_says_so_in_chinese():
    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {"phone": "13800138000"})
    assert response.status_code == 403
    assert "页面已过期" in text_of(response)


def test_static_files_are_served_by_whitenoise():
    assert "whitenoise.middleware.WhiteNoiseMiddleware" in settings.MIDDLEWARE
