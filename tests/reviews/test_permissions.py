"""Every reviewer URL × every role, generated from the URL configuration.

Each console view declares what it needs (``@reviewer_view("console" | "read" |
"decide")``); this test finds every pattern of ``reviews.urls``, reads that
declaration, and checks each role against it, for the methods the view accepts.
A new URL is covered without editing this test; a view without a declaration
fails it.
"""

import pytest
from django.urls import reverse
from django.urls.resolvers import URLPattern

from activities.models import ActivityLink
from reviews import services
from reviews import urls as review_urls
from reviews.models import BulkApproval, ExportJob
from tests.factories import make_activity
from tests.reviews.conftest import unit

pytestmark = pytest.mark.django_db

# What each role may do with the activity of conftest (保定市, belonging to 河北省科协).
MAY = {
    #            console  read   decide
    "organiser": (False, False, False),
    "unit": (True, True, True),  # 河北省科协: its own
    "child": (True, True, False),  # 保定市科协: located in its city, not its 归口
    "parent": (True, True, True),  # 中国科协: everything below it
    "sibling": (True, False, False),  # 山西省科协
    "ministry": (True, False, False),  # 教育部
    "superuser": (True, True, True),
}
LEVEL_INDEX = {"console": 0, "read": 1, "decide": 2}


def patterns():
    return [p for p in review_urls.urlpatterns if isinstance(p, URLPattern)]


def finished_export(user):
    """A finished export of ``user``'s (the job pages are for whoever asked for them)."""
    job = ExportJob.objects.filter(requested_by=user).first()
    if job is None:
        job = services.build_export(ExportJob.objects.create(requested_by=user, unit=unit("河北省科协")))
    return job


def url_for(pattern, activity, link, user):
    values = {"code": activity.public_code, "kind": "link", "action": "hide"}
    kwargs = {}
    for name in pattern.pattern.converters:
        if name == "item_id":
            kwargs[name] = link.pk
        elif name == "job_id" and pattern.name.startswith("bulk"):
            kwargs[name] = BulkApproval.objects.get_or_create(requested_by=user, unit=unit("河北省科协"))[
                0
            ].pk
        elif name == "job_id":
            kwargs[name] = finished_export(user).pk
        else:
            kwargs[name] = values[name]
    return reverse(f"reviews:{pattern.name}", kwargs=kwargs)


def test_every_console_view_declares_its_access():
    for pattern in patterns():
        assert getattr(pattern.callback, "review_access", None) in LEVEL_INDEX, pattern.name


@pytest.mark.parametrize("pattern", patterns(), ids=lambda p: p.name)
@pytest.mark.parametrize("role", list(MAY))
def test_access(client, activity, roles, pattern, role):
    link = ActivityLink.objects.create(activity=activity, kind="news", url="https://news.example.org/1")
    user = roles[role]
    level = pattern.callback.review_access
    allowed = MAY[role][LEVEL_INDEX[level]]
    client.force_login(user)
    url = url_for(pattern, activity, link, user)
    for method in ("get", "post"):
        response = getattr(client, method)(url)
        if response.status_code == 405:
            continue
        if allowed:
            assert response.status_code not in (403, 404), (method, url, role)
        elif not MAY[role][0]:
            assert response.status_code == 403, (method, url, role)
        else:
            assert response.status_code == 404, (method, url, role)


@pytest.mark.parametrize("pattern", patterns(), ids=lambda p: p.name)
def test_visitors_are_sent_to_login(client, activity, organiser, pattern):
    link = ActivityLink.objects.create(activity=activity, kind="news", url="https://news.example.org/1")
    url = url_for(pattern, activity, link, organiser)
    for method in ("get", "post"):
        response = getattr(client, method)(url)
        if response.status_code != 405:
            assert response.status_code == 302 and response.url.startswith("/accounts/login/"), (method, url)


def test_nobody_decides_their_own_activity(client, roles, organiser):
    own = make_activity(roles["unit"], status="pending", owner_unit=unit("河北省科协"))
    client.force_login(roles["unit"])
    assert (
        client.post(f"/review/activities/{own.public_code}/decide/", {"decision": "approve"}).status_code
        == 404
    )
    assert client.get(f"/review/activities/{own.public_code}/").status_code == 200  # reading is fine


def test_an_export_belongs_to_whoever_asked_for_it(client, roles):
    job = finished_export(roles["unit"])
    client.force_login(roles["parent"])
    for suffix in ("", "status/", "download/"):
        assert client.get(f"/review/exports/{job.pk}/{suffix}").status_code == 404
