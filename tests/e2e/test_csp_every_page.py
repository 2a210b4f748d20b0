"""Every page of the site, opened in Chromium by someone who may see it, holds under the CSP.

The pages are the GET rows of the permission matrix that answer 200 to the visitor, the
organiser who owns the activity, its deciding reviewer or the superuser; the ``page``
fixture fails the test on any Content-Security-Policy violation or script error. The
pages' own scripts run (menus, the wizard's, the review console's, the charts').
"""

import pytest
from django.test import Client

from tests.hardening.matrix import ROLES, url_names, url_of, world
from tests.hardening.test_permission_matrix import EXPECTED

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WHO = ("visitor", "owner", "decider", "superuser")
NOT_PAGES = {"activities:qrcode_png", "activities:qrcode_svg", "directory:unit_autocomplete", "public:poster",
             "public:reader_state", "public:screen_data", "reviews:export_status", "reviews:export_download",
             "reviews:screen_data", "public:robots", "public:sitemap", "public:sitemap_section"}  # fmt: skip


def pages_for(role):
    index = ROLES.index(role)
    return sorted(
        name
        for (name, method), answers in EXPECTED.items()
        if method == "GET" and answers["approved"][index] == "o" and name not in NOT_PAGES
    )


def log_in(context, live_server, user):
    client = Client()
    client.force_login(user)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


@pytest.mark.parametrize("role", WHO)
def test_every_page_holds_under_the_csp(page, live_server, role):
    here = world("approved", export=True)
    if role != "visitor":
        log_in(page.context, live_server, here["users"][role])
    patterns = url_names()
    opened = []
    for name in pages_for(role):
        url = url_of(name, patterns[name], here["args"], here["message"])
        response = page.goto(live_server.url + url)
        assert response.status == 200, (name, response.status)
        page.wait_for_load_state("load")
        opened.append(name)
    assert len(opened) >= 5, opened  # the page fixture checked each for violations
