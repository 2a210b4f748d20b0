"""What search engines and link previews read (issue 21): every page's own <title> and description,
an activity page's Open Graph tags, robots.txt and the sitemap of the public activities."""

import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.views import csrf, defaults

from kepuri.testing import PLAIN_HTTP_PRODUCTION, ROOT
from public import seo
from tests.factories import UserFactory, make_activity
from tests.hardening.matrix import NOW, ROLES, url_names, url_of, world
from tests.hardening.test_permission_matrix import EXPECTED

pytestmark = pytest.mark.django_db

SITE = "https://kepuri.example.org"
SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


class Head(HTMLParser):
    """The <title>, the meta description(s) and the Open Graph / Twitter tags of a page."""

    def __init__(self, html: str):
        super().__init__()
        self.titles, self.descriptions, self.social = [], [], {}
        self._in_title = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "title":
            self._in_title = True
            self.titles.append("")
        elif tag == "meta" and attrs.get("name") == "description":
            self.descriptions.append(attrs.get("content", ""))
        elif tag == "meta" and (
            attrs.get("property", "").startswith("og:") or attrs.get("name", "").startswith("twitter:")
        ):
            self.social[attrs.get("property") or attrs["name"]] = attrs.get("content", "")

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.titles[-1] += data

    @property
    def title(self) -> str:
        assert len(self.titles) == 1, self.titles
        return " ".join(self.titles[0].split())

    @property
    def description(self) -> str:
        assert len(self.descriptions) == 1, self.descriptions
        return self.descriptions[0]


def head(response) -> Head:
    assert response.status_code == 200
    return Head(response.content.decode())


# --- titles and descriptions -------------------------------------------------------------------


def _error_pages(client) -> dict:
    """The error pages, as Django renders them (its handlers and the CSRF failure view)."""
    request = RequestFactory().get("/")
    outsider = Client()
    outsider.force_login(UserFactory())
    return {
        "404": client.get("/no-such-page/"),
        "403": outsider.get(reverse("reviews:queue")),
        "400": defaults.bad_request(request, Exception()),
        "403_csrf": csrf.csrf_failure(request),
        "500": defaults.server_error(request),
    }


def test_every_page_has_its_own_title_and_a_description(time_machine):
    """Each HTML page of the permission matrix, as the first role it opens for, each error page and
    the 审核中 notice: one <title> and one description each, and no two pages alike."""
    time_machine.move_to(NOW, tick=False)
    here = world("approved", export=True)
    patterns = url_names()
    found = {}
    for (name, method), answers in sorted(EXPECTED.items()):
        if method != "GET" or "o" not in answers["approved"]:
            continue
        role = ROLES[answers["approved"].index("o")]
        client = Client()
        if role != "visitor":
            client.force_login(here["users"][role])
        response = client.get(url_of(name, patterns[name], here["args"], here["message"]))
        assert response.status_code == 200, name
        if response["Content-Type"].startswith("text/html"):
            found[name] = Head(response.content.decode())
    pending = world("pending")
    found["审核中"] = head(Client().get(reverse("public:activity", args=[pending["args"]["code"]])))
    for name, response in _error_pages(Client()).items():
        found[name] = Head(response.content.decode())

    assert len(found) >= 35, sorted(found)
    titles = {name: page.title for name, page in found.items()}
    descriptions = {name: page.description for name, page in found.items()}
    for name, title in titles.items():
        assert title.endswith((" - 全国科普日", " - 云上科普日")) and len(title) > 9, (name, title)
    for name, description in descriptions.items():
        assert len(description) >= 10, (name, description)
    assert _alike(titles) == {}
    assert _alike(descriptions) == {}


def _alike(values: dict) -> dict:
    """The values that more than one page has, and those pages."""
    pages = {}
    for name, value in values.items():
        pages.setdefault(value, []).append(name)
    return {value: names for value, names in pages.items() if len(names) > 1}


def test_the_home_page_is_the_site_and_says_the_campaign(client):
    page = head(client.get("/"))
    assert page.title == "云上科普日 - 全国科普日"
    assert page.description.startswith("云上科普日（全国科普日活动平台）")
    assert page.social == {}


def test_the_list_says_its_page_number(client, organiser):
    for index in range(21):
        make_activity(organiser, status="approved", name=f"活动{index}")
    assert head(client.get("/activities/")).title == "科普活动 - 全国科普日"
    assert head(client.get("/activities/?page=2")).title == "科普活动（第2页） - 全国科普日"


def test_login_and_register_speak_of_what_they_do(client):
    assert head(client.get("/accounts/login/")).title == "登录 - 全国科普日"
    assert head(client.get("/accounts/login/code/")).title == "验证码登录 - 全国科普日"
    assert "短信验证码" in head(client.get("/accounts/login/code/")).description
    register = head(client.get("/accounts/register/"))
    assert register.title == "注册 - 全国科普日"
    assert "《云上科普日网络服务使用协议》" in register.description


# --- the activity page ---------------------------------------------------------------------------


def test_the_activity_page_says_its_name_time_and_place(client, approved):
    for _ in range(2):  # made, then served from the cache
        page = head(client.get(f"/a/{approved.public_code}/"))
        assert page.title == "节水科普进社区 - 全国科普日"
        assert page.description == (
            "活动时间：2020-09-15 09:30–11:30；活动地点：保定市竞秀区示范社区。面向社区居民开展节水知识讲座。"
        )


def test_an_online_activity_without_address_is_placed_by_its_region(client, organiser):
    activity = make_activity(organiser, status="approved", activity_type="online", address="", description="")
    assert head(client.get(f"/a/{activity.public_code}/")).description == (
        "活动时间：2020-09-15 09:30–11:30；活动地点：线上活动（河北省—保定市）"
    )


def test_a_long_description_is_cut_at_150_characters(client, organiser):
    activity = make_activity(organiser, status="approved", description="科" * 400)
    description = head(client.get(f"/a/{activity.public_code}/")).description
    assert len(description) == 150
    assert description.endswith("科…")


def test_a_public_activity_page_has_open_graph_tags_with_its_poster(client, approved, settings):
    settings.SITE_URL = SITE
    page = head(client.get(f"/a/{approved.public_code}/"))
    assert page.social == {
        "og:type": "article",
        "og:site_name": "云上科普日",
        "og:locale": "zh_CN",
        "og:title": "节水科普进社区",
        "og:description": page.description,
        "og:url": f"{SITE}/a/{approved.public_code}/",
        "og:image": f"{SITE}/media/activities/test/poster-page.jpg",
        "og:image:alt": "节水科普进社区的宣传图",
        "twitter:card": "summary_large_image",
    }


def test_without_a_poster_the_preview_shows_the_share_poster(client, organiser, settings):
    settings.SITE_URL = SITE
    activity = make_activity(organiser, status="approved", poster="", poster_list="", poster_page="")
    image = head(client.get(f"/a/{activity.public_code}/")).social["og:image"]
    assert image == f"{SITE}/a/{activity.public_code}/poster.png"
    poster = client.get(image.removeprefix(SITE))
    assert (poster.status_code, poster["Content-Type"]) == (200, "image/png")


def test_a_signed_in_readers_page_of_a_public_activity_has_them_too(client, approved, member):
    client.force_login(member)
    assert head(client.get(f"/a/{approved.public_code}/?comments=1")).social["og:title"] == "节水科普进社区"


def test_no_open_graph_tags_on_pages_that_are_not_public(client, organiser):
    pending = make_activity(organiser, status="pending", name="待审核的活动")
    rejected = make_activity(organiser, status="rejected", name="未通过的活动")
    draft = make_activity(organiser, name="草稿活动")
    under_review = head(client.get(f"/a/{pending.public_code}/"))
    assert (under_review.title, under_review.social) == ("活动审核中 - 全国科普日", {})
    assert "待审核的活动" not in client.get(f"/a/{pending.public_code}/").content.decode()
    client.force_login(organiser)  # its organiser's 预览 of each
    for activity in (pending, rejected, draft):
        page = head(client.get(f"/a/{activity.public_code}/"))
        assert page.title == f"{activity.name} - 全国科普日"
        assert page.description.startswith("活动时间：2020-09-15 09:30–11:30")
        assert page.social == {}
    for url in ("/", "/activities/", "/accounts/login/", "/accounts/register/", "/directory/"):
        assert head(Client().get(url)).social == {}, url


# --- robots.txt ----------------------------------------------------------------------------------


def _rules(text: str) -> list[tuple[bool, str]]:
    """The (allow, path) rules of the ``*`` group of a robots.txt (all of ours is one group)."""
    rules = []
    for line in text.splitlines():
        field, _, value = line.partition(":")
        if field.strip().lower() in ("allow", "disallow") and value.strip():
            rules.append((field.strip().lower() == "allow", value.strip()))
    return rules


def _allowed(rules, path: str) -> bool:
    """RFC 9309: the longest matching rule wins (``*`` any characters, ``$`` the end), Allow on a tie."""
    best = None
    for allow, pattern in rules:
        regex = "".join(".*" if c == "*" else "$" if c == "$" else re.escape(c) for c in pattern)
        if re.match(regex, path):
            key = (len(pattern), allow)
            best = max(best, key) if best else key
    return best is None or best[1]


def test_robots_opens_the_public_pages_and_closes_the_private_ones(client, settings):
    settings.SITE_URL = SITE
    response = client.get("/robots.txt")
    assert (response.status_code, response["Content-Type"]) == (200, "text/plain; charset=utf-8")
    text = response.content.decode()
    assert text.startswith("User-agent: *\n")
    assert text.endswith(f"\nSitemap: {SITE}/sitemap.xml\n")
    rules = _rules(text)
    code = "abcd2345"
    public = ["/", "/activities/", "/activities/?page=2&sort=likes", f"/a/{code}/", f"/a/{code}/poster.png",
              "/accounts/login/", "/accounts/login/code/", "/accounts/register/", "/accounts/password/forgot/",
              "/directory/", "/agreement/", "/screen/", "/sitemap.xml", "/sitemap-activities.xml?p=2",
              f"/media/activities/{code}/poster-page.jpg", "/static/css/site.css"]  # fmt: skip
    private = ["/center/", "/center/organization/edit/", "/publish/", "/publish/report/",
               f"/activities/{code}/edit/", f"/activities/{code}/qrcode.png", f"/activities/{code}/summary/",
               "/accounts/me/", "/accounts/password/change/", "/accounts/phone/change/", "/accounts/delete/",
               "/accounts/sso/phone/", "/messages/", "/review/", f"/review/activities/{code}/",
               "/review/screen/", "/admin/", "/admin/login/", "/api/v1/activities/", f"/a/{code}/me",
               "/media/staged/poster.jpg", "/health/tasks/"]  # fmt: skip
    assert [path for path in public if not _allowed(rules, path)] == []
    assert [path for path in private if _allowed(rules, path)] == []


def test_robots_leaves_media_on_a_bucket_alone(settings):
    settings.MEDIA_URL = "https://bucket.example.org/"
    assert not any("staged" in line for line in seo.robots_lines())


# --- sitemap.xml ---------------------------------------------------------------------------------


def _locations(response) -> list[str]:
    assert (response.status_code, response["Content-Type"]) == (200, "application/xml")
    return [loc.text for loc in ET.fromstring(response.content).findall(".//s:loc", SITEMAP_NS)]


def test_the_sitemap_lists_the_public_activities_only(client, organiser, settings):
    settings.SITE_URL = SITE
    shown = make_activity(organiser, status="approved", name="公开的活动", decided_at=timezone.now())
    hidden = {
        "展示 = 否": make_activity(organiser, status="approved", is_public=False),
        "待审核": make_activity(organiser, status="pending"),
        "未通过": make_activity(organiser, status="rejected"),
        "草稿": make_activity(organiser),
        "已删除": make_activity(organiser, status="approved", deleted_at=timezone.now()),
    }
    assert _locations(client.get("/sitemap.xml")) == ["http://testserver/sitemap-activities.xml"]
    page = client.get("/sitemap-activities.xml")
    assert _locations(page) == [f"{SITE}/a/{shown.public_code}/"]
    assert client.get(f"/a/{shown.public_code}/").status_code == 200
    assert (
        ET.fromstring(page.content).find(".//s:lastmod", SITEMAP_NS).text == timezone.localdate().isoformat()
    )
    for state, activity in hidden.items():
        assert activity.public_code not in page.content.decode(), state


def test_the_sitemap_is_paged_and_each_page_costs_the_same_queries(client, organiser, monkeypatch):
    monkeypatch.setattr(seo.ActivitySitemap, "limit", 2)

    def queries(url):
        with CaptureQueriesContext(connection) as done:
            response = client.get(url)
        assert response.status_code == 200, url
        return len(done)

    make_activity(organiser, status="approved")
    few = (queries("/sitemap.xml"), queries("/sitemap-activities.xml"))
    codes = {make_activity(organiser, status="approved").public_code for _ in range(4)}
    cache.clear()
    many = (queries("/sitemap.xml"), queries("/sitemap-activities.xml?p=3"))
    assert few == many == (2, 2)
    assert (queries("/sitemap.xml"), queries("/sitemap-activities.xml?p=3")) == (0, 0)  # kept an hour

    index = _locations(client.get("/sitemap.xml"))
    section = "http://testserver/sitemap-activities.xml"
    assert index == [section, f"{section}?p=2", f"{section}?p=3"]
    listed = [url for p in (1, 2, 3) for url in _locations(client.get(f"/sitemap-activities.xml?p={p}"))]
    assert len(listed) == len(set(listed)) == 5
    assert codes < {url.rstrip("/").rsplit("/", 1)[1] for url in listed}
    assert client.get("/sitemap-activities.xml?p=4").status_code == 404
    assert client.get("/sitemap-activities.xml?p=x").status_code == 404


def test_the_sitemap_pages_are_at_most_50000_urls():
    assert seo.ActivitySitemap.limit <= 50_000


def test_robots_and_sitemap_answer_only_reads(client):
    for url in ("/robots.txt", "/sitemap.xml", "/sitemap-activities.xml"):
        assert client.post(url).status_code == 405, url
        assert client.head(url).status_code == 200, url


# --- under the production settings ---------------------------------------------------------------

PRODUCTION_CHECK = """
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
call_command("load_demo", stdout=open("/dev/null", "w"))
call_command("collectstatic", interactive=False, verbosity=0)
from django.test import Client
from activities.models import Activity
client = Client(HTTP_HOST="kepuri.example.org")
code = Activity.objects.get(name="青少年科学实验开放日").public_code
for url in ("/robots.txt", "/sitemap.xml", "/sitemap-activities.xml", f"/a/{code}/"):
    response = client.get(url, secure=True)
    body = response.content.decode()
    print(url, response.status_code, response["Content-Type"], "script-src 'self'" in response["Content-Security-Policy"])
    print("  ", "Sitemap: https://kepuri.example.org/sitemap.xml" in body, f"https://kepuri.example.org/a/{code}/" in body,
          '<meta property="og:url"' in body)
"""


def test_robots_and_sitemap_work_under_the_production_settings():
    """DEBUG off, HTTPS, hashed static names, the strict policy: a fresh database with the demo."""
    with tempfile.TemporaryDirectory() as work:
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": work,
            "DJANGO_SETTINGS_MODULE": "kepuri.settings",
            **PLAIN_HTTP_PRODUCTION,
            "SECURE_SSL_REDIRECT": "1",
            "SECRET_KEY": "k" * 20 + "-production-secret-for-the-seo-test-0123456789",
            "ALLOWED_HOSTS": "kepuri.example.org",
            "SITE_URL": "https://kepuri.example.org",
            "DATABASE_URL": f"sqlite:///{work}/db.sqlite3",
            "MEDIA_ROOT": f"{work}/media",
            "PRIVATE_MEDIA_ROOT": f"{work}/private",
            "STATIC_ROOT": f"{work}/static",
            "LOG_LEVEL": "ERROR",
            "SMS_BACKEND": "locmem",
        }
        result = subprocess.run(
            [sys.executable, "-c", PRODUCTION_CHECK],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.count("\n") == 8, (result.stdout, result.stderr[-3000:])
    lines = result.stdout.split("\n")
    code = lines[6].split()[0].split("/")[2]
    assert lines[:8] == [
        "/robots.txt 200 text/plain; charset=utf-8 True",
        "   True False False",
        "/sitemap.xml 200 application/xml True",
        "   False False False",
        "/sitemap-activities.xml 200 application/xml True",
        "   False True False",
        f"/a/{code}/ 200 text/html; charset=utf-8 True",
        "   False True True",
    ]
