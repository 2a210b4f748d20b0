"""Every named URL × the methods it answers × every role around one activity (issue 9).

The expected answer of each is written down below, for an approved activity and for one 待审核.
A URL added to the site and missing here fails ``test_every_url_is_in_the_table``; an id that
belongs to someone else answers 404 (``n``), never the object. Each case runs in a fresh world
(tests/hardening/matrix.py), in the 2020 report window; a POST carries no data, so a ``b``,
an ``r`` or an ``o`` (the form shown again with its messages) there means "let through to the
form or the service, which said no to the empty input or to the state" — the permission held.

Answers: o 200 · r redirect elsewhere · l redirect to 登录 · u 401 (a JSON action: log in first)
· e 204 (counted, nothing to show) · b 400 (refused with a message) · f 403 · n 404 · m 405 (method not allowed).
Roles, in order: visitor, user (the comment's author), owner, other organiser, decider
(河北省科协), reader (保定市科协: reads, does not decide), outsider (山西省科协), superuser.
"""

import pytest
from django.test import Client

from tests.hardening.matrix import NOW, ROLES, url_names, url_of, world

pytestmark = pytest.mark.django_db

#  URL name                      method approved  pending
TABLE = """
accounts:account_delete        GET   looooooo  looooooo
accounts:account_delete        POST  looooooo  looooooo
accounts:login                 GET   orrrrrrr  orrrrrrr
accounts:login                 POST  orrrrrrr  orrrrrrr
accounts:login_code            GET   orrrrrrr  orrrrrrr
accounts:login_code            POST  oooooooo  oooooooo
accounts:external_account      GET   looooooo  looooooo
accounts:external_account      POST  lrrrrrrr  lrrrrrrr
accounts:logout                GET   mmmmmmmm  mmmmmmmm
accounts:logout                POST  rrrrrrrr  rrrrrrrr
accounts:password_change       GET   looooooo  looooooo
accounts:password_change       POST  looooooo  looooooo
accounts:password_forgot       GET   oooooooo  oooooooo
accounts:password_forgot       POST  oooooooo  oooooooo
accounts:phone_change          GET   looooooo  looooooo
accounts:phone_change          POST  looooooo  looooooo
accounts:register              GET   orrrrrrr  orrrrrrr
accounts:register              POST  oooooooo  oooooooo
accounts:sms_code              GET   mmmmmmmm  mmmmmmmm
accounts:sms_code              POST  bbbbbbbb  bbbbbbbb
accounts:sso_callback          GET   nnnnnnnn  nnnnnnnn
accounts:sso_callback          POST  mmmmmmmm  mmmmmmmm
accounts:sso_phone             GET   llllllll  llllllll
accounts:sso_phone             POST  llllllll  llllllll
accounts:sso_start             GET   nnnnnnnn  nnnnnnnn
accounts:sso_start             POST  mmmmmmmm  mmmmmmmm
activities:delete              GET   lnonnnnn  lnonnnnn
activities:delete              POST  lnrnnnnn  lnrnnnnn
activities:edit                GET   lnonnnnn  lnrnnnnn
activities:edit                POST  lnonnnnn  lnrnnnnn
activities:publish             GET   looooooo  looooooo
activities:publish             POST  looooooo  looooooo
activities:qrcode              GET   lnonnnnn  lnonnnnn
activities:qrcode              POST  mmmmmmmm  mmmmmmmm
activities:qrcode_png          GET   lnonnnnn  lnonnnnn
activities:qrcode_png          POST  mmmmmmmm  mmmmmmmm
activities:qrcode_svg          GET   lnonnnnn  lnonnnnn
activities:qrcode_svg          POST  mmmmmmmm  mmmmmmmm
activities:report_new          GET   lrrrrrrr  lrrrrrrr
activities:report_new          POST  lrrrrrrr  lrrrrrrr
activities:supplement          GET   lnonnnnn  lnonnnnn
activities:supplement          POST  lnonnnnn  lnonnnnn
activities:user_center         GET   looooooo  looooooo
activities:user_center         POST  mmmmmmmm  mmmmmmmm
agreement                      GET   oooooooo  oooooooo
agreement                      POST  mmmmmmmm  mmmmmmmm
directory:unit_autocomplete    GET   oooooooo  oooooooo
directory:unit_autocomplete    POST  mmmmmmmm  mmmmmmmm
directory:unit_lookup          GET   oooooooo  oooooooo
directory:unit_lookup          POST  mmmmmmmm  mmmmmmmm
home                           GET   oooooooo  oooooooo
home                           POST  mmmmmmmm  mmmmmmmm
notifications:inbox            GET   looooooo  looooooo
notifications:inbox            POST  mmmmmmmm  mmmmmmmm
notifications:open             GET   mmmmmmmm  mmmmmmmm
notifications:open             POST  lnrnnnnn  lnrnnnnn
notifications:read_all         GET   mmmmmmmm  mmmmmmmm
notifications:read_all         POST  lrrrrrrr  lrrrrrrr
organizations:detail           GET   looooooo  looooooo
organizations:detail           POST  mmmmmmmm  mmmmmmmm
organizations:edit             GET   looooooo  looooooo
organizations:edit             POST  looooooo  looooooo
public:activity                GET   oooooooo  oooooooo
public:activity                POST  mmmmmmmm  mmmmmmmm
public:checkin                 GET   mmmmmmmm  mmmmmmmm
public:checkin                 POST  ubbbbbbb  unnnnnnn
public:comment                 GET   mmmmmmmm  mmmmmmmm
public:comment                 POST  ubbbbbbb  unnnnnnn
public:comment_delete          GET   mmmmmmmm  mmmmmmmm
public:comment_delete          POST  lobbbbbb  lobbbbbb
public:comment_hide            GET   mmmmmmmm  mmmmmmmm
public:comment_hide            POST  lboboobo  lboboobo
public:favorite                GET   mmmmmmmm  mmmmmmmm
public:favorite                POST  uooooooo  unnnnnnn
public:join                    GET   mmmmmmmm  mmmmmmmm
public:join                    POST  bbbbbbbb  nnnnnnnn
public:like                    GET   mmmmmmmm  mmmmmmmm
public:like                    POST  uooooooo  unnnnnnn
public:list                    GET   oooooooo  oooooooo
public:list                    POST  mmmmmmmm  mmmmmmmm
public:poster                  GET   oooooooo  nnnnnnnn
public:poster                  POST  mmmmmmmm  mmmmmmmm
public:share                   GET   mmmmmmmm  mmmmmmmm
public:share                   POST  eeeeeeee  eeeeeeee
public:sitemap                 GET   oooooooo  oooooooo
public:sitemap                 POST  mmmmmmmm  mmmmmmmm
public:sitemap_section         GET   oooooooo  oooooooo
public:sitemap_section         POST  mmmmmmmm  mmmmmmmm
public:personal_center         GET   looooooo  looooooo
public:reader_state            GET   oooooooo  nnnnnnnn
public:reader_state            POST  mmmmmmmm  mmmmmmmm
public:personal_center         POST  mmmmmmmm  mmmmmmmm
public:robots                  GET   oooooooo  oooooooo
public:robots                  POST  mmmmmmmm  mmmmmmmm
public:screen                  GET   nnnnnnnn  nnnnnnnn
public:screen                  POST  mmmmmmmm  mmmmmmmm
public:screen_data             GET   nnnnnnnn  nnnnnnnn
public:screen_data             POST  mmmmmmmm  mmmmmmmm
reviews:activity               GET   lfffoono  lfffoono
reviews:activity               POST  mmmmmmmm  mmmmmmmm
reviews:bulk_approve           GET   mmmmmmmm  mmmmmmmm
reviews:bulk_approve           POST  lfffrrrr  lfffrrrr
reviews:bulk_approve_all       GET   mmmmmmmm  mmmmmmmm
reviews:bulk_approve_all       POST  lfffrrrr  lfffrrrr
reviews:bulk_job               GET   lfffonnn  lfffonnn
reviews:bulk_job               POST  mmmmmmmm  mmmmmmmm
reviews:bulk_status            GET   lfffonnn  lfffonnn
reviews:bulk_status            POST  mmmmmmmm  mmmmmmmm
reviews:decide                 GET   mmmmmmmm  mmmmmmmm
reviews:decide                 POST  lfffonno  lfffonno
reviews:export_download        GET   lfffonnn  lfffonnn
reviews:export_download        POST  mmmmmmmm  mmmmmmmm
reviews:export_job             GET   lfffonnn  lfffonnn
reviews:export_job             POST  mmmmmmmm  mmmmmmmm
reviews:export_status          GET   lfffonnn  lfffonnn
reviews:export_status          POST  mmmmmmmm  mmmmmmmm
reviews:exports                GET   lfffoooo  lfffoooo
reviews:exports                POST  lfffrrrr  lfffrrrr
reviews:extend                 GET   mmmmmmmm  mmmmmmmm
reviews:extend                 POST  lfffonno  lfffonno
reviews:moderate               GET   mmmmmmmm  mmmmmmmm
reviews:moderate               POST  lfffrrnr  lfffrrnr
reviews:queue                  GET   lfffoooo  lfffoooo
reviews:queue                  POST  mmmmmmmm  mmmmmmmm
reviews:recommend              GET   mmmmmmmm  mmmmmmmm
reviews:recommend              POST  lfffoono  lfffoono
reviews:recommendations        GET   lfffoooo  lfffoooo
reviews:recommendations        POST  mmmmmmmm  mmmmmmmm
reviews:screen                 GET   lfffoooo  lfffoooo
reviews:screen                 POST  mmmmmmmm  mmmmmmmm
reviews:screen_data            GET   lfffoooo  lfffoooo
reviews:screen_data            POST  mmmmmmmm  mmmmmmmm
reviews:statistics             GET   lfffoooo  lfffoooo
reviews:statistics             POST  mmmmmmmm  mmmmmmmm
summaries:edit                 GET   lnrnnnnn  lnrnnnnn
summaries:edit                 POST  lnrnnnnn  lnrnnnnn
"""

EXPECTED = {}
for row in TABLE.strip().splitlines():
    name, method, approved, pending = row.split()
    EXPECTED[(name, method)] = {"approved": approved, "pending": pending}

XHR = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}
STATUS = {200: "o", 204: "e", 400: "b", 401: "u", 403: "f", 404: "n", 405: "m"}


def answer(response) -> str:
    if response.status_code in (301, 302):
        return "l" if response["Location"].startswith("/accounts/login/") else "r"
    return STATUS.get(response.status_code, str(response.status_code))


def test_every_url_is_in_the_table():
    assert {name for name, _ in EXPECTED} == set(url_names())


@pytest.mark.parametrize("state", ["approved", "pending"])
@pytest.mark.parametrize(("name", "method"), sorted(EXPECTED))
def test_each_role_gets_its_answer(name, method, state, time_machine):
    time_machine.move_to(NOW, tick=False)
    pattern = url_names()[name]
    got, here = "", None
    for role in ROLES:
        if here is None or method == "POST":  # a POST may change the world: each role gets its own
            here = world(state, export="job_id" in pattern.pattern.converters)
        client = Client()
        if role != "visitor":
            client.force_login(here["users"][role])
        url = url_of(name, pattern, here["args"], here["message"])
        extra = XHR if name.startswith("public:") and method == "POST" else {}
        got += answer(client.generic(method, url, **extra))
    assert got == EXPECTED[(name, method)][state], dict(zip(ROLES, got, strict=True))
