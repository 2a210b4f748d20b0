"""The public reads' cache: kept under a generation that any change moves on, read in one round trip."""

import pytest
from django.core.cache import caches

from kepuri import microcache

pytestmark = pytest.mark.django_db


def test_a_value_is_served_only_at_the_generation_it_was_made_at():
    generation, hit = microcache.get_current("k", "g")
    assert (generation, hit) == (0, None)
    microcache.set_current("k", generation, "made at 0", 60)
    assert microcache.get_current("k", "g") == (0, "made at 0")
    microcache.next_generation("g")
    assert microcache.get_current("k", "g") == (1, None)


def test_a_value_made_before_a_change_and_stored_after_it_is_never_served():
    generation, _ = microcache.get_current("k", "g")  # a rendering begins
    microcache.next_generation("g")  # the activity changes meanwhile
    microcache.set_current("k", generation, "stale", 60)  # the rendering ends and is stored
    assert microcache.get_current("k", "g") == (1, None)


def test_this_processs_copy_gives_way_to_a_change_made_through_another():
    generation, _ = microcache.get_current("k", "g")
    microcache.set_current("k", generation, "v", 60)
    assert microcache.get_current("k", "g")[1] == "v"  # now copied into this process
    from django.core.cache import cache

    cache.incr("g")  # another process moves the counter on (its own copy of nothing here changes)
    assert caches["local"].get("k") is not None
    assert microcache.get_current("k", "g") == (1, None)


def test_a_visitors_json_changes_at_once_after_a_like(api, django_capture_on_commit_callbacks):
    from tests.api.conftest import bearer
    from tests.factories import UserFactory, make_activity

    activity = make_activity(UserFactory(), status="approved")
    url = f"/api/v1/activities/{activity.public_code}/"
    assert api.get(url).json()["counts"]["likes"] == 0
    assert api.get(url).json()["counts"]["likes"] == 0  # served from the cache, before dispatch
    with django_capture_on_commit_callbacks(execute=True):
        bearer(UserFactory()).put(f"/api/v1/activities/{activity.public_code}/like/")
    assert api.get(url).json()["counts"]["likes"] == 1
