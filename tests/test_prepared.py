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
