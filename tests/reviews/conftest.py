"""Reviewers around one activity located in 保定市 and belonging to 河北省科协 (归口: 其他)."""

import pytest

from directory.models import SupervisingUnit
from reviews.models import ReviewerRole
from tests.factories import UserFactory, make_activity


def unit(short_name):
    return SupervisingUnit.objects.get(short_name=short_name)


def reviewer(short_name, phone):
    user = UserFactory(phone=phone)
    ReviewerRole.objects.create(user=user, unit=unit(short_name))
    return user


@pytest.fixture
def organiser():
    return UserFactory(phone="13800138000")


@pytest.fixture
def activity(organiser):
    """待审核, in 保定市, belonging to 河北省科协 (its organiser chose 其他)."""
    return make_activity(
        organiser,
        status="pending",
        supervisor_type="other",
        supervisor=None,
        supervisor_name="保定市某中学",
        owner_unit=unit("河北省科协"),
    )


@pytest.fixture
def roles(organiser):
    """Every kind of user the console must tell apart, by name."""
    return {
        "organiser": organiser,
        "unit": reviewer("河北省科协", "13900000001"),
        "child": reviewer("保定市科协", "13900000002"),
        "parent": reviewer("中国科协", "13900000003"),
        "sibling": reviewer("山西省科协", "13900000004"),
        "ministry": reviewer("教育部", "13900000005"),
        "superuser": UserFactory(phone="13900000006", is_superuser=True, is_staff=True),
    }
