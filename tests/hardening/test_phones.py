"""Mobile numbers masked (139****5678) wherever others or lists see them (issue 9, item 6).

Masked: the public comments, the admin's lists of users, SMS codes and organisations.
In full, by decision: the reviewers' activity page and export (they must call the
organiser; see reviews/templates/reviews/activity.html), an organiser's own 单位管理, and
the admin's page of one account. The logs: tests/hardening/test_logs.py; the reminders'
dry run: tests/activities/test_reminders.py.
"""

import pytest
from django.test import Client

from accounts.models import SmsCode
from organizations.services import save_organization
from reviews.models import ReviewerRole
from tests.factories import UserFactory, make_activity
from tests.hardening.matrix import _unit
from tests.support import request_code, text_of

pytestmark = pytest.mark.django_db

FULL, MASKED = "13912345678", "139****5678"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def admin_client():
    return signed_in(UserFactory(phone="13800000000", is_staff=True, is_superuser=True))


def test_a_commenters_number_is_masked_on_the_public_page(client):
    activity = make_activity(UserFactory(), status="approved")
    member = signed_in(UserFactory(phone=FULL, name=""))
    answer = member.post(
        f"/a/{activity.public_code}/comments/", {"text": "很有意思"}, HTTP_X_REQUESTED_WITH="XMLHttpRequest"
    )
    assert MASKED in answer.json()["html"] and FULL not in answer.json()["html"]
    for reader in (client, member, signed_in(UserFactory())):
        html = reader.get(f"/a/{activity.public_code}/").content.decode()
        assert MASKED in html and "很有意思" in html
        assert FULL not in html


def test_the_admins_user_list_masks_numbers_and_finds_them_by_the_full_one(admin_client):
    user = UserFactory(phone=FULL, name="")
    page = admin_client.get("/admin/accounts/user/").content.decode()
    assert MASKED in page and FULL not in page
    found = admin_client.get("/admin/accounts/user/", {"q": FULL}).content.decode()
    assert f"/admin/accounts/user/{user.pk}/change/" in found and MASKED in found
    # One account's own page, where the admin corrects or calls it: in full.
    assert f'value="{FULL}"' in admin_client.get(f"/admin/accounts/user/{user.pk}/change/").content.decode()


def test_the_admins_sms_code_list_masks_numbers(admin_client):
    request_code(Client(), FULL)
    assert SmsCode.objects.filter(phone=FULL).exists()
    page = admin_client.get("/admin/accounts/smscode/").content.decode()
    assert MASKED in page and FULL not in page


def test_the_admins_organisation_list_masks_the_contacts_mobile(admin_client):
    save_organization(
        owner=UserFactory(),
        name="保定市示范科技馆",
        contact_name="李老师",
        contact_phone=FULL,
        address="保定",
    )
    page = admin_client.get("/admin/organizations/organization/").content.decode()
    assert "保定市示范科技馆" in page and MASKED in page and FULL not in page


def test_the_organiser_sees_their_own_contact_number_in_full():
    owner = UserFactory()
    save_organization(
        owner=owner, name="保定市示范科技馆", contact_name="李老师", contact_phone=FULL, address="保定"
    )
    assert FULL in text_of(signed_in(owner).get("/center/organization/"))


def test_reviewers_see_the_contact_number_in_full_the_public_does_not(client):
    activity = make_activity(UserFactory(), status="approved", org_contact_phone=FULL)
    reviewer = UserFactory()
    ReviewerRole.objects.create(user=reviewer, unit=_unit("保定市科协"))
    assert FULL in text_of(signed_in(reviewer).get(f"/review/activities/{activity.public_code}/"))
    public = client.get(f"/a/{activity.public_code}/").content.decode()
    assert FULL not in public and MASKED not in public
