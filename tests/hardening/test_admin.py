"""The admin behind the site's login and its limits (issue 9): locked like any account, hidden from others."""

import pytest

from tests.factories import PASSWORD, UserFactory
from tests.support import text_of

pytestmark = pytest.mark.django_db

PHONE = "13800000000"


def test_failed_logins_lock_an_admin_account_too(client, clock):
    UserFactory(phone=PHONE, is_staff=True, is_superuser=True)
    login_url = client.get("/admin/login/?next=/admin/").url
    assert login_url == "/accounts/login/?next=%2Fadmin%2F"  # the admin's login is the site's
    for left in (4, 3, 2, 1):
        assert f"手机号码或密码错误，还可尝试{left}次" in text_of(
            client.post(login_url, {"phone": PHONE, "password": "x"})
        )
    client.post(login_url, {"phone": PHONE, "password": "x"})

    refused = client.post(login_url, {"phone": PHONE, "password": PASSWORD})

    assert refused.status_code == 200
    assert "该手机号15分钟内连续登录失败5次，已锁定15分钟，请于 09:15 后再试" in text_of(refused)
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").url.startswith("/admin/login/")


def test_the_admins_own_login_form_takes_no_password(client):
    """Django's admin login (no limits) is not reachable: a post to it is only sent on to the site's."""
    UserFactory(phone=PHONE, is_staff=True, is_superuser=True)
    response = client.post("/admin/login/?next=/admin/", {"username": PHONE, "password": PASSWORD})
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("url", ["/admin/", "/admin/accounts/user/", "/admin/login/?next=/admin/"])
def test_a_signed_in_user_without_admin_rights_is_refused_without_a_glimpse_of_it(client, url):
    client.force_login(UserFactory())
    response = client.get(url, follow=True)  # once a loop: admin → login → admin → …
    page = text_of(response)
    assert response.status_code == 403
    assert "您无权访问此页面" in page and "管理后台" not in page
    assert len(response.redirect_chain) <= 2


@pytest.mark.parametrize("url", ["/admin/", "/admin/accounts/user/"])
def test_a_visitor_is_sent_to_the_sites_login(client, url):
    response = client.get(url, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0].startswith("/accounts/login/?next=")
    assert "管理后台" not in text_of(response)


def test_an_admin_signed_in_is_not_refused(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.get("/admin/login/?next=/admin/accounts/user/", follow=True)
    assert response.status_code == 200 and response.redirect_chain[-1][0] == "/admin/accounts/user/"
