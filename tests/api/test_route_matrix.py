"""Every API route × the methods its view answers × the eight roles, around an approved and a 待审核
activity (issue 17): the site's permission matrix (tests/hardening/test_permission_matrix.py) for the
second door.

The routes come from the URL configuration: a route added to the API and missing from the table
fails ``test_every_route_is_in_the_table``, and every method a view does not answer is 405 for
everyone (``test_other_methods_are_405``). Each request carries an empty JSON body, so a ``v`` (422)
means "let through to the form or the service, which refused the empty input": the permission held.

Answers: o 200 · c 201 · d 204 · z 304 · u 401 · f 403 · n 404 · m 405 · x 409 · v 422.
Roles, in order: visitor, user (the comment's author), owner, other organiser, decider (河北省科协),
reader (保定市科协), outsider (山西省科协), superuser. Signed-in roles send a bearer token.
"""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.api.conftest import bearer
from tests.hardening.matrix import NOW, ROLES, url_names, world

pytestmark = pytest.mark.django_db

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")

#  route name                              method approved  pending
TABLE = """
api:activities                           GET    oooooooo  oooooooo
api:activity                             GET    oooooooo  nnnnnnnn
api:activity_checkin                     PUT    ufffffff  unnnnnnn
api:activity_comment                     DELETE udnnnnnn  udnnnnnn
api:activity_comment_hidden              PUT    ufdfddfd  ufdfddfd
api:activity_comment_hidden              DELETE ufdfddfd  ufdfddfd
api:activity_comments                    GET    oooooooo  nnnnnnnn
api:activity_comments                    POST   uvvvvvvv  unnnnnnn
api:activity_favorite                    PUT    uooooooo  unnnnnnn
api:activity_favorite                    DELETE uooooooo  unnnnnnn
api:activity_like                        PUT    uooooooo  unnnnnnn
api:activity_like                        DELETE uooooooo  unnnnnnn
api:activity_me                          GET    uooooooo  unnnnnnn
api:campaign                             GET    oooooooo  oooooooo
api:logout                               POST   uddddddd  uddddddd
api:me                                   GET    uooooooo  uooooooo
api:me_checkins                          GET    uooooooo  uooooooo
api:me_delete                            POST   uvvvvvvv  uvvvvvvv
api:me_favorites                         GET    uooooooo  uooooooo
api:me_likes                             GET    uooooooo  uooooooo
api:me_organization                      GET    unoonnnn  unoonnnn
api:me_organization                      PUT    uvvvvvvv  uvvvvvvv
api:me_password                          POST   uvvvvvvv  uvvvvvvv
api:me_phone                             POST   uvvvvvvv  uvvvvvvv
api:message_read                         POST   undnnnnn  undnnnnn
api:messages                             GET    uooooooo  uooooooo
api:messages_read_all                    POST   uddddddd  uddddddd
api:messages_unread                      GET    uooooooo  uooooooo
api:my_activities                        GET    uooooooo  uooooooo
api:my_activities                        POST   uxvvxxxx  uxvvxxxx
api:my_activity                          GET    unonnnnn  unonnnnn
api:my_activity                          PUT    unvnnnnn  unxnnnnn
api:my_activity                          PATCH  unxnnnnn  unxnnnnn
api:my_activity                          DELETE undnnnnn  undnnnnn
api:my_activity_qr                       GET    unonnnnn  unonnnnn
api:my_activity_submit                   POST   unonnnnn  unxnnnnn
api:my_activity_summary                  POST   unfnnnnn  unxnnnnn
api:my_activity_supplement               POST   unvnnnnn  unvnnnnn
api:my_activity_supplement_skip          POST   unonnnnn  unonnnnn
api:my_posters                           POST   uvvvvvvv  uvvvvvvv
api:password_reset                       POST   vvvvvvvv  vvvvvvvv
api:regions                              GET    oooooooo  oooooooo
api:register                             POST   vvvvvvvv  vvvvvvvv
api:review_activity                      GET    ufffoono  ufffoono
api:review_queue                         GET    ufffoooo  ufffoooo
api:sms_code                             POST   vvvvvvvv  vvvvvvvv
api:token                                POST   vvvvvvvv  vvvvvvvv
api:token_refresh                        POST   vvvvvvvv  vvvvvvvv
api:units                                GET    oooooooo  oooooooo
"""

EXPECTED = {}
for row in TABLE.strip().splitlines():
    name, method, approved, pending = row.split()
    EXPECTED[(name, method)] = {"approved": approved, "pending": pending}

STATUS = {200: "o", 201: "c", 204: "d", 304: "z", 401: "u", 403: "f", 404: "n", 405: "m", 409: "x", 422: "v"}


def answered_methods(pattern) -> list[str]:
    view = pattern.callback.cls
    return [m for m in METHODS if hasattr(view, m.lower())]


def routes():
    return url_names(api=True)


def url_for(name, pattern, here) -> str:
    args = {"code": here["args"]["code"], "pk": here["args"]["pk"], "kind": "png"}
    if name == "api:message_read":
        args["pk"] = here["message"].pk
    return reverse(name, kwargs={key: args[key] for key in pattern.pattern.converters})


def ask(name, method, state) -> str:
    pattern = routes()[name]
    got, here = "", None
    for role in ROLES:
        if here is None or method != "GET":  # a write may change the world: each role gets its own
            here = world(state)
        client = APIClient() if role == "visitor" else bearer(here["users"][role])
        url = url_for(name, pattern, here)
        response = client.generic(
            method, url, "{}" if method != "GET" else "", content_type="application/json"
        )
        got += STATUS.get(response.status_code, str(response.status_code))
    return got


def test_every_route_is_in_the_table():
    wanted = {(name, method) for name, pattern in routes().items() for method in answered_methods(pattern)}
    wanted -= {("api:schema", "GET"), ("api:docs", "GET")}
    assert set(EXPECTED) == wanted


@pytest.mark.parametrize("state", ["approved", "pending"])
@pytest.mark.parametrize(("name", "method"), sorted(EXPECTED))
def test_each_role_gets_its_answer(name, method, state, time_machine):
    time_machine.move_to(NOW, tick=False)
    got = ask(name, method, state)
    assert got == EXPECTED[(name, method)][state], dict(zip(ROLES, got, strict=True))


def test_other_methods_are_405(api, time_machine):
    time_machine.move_to(NOW, tick=False)
    here = world("approved")
    client = bearer(here["users"]["owner"])
    for name, pattern in routes().items():
        if name in ("api:schema", "api:docs"):
            continue
        for method in set(METHODS) - set(answered_methods(pattern)):
            response = client.generic(
                method, url_for(name, pattern, here), "{}", content_type="application/json"
            )
            assert response.status_code == 405, (name, method)
            assert response.json()["code"] == "method_not_allowed"
