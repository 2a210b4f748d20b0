"""单位信息: fill it in, see it under 单位管理, change it with 修改单位填报信息."""

import pytest

from organizations.models import Organization
from tests.factories import UserFactory
from tests.support import text_of

pytestmark = pytest.mark.django_db

DATA = {
    "name": "青海省示范科技馆",
    "contact_name": "王老师",
    "contact_phone": "（0971）612 3456",
    "address": "青海省西宁市城西区示范路1号",
    "description": "面向青少年开展科普展览。",
}


@pytest.fixture
def user_client(client):
    client.force_login(UserFactory(phone="13800138000"))
    return client


def test_visitors_are_sent_to_login(client):
    for url in ("/center/organization/", "/center/organization/edit/"):
        assert client.get(url).url == f"/accounts/login/?next={url}"


def test_an_empty_profile_invites_to_fill_it_in(user_client):
    page = text_of(user_client.get("/center/organization/"))
    assert "单位管理" in page and "您还没有填写单位信息" in page and "填写单位信息" in page


def test_fill_in_then_change(user_client):
    form = text_of(user_client.get("/center/organization/edit/"))
    for label in ("单位名称", "填报人姓名", "填报人电话", "单位地址", "单位简介"):
        assert label in form

    response = user_client.post("/center/organization/edit/", DATA)

    assert response.status_code == 302 and response.url == "/center/organization/"
    organization = Organization.objects.get()
    assert organization.contact_phone == "0971-6123456"
    page = text_of(user_client.get("/center/organization/"))
    assert "单位信息已保存" in page and "青海省示范科技馆" in page and "修改单位填报信息" in page

    edit = user_client.get("/center/organization/edit/").content.decode()
    assert 'value="青海省示范科技馆"' in edit
    user_client.post("/center/organization/edit/", {**DATA, "name": "青海省科技馆", "description": ""})
    organization.refresh_from_db()
    assert (organization.name, organization.description) == ("青海省科技馆", "")
    assert Organization.objects.count() == 1


def test_required_fields_and_a_bad_phone_keep_what_was_typed(user_client):
    response = user_client.post(
        "/center/organization/edit/", {**DATA, "contact_name": "  ", "address": "", "contact_phone": "12345"}
    )
    page = text_of(response)
    assert "请填写填报人姓名" in page and "请填写单位地址" in page
    assert "请输入手机号码，或带区号的固定电话" in page
    html = response.content.decode()
    assert 'value="青海省示范科技馆"' in html and 'value="12345"' in html
    assert not Organization.objects.exists()


def test_the_description_is_optional_and_bounded(user_client):
    assert user_client.post("/center/organization/edit/", {**DATA, "description": ""}).status_code == 302
    response = user_client.post("/center/organization/edit/", {**DATA, "description": "长" * 1001})
    assert "1000" in text_of(response)


def test_a_mobile_contact_number_is_stored_canonical(user_client):
    user_client.post("/center/organization/edit/", {**DATA, "contact_phone": "１３９００００００００"})
    assert Organization.objects.get().contact_phone == "13900000000"


def test_admin_lists_organisations(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    for url in (
        "/admin/organizations/organization/",
        "/admin/activities/campaign/",
        "/admin/directory/region/",
        "/admin/directory/supervisingunit/",
        "/admin/directory/supervisingunit/import/",
    ):
        assert client.get(url).status_code == 200, url
