"""Reading an organiser's own activities, for 用户中心 and the API alike; each one's views and shares."""

from django.db.models import Prefetch
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from .models import Activity, ActivityChange


def own_activities(user):
    """``user``'s living activities, newest first, with what the 活动管理 table and its rules read."""
    return (
        Activity.objects.filter(owner=user)
        .select_related("campaign", "region__parent", "category", "supervisor")
        .prefetch_related(
            Prefetch("changes", queryset=ActivityChange.objects.order_by("-submitted_at")), "extensions"
        )
    )


def own_activity(user, code: str) -> Activity:
    """The user's own living activity by its public code; 404 for anyone else's (no hint that it exists)."""
    return get_object_or_404(own_activities(user), public_code=code)


def with_reach(activities):
    """``activities`` with ``reach_views`` and ``reach_shares``: each one's page views and shares so
    far, 0 before any.

    The totals are the rows the audience flush keeps (``audience.models.ActivityReach``, the
    activity's ``reach``): read here by one LEFT JOIN on the activity's key, no query of its
    own, so that a list shows them in the queries it already asks. Counts still waiting in
    Redis show after the next flush (``AUDIENCE_FLUSH_SECONDS``).
    """
    return activities.annotate(
        reach_views=Coalesce("reach__views", 0), reach_shares=Coalesce("reach__shares", 0)
    )
