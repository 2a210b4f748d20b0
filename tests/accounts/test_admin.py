import pytest

from accounts.models import SmsCode, User
from tests.factories import UserFactory
from tests.support import request_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_admin_adds_a_user_with_a_full_width_phone(admin_client):
    response = admin_client.post(
        "/admin/accounts/user/add/",
        {
            "phone": "１３６００１３６０００",
            "password1": "kepuri-Admin-2020",
            "password2": "kepuri-Admin-2020",
        },
    )
    assert response.status_code == 302
    assert User.objects.filter(phone="13600136000").exists()


def test_admin_sees_codes_but_never_the_code(admin_client):
    request_code(admin_client, "13800138000")
    row = SmsCode.objects.get()
    page = admin_client.get(f"/admin/accounts/smscode/{row.pk}/change/").content.decode()
    assert row.code_hmac not in page
    assert admin_client.get("/admin/accounts/smscode/add/").status_code == 403
