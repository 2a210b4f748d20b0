"""What the schemathesis run (test_schemathesis.py) found, each fix guarded by a plain request.

- An address under /api/v1/ that no operation has, or whose code or id cannot be one (``q"``,
  ``null``, a newline), got the site's HTML 404 page: it is the API's JSON 404 now.
- A NUL in the query of an API request got the site's HTML 400 page: the API's JSON 400
  (``parse_error``) now, documented for every operation.
- 取消点赞 / 取消收藏 (DELETE) answer 200 with the state and counts; the schema said 204.
- 审核 answered ``waiting: null`` for an activity that waits for nothing; the schema says boolean.
- The QR code of a draft is refused 404 ``not_found`` (as on the site); the schema listed 409
  ``not_submitted``, which it never answers.
- 单位信息 (GET) answers 404 before it is filled in; the schema did not say so.
- Found in the docs page's screenshot: 点赞, 取消点赞, 已参与的活动 and 点赞的活动 were documented
  as 收藏, 取消收藏 and 收藏的活动 (one handler shared by the views, annotated by the last).
"""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from directory.models import SupervisingUnit
from reviews.models import ReviewerRole
from tests.api.conftest import bearer
from tests.factories import UserFactory, make_activity, make_organiser

pytestmark = pytest.mark.django_db

NOT_FOUND = {"code": "not_found", "detail": "您访问的内容不存在或已删除", "fields": {}}


@pytest.fixture
def schema():
    return APIClient().get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/no-such-thing/",
        '/api/v1/activities/q"/',  # not a slug: no operation's pattern matches
        "/api/v1/messages/null/read/",  # not an int
        "/api/v1/my/activities/a%0Ab/summary/",  # a newline in the code
        "/api/v1/my/activities/x%22/qrcode.png",
    ],
)
def test_an_address_no_operation_has_is_the_apis_json_404(api, path):
    for method in ("get", "post", "put", "delete"):
        answer = getattr(api, method)(path)
        assert answer.status_code == 404, (method, path)
        assert answer["Content-Type"] == "application/json"
        assert answer.json() == NOT_FOUND


def test_a_post_to_an_unknown_address_is_not_refused_by_the_sites_csrf_check():
    answer = Client(enforce_csrf_checks=True).post("/api/v1/no-such-thing/", {"a": "1"})
    assert answer.status_code == 404 and answer.json()["code"] == "not_found"


def test_an_address_without_its_final_slash_is_still_sent_on_to_it(api):
    answer = api.get("/api/v1/activities?sort=soon")
    assert answer.status_code == 301 and answer["Location"] == "/api/v1/activities/?sort=soon"
    assert api.get("/api/v1/no-such-thing").status_code == 404


def test_a_nul_in_the_query_is_the_apis_json_400_and_the_sites_page_elsewhere(api):
    for path in ("/api/v1/campaign/", "/api/v1/activities/", "/api/v1/me/"):
        answer = api.get(path, {"q": "\x00"})
        assert answer.status_code == 400, path
        assert answer["Content-Type"] == "application/json"
        assert answer.json() == {
            "code": "parse_error",
            "detail": "请求地址的查询参数含有空字符，无法处理",
            "fields": {},
        }
    site = Client().get("/", {"q": "\x00"})
    assert site.status_code == 400 and not site["Content-Type"].startswith("application/json")


def test_every_operation_documents_the_400_of_a_nul_in_its_query(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert "parse_error" in operation["responses"]["400"]["description"], (method, path)


@pytest.mark.parametrize("what", ["like", "favorite"])
def test_taking_back_a_like_or_a_favourite_answers_200_as_documented(what, schema):
    organiser = make_organiser()
    activity = make_activity(organiser, status="approved")
    api = bearer(UserFactory())
    path = f"/api/v1/activities/{activity.public_code}/{what}/"
    api.put(path)
    answer = api.delete(path)
    assert answer.status_code == 200
    assert answer.json()["active"] is False
    documented = schema["paths"][f"/api/v1/activities/{{code}}/{what}/"]["delete"]["responses"]
    assert "200" in documented and "204" not in documented


def test_an_activity_waiting_for_nothing_is_waiting_false_for_a_reviewer():
    reviewer = UserFactory()
    ReviewerRole.objects.create(user=reviewer, unit=SupervisingUnit.objects.get(short_name="保定市科协"))
    organiser = make_organiser()
    decided = make_activity(organiser, status="approved", name="已通过的活动")
    waiting = make_activity(organiser, status="pending", name="待审核的活动")
    api = bearer(reviewer)
    assert api.get(f"/api/v1/review/activities/{decided.public_code}/").json()["waiting"] is False
    assert api.get(f"/api/v1/review/activities/{waiting.public_code}/").json()["waiting"] is True
    listed = api.get("/api/v1/review/activities/", {"state": "all"}).json()["results"]
    assert {row["name"]: row["waiting"] for row in listed} == {"已通过的活动": False, "待审核的活动": True}


def test_the_qr_code_of_a_draft_is_documented_as_the_404_it_is(schema):
    organiser = make_organiser()
    draft = make_activity(organiser)
    answer = bearer(organiser).get(f"/api/v1/my/activities/{draft.public_code}/qrcode.png")
    assert answer.status_code == 404 and answer.json()["code"] == "not_found"
    documented = schema["paths"]["/api/v1/my/activities/{code}/qrcode.{kind}"]["get"]["responses"]
    assert "404" in documented and "409" not in documented


def test_unfilled_organization_info_is_the_documented_404(schema):
    answer = bearer(UserFactory()).get("/api/v1/me/organization/")
    assert answer.status_code == 404
    assert answer.json() == {"code": "not_found", "detail": "尚未填写单位信息", "fields": {}}
    assert "404" in schema["paths"]["/api/v1/me/organization/"]["get"]["responses"]


def test_each_view_keeps_its_own_summary(schema):
    summaries = {
        (method, path): operation["summary"]
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
    }
    assert summaries[("put", "/api/v1/activities/{code}/like/")] == "点赞"
    assert summaries[("delete", "/api/v1/activities/{code}/like/")] == "取消点赞"
    assert summaries[("put", "/api/v1/activities/{code}/favorite/")] == "收藏"
    assert summaries[("delete", "/api/v1/activities/{code}/favorite/")] == "取消收藏"
    assert summaries[("get", "/api/v1/me/checkins/")] == "已参与的活动"
    assert summaries[("get", "/api/v1/me/likes/")] == "点赞的活动"
    assert summaries[("get", "/api/v1/me/favorites/")] == "收藏的活动"
