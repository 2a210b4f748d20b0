import json

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Count, Exists, OuterRef, Prefetch, Subquery, Sum
from django.db.models.functions import Coalesce, JSONObject
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.dateparse import parse_datetime

from accounts.models import User
from accounts.sessions import ACCOUNT_FIELDS
from activities.models import Activity, ActivityLink, ActivityPhoto, Campaign
from audience import figures, flush
from kepuri.prepared import prepared
from notifications.services import unread
from reviews import access
from reviews.models import Recommendation
from summaries.selectors import participants

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


def for_poster(code: str) -> Activity:
    """An activity with what its share poster shows (``activities.share_poster``): its campaign and
    region read with it. Raises Http404 for an unknown or deleted code; the caller decides whether
    it is public (``rules.visibility``)."""
    return get_object_or_404(Activity.objects.select_related("campaign", "region__parent"), public_code=code)


COUNTERS = ("checkin_count", "like_count", "favorite_count", "comment_count")
ACTION_FIELDS = ("id", "public_code", "status", "deleted_at", "starts_at", "ends_at", *COUNTERS)


def for_action(code: str) -> Activity:
    """The approved activity an action (打卡, 点赞, 收藏, 评论) is for, with what the actions read:
    its state, dates and counts; 404 for any other."""
    return get_object_or_404(_approved().only(*ACTION_FIELDS), public_code=code)


def for_action_by(code: str, user_id: int) -> tuple[Activity, dict]:
    """``for_action`` and, in the same query, the account fields its session is checked against
    (``accounts.sessions.ACCOUNT_FIELDS``; None for no such account): a tap costs one read."""
    row = _action_row(code=code, user=user_id)
    if row is None:
        raise Http404
    account = _account(row)
    names = [f.attname for f in Activity._meta.concrete_fields if f.attname in row]
    return Activity.from_db(DEFAULT_DB_ALIAS, names, [row[name] for name in names]), account


def _account_fields(user) -> dict:
    """The account's fields as one subquery (a JSON object): one more plan node rather than six."""
    fields = JSONObject(**{name: name for name in ACCOUNT_FIELDS})
    return {"account": Subquery(User.objects.filter(pk=user).values(fields=fields)[:1])}


def _account(row: dict) -> dict:
    """The account's fields out of a row (``_account_fields``), typed as the model's: each None for
    no account."""
    found = row.pop("account") or {}
    if isinstance(found, str):  # a database that hands JSON back as text
        found = json.loads(found)
    account = {name: found.get(name) for name in ACCOUNT_FIELDS}
    for name in ("is_active", "is_superuser", "is_staff"):  # SQLite's JSON has 1 and 0
        account[name] = None if account[name] is None else bool(account[name])
    if isinstance(account["deleted_at"], str):
        account["deleted_at"] = parse_datetime(account["deleted_at"])
    return account


@prepared
def _action_row(*, code, user):
    return _approved().filter(public_code=code).order_by().values(*ACTION_FIELDS, **_account_fields(user))


def visible_comments(activity):
    """The comments its page shows, newest first (neither deleted nor hidden), with their authors."""
    return Comment.objects.visible().filter(activity=activity).select_related("author")


def recommended(limit=6):
    """Approved, shown activities that reviewers recommended; the newest approved ones if none were."""
    picked = listed().filter(Exists(Recommendation.objects.filter(activity=OuterRef("pk"))))
    chosen = list(for_list(picked).order_by("-decided_at")[:limit])
    return chosen or list(for_list(listed()).order_by("-decided_at")[:limit])


def live_counts():
    """Home page figures, the season's four: listed activities, their participants
    (``summaries.selectors``), page views and shares (``audience.figures``); cached a minute, so the
    home page stays one page for every reader and costs no query for them."""

    def compute():
        flush.flush_if_due()
        activities = listed().aggregate(n=Count("pk"), participants=Sum(participants()))
        reach = figures.season_reach(Campaign.objects.current())
        return {
            "activities": activities["n"] or 0,
            "participants": activities["participants"] or 0,
            "views": reach["views"],
            "shares": reach["shares"],
        }

    return cache.get_or_set("public:live-counts", compute, 60)


def reader_state(user, activity) -> dict:
    """In one query, the activity's counts and what is ``user``'s on its page and in the header.

    The four counts; checked_in, liked, favorited; commented (a visible comment
    of theirs on it); unread (the 消息 count); reviews (an active reviewer role).
    """
    return _reader_state(user=user.pk, activity=activity.pk)


def _readers(user) -> dict:
    """What is ``user``'s on an activity's page (the activity as ``OuterRef("pk")``) and in the header."""
    here = OuterRef("pk")

    def own(model):
        return Exists(model.objects.filter(user=user, activity=here))

    unread_count = unread(user).order_by().values("recipient").annotate(n=Count("pk")).values("n")
    return {
        "checked_in": own(CheckIn),
        "liked": own(Like),
        "favorited": own(Favorite),
        "commented": Exists(Comment.objects.visible().filter(author=user, activity=here)),
        "unread": Coalesce(Subquery(unread_count), 0),
        "reviews": Exists(access.active_roles(user)),
    }


@prepared
def _reader_state(*, user, activity):
    return Activity.all_objects.filter(pk=activity).values(*COUNTERS, **_readers(user))


def reader_page(code: str, user_id: int) -> tuple[dict, dict] | None:
    """``/a/<code>/me`` in one query: the activity an action is for (``for_action``: its id,
    organiser and counts), what is the reader's (as ``reader_state``); and the account's fields its
    session is checked against (``accounts.sessions.ACCOUNT_FIELDS``, each None for no such account).
    None when ``code`` is no approved activity. ``user_id`` 0: a visitor.
    """
    row = _reader_page(code=code, user=user_id)
    return None if row is None else (row, _account(row))


@prepared
def _reader_page(*, code, user):
    return (
        _approved()
        .filter(public_code=code)
        .order_by()
        .values("id", "owner_id", *COUNTERS, **_readers(user), **_account_fields(user))
    )


def _approved():
    return Activity.objects.filter(status=Activity.Status.APPROVED)


def counts(activity) -> dict:
    """The activity's four counts as they stand."""
    return Activity.all_objects.filter(pk=activity.pk).values(*COUNTERS).get()
