"""Reading an organiser's own activities, for 用户中心 and the API alike."""

from django.db.models import Prefetch
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
