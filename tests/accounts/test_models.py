import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from accounts.models import User


@pytest.mark.django_db
def test_create_user_stores_the_canonical_phone():
    user = User.objects.create_user("１３８００１３８０００", "pw-kepuri-2020")
    assert user.phone == "13800138000"
    assert user.check_password("pw-kepuri-2020")
    assert User.objects.get_by_natural_key("１３８００１３８０００") == user


@pytest.mark.django_db
def test_create_user_refuses_an_invalid_phone():
    with pytest.raises(ValidationError):
        User.objects.create_user("12345", "pw-kepuri-2020")
    assert not User.objects.exists()


@pytest.mark.django_db
def test_the_database_refuses_a_non_canonical_phone():
    with pytest.raises(IntegrityError):
        User.objects.bulk_create([User(phone="１３８００１３８０００")])


@pytest.mark.django_db
def test_the_database_refuses_the_same_phone_twice():
    User.objects.create_user("13800138000", "pw")
    with pytest.raises(IntegrityError):
        User.objects.bulk_create([User(phone="13800138000")])


@pytest.mark.django_db
def test_superuser():
    admin = User.objects.create_superuser("13800000000", "pw")
    assert admin.is_staff and admin.is_superuser
