from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Prefetch, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404

from activities.models import Activity, ActivityLink, ActivityPhoto
from kepuri.prepared import prepared
from notifications.services import unread
from reviews import access
from reviews.models import Recommendation
from summaries.models import ActivitySummary

from .models import CheckIn, Comment, Favorite, Like

LIST_COLUMNS = (
    "public_code", "name", "org_name", "activity_type", "starts_at", "ends_at", "poster_list",
    "address", "url", "like_count", "checkin_count", "comment_count", "decided_at",
    "region__name", "region__parent__name", "category__name", "campaign__label",
)  # fmt: skip


def listed():
    """What the public list shows: approved, 展示 = 是 (their approved version), not deleted."""
    return Activity.objects.filter(status=Activity.Status.APPROVED, is_public=True)


def for_list(activities):
    return activities.select_related("region__parent", "category", "campaign").only(*LIST_COLUMNS)


def activity_for_page(code: str) -> Activity:
    """An activity with what its public page shows: the facts, and the photos and links not hidden.

    Raises Http404 for an unknown or deleted code; the caller decides who may see one that is not
    public (``rules.visibility``).
    """
    queryset = Activity.objects.select_related(
        "campaign", "region__parent", "category", "supervisor"
    ).prefetch_related(
        Prefetch("photos", queryset=ActivityPhoto.objects.filter(hidden_at__isnull=True)),
        Prefetch("links", queryset=ActivityLink.objects.filter(hidden_at__isnull=True)),
    )
    try:
        return queryset.get(public_code=code)
    except Activity.DoesNotExist:
        raise Http404 from None


def for_action(code: str) -> Activity:
    """The approved activity an action (打卡, 点赞, 收藏, 评论) is for, with what the actions read:
    its state, dates and counts; 404 for any other."""
    fields = ("public_code", "status", "deleted_at", "starts_at", "ends_at", *COUNTERS)
    return get_object_or_404(
        Activity.objects.filter(status=Activity.Status.APPROVED).only(*fields), public_code=code
    )


def visible_comments(activity):
    """The comments its page shows, newest first (neither deleted nor hidden), with their authors."""
    return Comment.objects.visible().filter(activity=activity).select_related("author")


def recommended(limit=6):
    """Approved, shown activities that reviewers recommended; the newest approved ones if none were."""
    picked = listed().filter(Exists(Recommendation.objects.filter(activity=OuterRef("pk"))))
    chosen = list(for_list(picked).order_by("-decided_at")[:limit])
    return chosen or list(for_list(listed()).order_by("-decided_at")[:limit])


def live_counts():
    """Home page figures: listed activities, participants in summaries, check-ins (cached a minute)."""

    def compute():
        activities = listed().aggregate(n=Count("pk"), checkins=Sum("checkin_count"))
        participants = ActivitySummary.objects.filter(activity__status=Activity.Status.APPROVED).aggregate(
            n=Sum("participants")
        )
        return {
            "activities": activities["n"] or 0,
            "checkins": activities["checkins"] or 0,
            "participants": participants["n"] or 0,
        }

    return cache.get_or_set("public:live-counts", compute, 60)


COUNTERS = ("checkin_count", "like_count", "favorite_count", "comment_count")


def reader_state(user, activity) -> dict:
    """In one query, the activity's counts and what is ``user``'s on its page and in the header.

    The four counts; checked_in, liked, favorited; commented (a visible comment
    of theirs on it); unread (the 消息 count); reviews (an active reviewer role).
    """
    return _reader_state(user=user.pk, activity=activity.pk)


@prepared
def _reader_state(*, user, activity):
    here = OuterRef("pk")

    def own(model):
        return Exists(model.objects.filter(user=user, activity=here))

    unread_count = unread(user).order_by().values("recipient").annotate(n=Count("pk")).values("n")
    return Activity.all_objects.filter(pk=activity).values(
        *COUNTERS,
        checked_in=own(CheckIn),
        liked=own(Like),
        favorited=own(Favorite),
        commented=Exists(Comment.objects.visible().filter(author=user, activity=here)),
        unread=Coalesce(Subquery(unread_count), 0),
        reviews=Exists(access.active_roles(user)),
    )


def counts(activity) -> dict:
    """The activity's four counts as they stand."""
    return Activity.all_objects.filter(pk=activity.pk).values(*COUNTERS).get()
