"""What search engines and link previews read: ``robots.txt``, the sitemap of the public
activities, and what an activity page's ``<head>`` says of it (description, Open Graph).

Addresses given to the outside are absolute under ``SITE_URL``, the address printed in every QR
code, whichever host a request came by.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.db.models import Max
from django.http import HttpResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.cache import cache_page
from django.views.decorators.http import require_safe

from activities import qr
from activities.models import Activity
from kepuri.http import absolute

from . import selectors

ROBOTS_SECONDS = 3600
SITEMAP_SECONDS = 3600  # a newly approved activity is in the sitemap within the hour
DESCRIPTION_CHARS = 150


# --- the activity page's <head> -------------------------------------------------------------


@dataclass(frozen=True)
class Head:
    """What an activity page's ``<head>`` says of the activity: its description (活动时间, 地点, the
    start of 活动简介) and, for a public one only, the Open Graph link and picture. Made from the
    whole activity when its page's shell is made, and kept with it (``public.shell``)."""

    description: str
    url: str = ""  # empty: not public, no Open Graph tags
    image: str = ""


def head_of(activity: Activity, *, public: bool) -> Head:
    description = " ".join(_described(activity).split())
    if len(description) > DESCRIPTION_CHARS:
        description = description[: DESCRIPTION_CHARS - 1] + "…"
    if not public:
        return Head(description)
    picture = activity.poster_page or activity.poster
    image = picture.url if picture else reverse("public:poster", args=[activity.public_code])
    return Head(
        description,
        url=qr.public_url(activity),
        image=absolute(image),
    )


def _described(activity: Activity) -> str:
    facts = []
    if time := activity.time_display:
        facts.append(f"活动时间：{time}")
    if place := _place(activity):
        facts.append(f"活动地点：{place}")
    lead = "；".join(facts)
    text = activity.description.strip()
    if lead and text:
        return f"{lead}。{text}"
    return lead or text or f"{activity.name}：全国科普日活动"


def _place(activity: Activity) -> str:
    if activity.address:
        return activity.address
    region = str(activity.region) if activity.region_id else ""
    if activity.activity_type == Activity.Type.ONLINE:
        return f"线上活动（{region}）" if region else "线上活动"
    return region


# --- robots.txt ---------------------------------------------------------------------------------


def robots_lines() -> list[str]:
    """Public pages open to crawlers; 用户中心, 个人中心, 消息, 审核, the admin, the API and the
    staged posters of unfinished forms closed.

    Uploads are stored as ``activities/<code>/…`` whatever the activity's state, so a draft's poster
    cannot be told from a public one's by its path: ``/media/activities/`` stays open (posters are
    the pages' and link previews' pictures), and a draft's files are linked from no public page.
    Only the staged posters (``staged/``) are closed. With media on a bucket (MEDIA_URL another
    host) this file does not govern them at all.
    """
    closed = [
        reverse("activities:user_center"),  # 用户中心, 单位管理 under it
        reverse("activities:publish"),
        f"{reverse('public:list')}*/",  # the organiser's pages of an activity; the list stays open
        reverse("public:personal_center"),  # 个人中心
        reverse("accounts:password_change"),
        reverse("accounts:phone_change"),
        reverse("accounts:account_delete"),
        reverse("accounts:external_account"),
        reverse("accounts:logout"),
        reverse("accounts:sms_code"),
        reverse("notifications:inbox"),  # 消息
        reverse("reviews:queue"),  # 审核
        reverse("admin:index"),
        "/api/",
        "/a/*/me",  # a reader's own state, for the page's script
        "/health/",
    ]
    media = settings.MEDIA_URL  # "/media/" on this host (Django adds the script prefix)
    if "://" not in media:
        closed.append(f"{media}staged/")
    return [
        "User-agent: *",
        *(f"Disallow: {path}" for path in closed),
        "Allow: /",
        "",
        f"Sitemap: {absolute(reverse('public:sitemap'))}",
    ]


@require_safe
def robots_txt(request):
    response = HttpResponse("\n".join(robots_lines()) + "\n", content_type="text/plain; charset=utf-8")
    patch_cache_control(response, public=True, max_age=ROBOTS_SECONDS)
    return response


# --- sitemap.xml --------------------------------------------------------------------------------


class ActivitySitemap(Sitemap):
    """The public activities: what the public list shows (``selectors.listed``), oldest first so a
    page keeps its activities as new ones come, each at its address under ``SITE_URL`` (the index
    names its pages on the host it was asked by). Each answer costs two queries (a count and a
    page, or a count and the newest decision for the index), however many activities there are."""

    limit = 10_000  # ≤ 50,000 a page (the protocol's limit); a page of 10,000 is about 1 MB

    def items(self):
        return selectors.listed().order_by("pk").only("public_code", "decided_at")

    def location(self, activity):
        return reverse("public:activity", args=[activity.public_code])

    def lastmod(self, activity):
        return activity.decided_at  # the public page shows the version approved then

    def get_latest_lastmod(self):
        return self.items().aggregate(latest=Max("decided_at"))["latest"]

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc


SECTION = "activities"
SITEMAPS = {SECTION: ActivitySitemap}


@require_safe
@cache_page(SITEMAP_SECONDS)
def sitemap_index(request):
    """``/sitemap.xml``: the index of the sitemap's pages (``?p=2`` …)."""
    return sitemap_views.index(request, SITEMAPS, sitemap_url_name="public:sitemap_section")


@require_safe
@cache_page(SITEMAP_SECONDS)
def sitemap_section(request, section):
    """One page of the public activities (``?p=``); 404 past the last."""
    return sitemap_views.sitemap(request, SITEMAPS, section=section)
