"""``kepuri.prepared``: a query built once by the ORM answers like the ORM for any ids."""

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef

from kepuri.prepared import prepared
from public.models import Like
from tests.factories import UserFactory, make_activity

pytestmark = pytest.mark.django_db


@prepared
def liked(*, user, activity):
    return get_user_model().objects.filter(pk=user).values("phone", liked=Exists(
        Like.objects.filter(user=OuterRef("pk"), activity_id=activity)
    ))  # fmt: skip


def test_each_call_runs_the_query_with_its_own_ids(django_assert_num_queries):
    alice, bob = UserFactory(phone="13800000001"), UserFactory(phone="13800000002")
    first, second = make_activity(alice, status="approved"), make_activity(alice, status="approved")
    Like.objects.create(user=alice, activity=first)
    with django_assert_num_queries(1):
        assert liked(user=alice.pk, activity=first.pk) == {"phone": "13800000001", "liked": True}
    assert not liked(user=alice.pk, activity=second.pk)["liked"]
    assert liked(user=bob.pk, activity=first.pk) == {"phone": "13800000002", "liked": False}
    assert liked(user=-1, activity=first.pk) is None


def test_an_id_the_query_does_not_use_is_an_error():
    @prepared
    def careless(*, user, activity):
        return get_user_model().objects.filter(pk=user).values("phone")

    with pytest.raises(ValueError, match=r"does not use \['activity'\]"):
        careless(user=1, activity=2)


@prepared
def by_code(*, code, user):
    from activities.models import Activity

    return Activity.objects.filter(public_code=code).values(
        "starts_at", mine=Exists(Like.objects.filter(user_id=user, activity=OuterRef("pk")))
    )


def test_a_string_parameter_and_the_fields_own_conversions():
    """A public code as a parameter; an aware datetime and a real bool on every database."""
    alice = UserFactory()
    activity = make_activity(alice, status="approved")
    Like.objects.create(user=alice, activity=activity)
    row = by_code(code=activity.public_code, user=alice.pk)
    assert row == {"starts_at": activity.starts_at, "mine": True}
    assert row["starts_at"].tzinfo is not None and row["mine"] is True
    assert by_code(code=activity.public_code, user=-1)["mine"] is False
    assert by_code(code="nosuchco", user=alice.pk) is None
    assert by_code(code="x' OR '1'='1", user=alice.pk) is None  # a parameter, never SQL
