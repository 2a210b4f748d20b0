"""Reviewers around one activity located in 保定市 and belonging to 河北省科协 (归口: 其他); activities'
views and shares as the audience flush leaves them."""

import pytest

from audience import counting, flush
from audience.models import ActivityReach
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


def reach(activity, views, shares=0):
    """``activity``'s totals of views and shares, as the audience flush leaves them (``ActivityReach``)."""
    region = activity.region
    return ActivityReach.objects.create(
        activity=activity,
        campaign=activity.campaign,
        region=region,
        province=(region.parent or region) if region else None,
        views=views,
        shares=shares,
    )


def flushed(activity, views, shares=0):
    """Views and shares of ``activity`` counted as its page and its 分享 button count them, then flushed."""
    store = counting.store()
    store.add(counting.field(counting.VIEW, activity.public_code), views)
    if shares:
        store.add(counting.field(counting.SHARE, activity.public_code), shares)
    flush.flush()
