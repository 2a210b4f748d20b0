"""The admin's front page only for staff with a role: 后台登录 (is_staff) alone shows nothing of it."""

import pytest
from django.contrib.auth.models import Group, Permission

from tests.factories import UserFactory
from tests.support import text_of

pytestmark = pytest.mark.django_db

NO_ROLE = "您的账号尚未分配管理权限"
NO_ROLE_TEXT = "您的账号可以登录管理后台，但还没有任何管理权限（用户组或权限），因此无法进入管理后台。请联系管理员为您分配权限后再访问。"
ADMIN_INDEX = "云上科普日管理后台"  # the admin's own header, never on the site's pages


def permission(codename: str) -> Permission:
    return Permission.objects.get(codename=codename)


def signed_in(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize("url", ["/admin/", "/admin/activities/campaign/", "/admin/login/?next=/admin/"])
def test_staff_without_a_role_is_told_why_and_sees_nothing_of_the_admin(client, url):
    staff = signed_in(client, UserFactory(is_staff=True))
    response = staff.get(url, follow=True)
    page = text_of(response)
    assert response.status_code == 403
    assert NO_ROLE in page and NO_ROLE_TEXT in page
    assert ADMIN_INDEX not in page and "科普日年度" not in page
    assert len(response.redirect_chain) <= 1


def test_a_group_without_permissions_is_no_role(client):
    group = Group.objects.create(name="空角色")
    user = UserFactory(is_staff=True)
    user.groups.add(group)
    response = signed_in(client, user).get("/admin/", follow=True)
    assert response.status_code == 403 and NO_ROLE in text_of(response)


@pytest.mark.parametrize("through", ["group", "user"])
def test_staff_with_one_permission_gets_the_index_with_what_it_may_see(client, through):
    user = UserFactory(is_staff=True)
    if through == "group":
        group = Group.objects.create(name="年度管理员")
        group.permissions.add(permission("view_campaign"))
        user.groups.add(group)
    else:
        user.user_permissions.add(permission("view_campaign"))
    response = signed_in(client, user).get("/admin/")
    page = text_of(response)
    assert response.status_code == 200
    assert ADMIN_INDEX in page and "科普日年度" in page and "短信验证码" not in page
    assert signed_in(client, user).get("/admin/activities/campaign/").status_code == 200
    assert signed_in(client, user).get("/admin/accounts/user/").status_code == 403  # Django's own refusal


def test_a_superuser_gets_the_index(client):
    response = signed_in(client, UserFactory(is_staff=True, is_superuser=True)).get("/admin/")
    assert response.status_code == 200 and ADMIN_INDEX in text_of(response)


def test_permissions_without_staff_give_no_admin(client):
    user = UserFactory()
    user.user_permissions.add(permission("view_campaign"))
    response = signed_in(client, user).get("/admin/", follow=True)
    page = text_of(response)
    assert response.status_code == 403
    assert "您无权访问此页面" in page and NO_ROLE not in page and ADMIN_INDEX not in page


def test_a_staff_account_given_a_role_later_gets_in(client):
    user = UserFactory(is_staff=True)
    assert signed_in(client, user).get("/admin/", follow=True).status_code == 403
    user.user_permissions.add(permission("view_campaign"))
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize(("role", "offered"), [("none", False), ("permission", True), ("superuser", True)])
def test_the_header_offers_the_admin_only_to_whom_it_opens(client, role, offered):
    """管理后台 in the header (the page's own, and /a/<code>/me's for the shared activity page)."""
    from tests.factories import make_activity

    user = UserFactory(is_staff=True, is_superuser=role == "superuser")
    if role == "permission":
        user.user_permissions.add(permission("view_campaign"))
    signed_in(client, user)
    assert ("管理后台" in text_of(client.get("/center/"))) is offered
    activity = make_activity(UserFactory(), status="approved")
    assert client.get(f"/a/{activity.public_code}/me").json()["header"]["staff"] is offered
