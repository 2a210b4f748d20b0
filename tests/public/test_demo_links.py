"""The demo's public pages load no missing file (issue 21).

With the data ``scripts/run.sh`` loads (``manage.py load_demo``) and served as it serves them
(development settings: static files from the finders through WhiteNoise, uploads by Django's media
view), every ``src`` and ``href`` of the site on the public pages — stylesheets, scripts, icons,
images, links — answers 200, and so does every ``url()`` in the stylesheets they load. The links
inside a ``<template>`` (the signed-in reader's navigation that the activity page's script fills in)
are the reader's: they are fetched as the demo's admin, who has all of them.
"""

import io
import re
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from accounts.models import User
from activities.models import Activity

pytestmark = pytest.mark.django_db

ATTRIBUTES = {"link": "href", "script": "src", "img": "src", "a": "href", "source": "src", "iframe": "src"}
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)""")


class Links(HTMLParser):
    """The ``src`` / ``href`` of a page's link, script, img and a (and source, iframe), apart from
    those inside a ``<template>``."""

    def __init__(self, html: str):
        super().__init__()
        self.shown, self.templated, self._in_template = [], [], 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "template":
            self._in_template += 1
        name = ATTRIBUTES.get(tag)
        value = dict(attrs).get(name) if name else None
        if value:
            (self.templated if self._in_template else self.shown).append(value)

    def handle_endtag(self, tag):
        if tag == "template":
            self._in_template -= 1


def on_this_site(base: str, link: str) -> str | None:
    """The path and query of ``link`` (found on ``base``) when it is one of the site's, else None."""
    link = link.strip()
    if link.startswith(("#", "mailto:", "tel:", "data:", "javascript:")):
        return None
    absolute = urljoin(f"http://testserver{base}", link)
    parts = urlsplit(absolute)
    if parts.netloc not in ("testserver", urlsplit(settings.SITE_URL).netloc):
        return None
    return urldefrag(parts.path + (f"?{parts.query}" if parts.query else ""))[0]


@pytest.fixture
def demo(settings):
    """The demo data, served as ``scripts/run.sh`` serves it."""
    settings.SERVE_MEDIA = True
    settings.WHITENOISE_USE_FINDERS = True
    call_command("load_demo", stdout=io.StringIO())
    return {
        "approved": Activity.objects.get(name="青少年科学实验开放日").public_code,
        "pending": Activity.objects.get(name="节水科普进社区").public_code,
        "admin": User.objects.get(phone="13800000000"),
    }


def test_the_demo_pages_load_no_missing_file(demo):
    pages = ["/", "/?province=630000", "/activities/", "/activities/?q=科学", f"/a/{demo['approved']}/",
             f"/a/{demo['pending']}/", "/accounts/login/", "/accounts/login/code/", "/accounts/register/",
             "/accounts/password/forgot/", "/directory/", "/agreement/"]  # fmt: skip
    visitor, admin = Client(), Client()
    admin.force_login(demo["admin"])
    wanted = {}  # path -> (the client to ask with, the page it was found on)
    for page in pages:
        response = visitor.get(page)
        assert response.status_code == 200, page
        links = Links(response.content.decode())
        for client, found in ((visitor, links.shown), (admin, links.templated)):
            for link in found:
                if (path := on_this_site(page, link)) is not None:
                    wanted.setdefault((path, client is admin), (client, page))

    missing, stylesheets, checked = [], [], set()
    for (path, _), (client, page) in wanted.items():
        response = client.get(path)
        checked.add(path)
        if response.status_code != 200:
            missing.append((path, response.status_code, page))
        elif response["Content-Type"].startswith("text/css"):
            stylesheets.append((path, b"".join(response.streaming_content).decode()))
    for path, css in stylesheets:
        for link in CSS_URL.findall(css):
            if (target := on_this_site(path, link)) is not None and target not in checked:
                checked.add(target)
                if (status := visitor.get(target).status_code) != 200:
                    missing.append((target, status, path))

    assert missing == []
    static = [path for path in checked if path.startswith(settings.STATIC_URL)]
    media = [path for path in checked if path.startswith(settings.MEDIA_URL)]
    assert len(static) >= 8, static  # Bootstrap's CSS and JS, the site's, the pages' scripts, the icon
    assert len(media) >= 2, media  # the demo's posters in the list and on the activity page
    for part in ("/accounts/register/", "/directory/", f"/a/{demo['approved']}/poster.png", "/center/"):
        assert any(path.startswith(part) for path in checked), part
