"""The whole life of an activity with two client apps and the site between them (issue 17's walk).

An organiser's client registers by SMS code, fills in 单位信息, reports an activity with a poster; a
reviewer rejects it on the site; the client corrects and submits it again; the reviewer approves it;
the client downloads the QR code. A member of the public's client likes it, checks in and comments.
The site shows all of it, and each step is refused where the site would refuse it.
"""

from datetime import datetime

import pytest
from django.test import Client

import sms
from accounts.models import User
from directory.models import SupervisingUnit
from reviews.models import ReviewerRole
from tests.activities.conftest import image_file
from tests.api.test_my_activities import report
from tests.factories import UserFactory
from tests.support import SHANGHAI, last_code, text_of

pytestmark = pytest.mark.django_db

ORGANISER, MEMBER = "13800138000", "13700137000"


def sign_up(api, phone):
    """A client's first run: a code by SMS, then 同意协议并登录."""
    assert api.post("/api/v1/auth/sms-code/", {"phone": phone, "purpose": "login"}).status_code == 200
    answer = api.post(
        "/api/v1/auth/token/",
        {"grant_type": "sms_code", "phone": phone, "code": last_code(phone), "agree": True},
    )
    assert answer.status_code == 200, answer.json()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {answer.json()['access_token']}")
    return answer.json()["user"]


def reviewer_site():
    reviewer = UserFactory()
    ReviewerRole.objects.create(user=reviewer, unit=SupervisingUnit.objects.get(short_name="保定市科协"))
    client = Client()
    client.force_login(reviewer)
    return client


def test_two_clients_and_the_site_through_an_activitys_life(time_machine, django_capture_on_commit_callbacks):
    from rest_framework.test import APIClient

    time_machine.move_to(datetime(2020, 9, 1, 10, 0, tzinfo=SHANGHAI), tick=False)
    organiser = APIClient()
    assert sign_up(organiser, ORGANISER)["is_organiser"] is False

    refused = organiser.post("/api/v1/my/activities/", {"name": "节水科普进社区"})
    assert refused.json()["code"] == "organization_required"
    org = {
        "name": "保定市示范科技馆",
        "contact_name": "李老师",
        "contact_phone": "0312-5123456",
        "address": "保定市",
    }
    assert organiser.put("/api/v1/me/organization/", org).status_code == 200
    assert organiser.get("/api/v1/me/").json()["is_organiser"] is True

    values = report()
    values["poster"] = image_file()
    created = organiser.post("/api/v1/my/activities/", values, format="multipart")
    assert created.status_code == 201, created.json()
    code = created.json()["code"]
    assert created.json()["status"] == "pending"

    reviewer = reviewer_site()
    assert "节水科普进社区" in text_of(reviewer.get("/review/"))
    with django_capture_on_commit_callbacks(execute=True):
        reviewer.post(
            f"/review/activities/{code}/decide/", {"decision": "reject", "reason": "请补充活动地址的门牌号"}
        )
    mine = organiser.get(f"/api/v1/my/activities/{code}/").json()
    assert mine["status"] == "rejected" and mine["rejection_reason"] == "请补充活动地址的门牌号"
    assert mine["operations"]["can_edit"]["allowed"] is True
    inbox = organiser.get("/api/v1/messages/").json()["results"]
    assert inbox[0]["title"] == "活动未通过审核" and "请补充活动地址的门牌号" in inbox[0]["body"]
    assert any(message.phone == ORGANISER and "未通过" in message.text for message in sms.outbox)

    corrected = organiser.patch(
        f"/api/v1/my/activities/{code}/",
        {"address": "河北省保定市竞秀区示范社区活动中心 3 号楼", "submit": True},
    )
    assert corrected.status_code == 200 and corrected.json()["status"] == "pending"
    with django_capture_on_commit_callbacks(execute=True):
        reviewer.post(f"/review/activities/{code}/decide/", {"decision": "approve"})
    approved = organiser.get(f"/api/v1/my/activities/{code}/").json()
    assert approved["status"] == "approved"
    assert approved["operations"]["can_summarize"]["code"] == "window_not_open"
    png = organiser.get(f"/api/v1/my/activities/{code}/qrcode.png")
    assert png.status_code == 200 and png["Content-Type"] == "image/png"

    time_machine.move_to(datetime(2020, 9, 15, 10, 0, tzinfo=SHANGHAI), tick=False)
    member = APIClient()
    sign_up(member, MEMBER)
    with django_capture_on_commit_callbacks(execute=True):
        assert member.put(f"/api/v1/activities/{code}/like/").json()["counts"]["likes"] == 1
        assert member.put(f"/api/v1/activities/{code}/checkin/").json()["detail"] == "打卡成功"
        assert (
            member.post(f"/api/v1/activities/{code}/comments/", {"text": "讲得很好，孩子很喜欢"}).status_code
            == 201
        )

    page = text_of(Client().get(f"/a/{code}/"))
    assert "河北省保定市竞秀区示范社区活动中心 3 号楼" in page and "讲得很好，孩子很喜欢" in page
    public = member.get(f"/api/v1/activities/{code}/").json()
    assert public["counts"] == {"checkins": 1, "likes": 1, "favorites": 0, "comments": 1}
    assert [a["code"] for a in member.get("/api/v1/me/checkins/").json()["results"]] == [code]

    site = Client()
    site.force_login(User.objects.get(phone=ORGANISER))
    center = text_of(site.get("/center/"))
    assert "节水科普进社区" in center and "审核通过" in center
