"""No form opens inside another on any page of the site, for anyone who may see it.

HTML has no nested forms: the parser drops the inner <form> tag, so its fields and
buttons post with the outer form, to the outer form's address. The pages are the GET
rows of the permission matrix that answer 200, for each role, an activity waiting
and one approved.
"""

import pytest
from django.test import Client

from tests.hardening.matrix import NOW, ROLES, url_names, url_of, world
from tests.hardening.test_permission_matrix import EXPECTED
from tests.support import FormsOnPage

pytestmark = pytest.mark.django_db


def nested_forms(html: str) -> list[tuple[str, str]]:
    return FormsOnPage(html).nested


def test_the_check_finds_a_nested_form():
    html = '<form action="/a/"><input name="x"><form action="/b/"><button>删除</button></form></form>'
    assert nested_forms(html) == [("/a/", "/b/")]
    assert nested_forms('<form action="/a/"></form><form action="/b/"></form>') == []


@pytest.mark.parametrize("state", ["approved", "pending"])
@pytest.mark.parametrize("role", ROLES)
def test_no_page_nests_a_form(role, state, time_machine):
    time_machine.move_to(NOW, tick=False)
    here = world(state, export=True)
    client = Client()
    if role != "visitor":
        client.force_login(here["users"][role])
    patterns, index, found, read = url_names(), ROLES.index(role), {}, 0
    for (name, method), answers in sorted(EXPECTED.items()):
        if method != "GET" or answers[state][index] != "o":
            continue
        response = client.get(url_of(name, patterns[name], here["args"], here["message"]))
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            read += 1
            if nested := nested_forms(response.content.decode()):
                found[name] = nested
    assert read >= 3
    assert found == {}
