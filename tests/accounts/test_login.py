"""登录, 退出 and the header that shows who is in."""

import pytest

from tests.factories import PASSWORD, UserFactory
from tests.support import header_text, text_of

pytestmark = pytest.mark.django_db

PHONE = "13800138000"


def test_login_page_labels(client):
    page = text_of(client.get("/accounts/login/"))
    for label in ("登录", "手机号码", "密码", "忘记密码", "立即注册"):
        assert label in page


def test_login_with_phone_and_password_returns_to_next(client):
    user = UserFactory(phone=PHONE)
    response = client.post("/accounts/login/?next=/accounts/me/", {"phone": PHONE, "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == "/accounts/me/"
    assert int(client.session["_auth_user_id"]) == user.pk


def test_login_with_a_full_width_phone(client):
    UserFactory(phone=PHONE)
    response = client.post("/accounts/login/", {"phone": "１３８００１３８０００", "password": PASSWORD})
    assert response.status_code == 302


def test_login_refuses_an_unsafe_next(client):
    UserFactory(phone=PHONE)
    data = {"phone": PHONE, "password": PASSWORD}
    response = client.post("/accounts/login/?next=https://evil.example/", data)
    assert response.url == "/"


def test_wrong_password_keeps_the_phone_and_says_why(client):
    UserFactory(phone=PHONE)
    response = client.post("/accounts/login/", {"phone": PHONE, "password": "nope"})
    assert response.status_code == 200
    assert "手机号码或密码错误，还可尝试4次" in text_of(response)
    assert f'value="{PHONE}"' in response.content.decode()


def test_empty_and_invalid_input_get_messages(client):
    response = client.post("/accounts/login/", {"phone": " ", "password": ""})
    page = text_of(response)
    assert "请输入手机号码" in page and "请输入密码" in page
    response = client.post("/accounts/login/", {"phone": "12345", "password": "x"})
    assert "请输入正确的11位中国大陆手机号码" in text_of(response)


def test_deactivated_account_cannot_log_in(client):
    UserFactory(phone=PHONE, is_active=False)
    response = client.post("/accounts/login/", {"phone": PHONE, "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_visitor_header_offers_login_and_register(client):
    page = header_text(client.get("/"))
    assert "登录" in page and "注册" in page
    for label in ("发布活动", "用户中心", "个人中心", "退出"):
        assert label not in page


def test_user_header_offers_the_four_entries(client):
    client.force_login(UserFactory(phone=PHONE))
    response = client.get("/")
    page = header_text(response)
    for label in ("发布活动", "用户中心", "个人中心", "退出"):
        assert label in page
    assert "登录" not in page and "注册" not in page
    html = response.content.decode()
    for href in ('href="/publish/"', 'href="/center/"', 'href="/accounts/me/"'):
        assert href in html


def test_logout_is_a_post(client):
    client.force_login(UserFactory())
    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("url", ["/publish/", "/center/", "/accounts/me/", "/accounts/password/change/"])
def test_user_pages_send_visitors_to_login_and_back(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={url}"


@pytest.mark.parametrize("url", ["/publish/", "/center/", "/accounts/me/", "/accounts/password/change/"])
def test_user_pages_open_for_users(client, url):
    client.force_login(UserFactory())
    assert client.get(url).status_code == 200


def test_admin_login_goes_through_the_site_login(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=%2Fadmin%2F"


def test_admin_opens_for_a_superuser_only(client):
    client.force_login(UserFactory())
    assert client.get("/admin/").status_code == 302
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/accounts/user/").status_code == 200
    assert client.get("/admin/accounts/smscode/").status_code == 200
