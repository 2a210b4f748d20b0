"""Who reviews, and what: the decide set and the read set of SPEC §7, one queryset each.

Every page, action, count, export and notice of the console starts from
``decide_set`` or ``read_set``; views say which one they need with
``@reviewer_view("console" | "read" | "decide")``, and the permission test
reads that declaration from the URL configuration.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts import sessions
from accounts.models import User
from activities.models import Activity
from directory import jurisdiction
from directory.models import SupervisingUnit
from kepuri import microcache
from notifications.services import unread

from .models import ReviewerRole

ACCESS_LEVELS = ("console", "read", "decide")
SCOPE_TTL = 300


def reviewer_unit(user) -> SupervisingUnit | None:
    """The unit ``user`` reviews for: an active role's, or 中国科协's for a superuser; else None."""
    if not user.is_authenticated:
        return None
    cached = getattr(user, "_reviewer_unit", False)
    if cached is not False:
        return cached
    role = active_roles(user).select_related("unit__parent").first()
    unit = role.unit if role else None
    if unit is None and user.is_superuser:
        unit = SupervisingUnit.objects.filter(kind=SupervisingUnit.Kind.CAST).first()
    user._reviewer_unit = unit
    return unit


def active_roles(user):
    """``user``'s roles not revoked (``user`` may be an ``OuterRef`` in a subquery)."""
    return ReviewerRole.objects.filter(user=user, revoked_at__isnull=True)


def note_no_role(user) -> None:
    """A query that asked found no active role for ``user``: ``reviewer_unit`` need not ask again."""
    if not user.is_superuser:  # a superuser reviews for 中国科协 without a role
        user._reviewer_unit = None


def submitted():
    """Activities a reviewer can ever see: submitted once, not deleted."""
    return Activity.objects.exclude(status=Activity.Status.DRAFT)


def kept_scope(unit: SupervisingUnit) -> dict[str, list[int]]:
    """``jurisdiction.scope_ids`` of ``unit``, kept for five minutes: a unit added under it counts
    in its busiest pages (the queue) within that time, everywhere else at once."""
    return microcache.get_or_make(
        f"reviews:scope-ids:{unit.pk}", lambda: jurisdiction.scope_ids(unit), SCOPE_TTL
    )


def decide_set(unit: SupervisingUnit, *, kept: bool = False):
    """What ``unit``'s reviewers decide: activities belonging to it or to a unit below it.

    ``kept``: with the ids of ``kept_scope`` in the query rather than a subquery, so that
    PostgreSQL plans the queue by unit and city with its indexes.
    """
    units = kept_scope(unit)["units"] if kept else None
    return submitted().filter(jurisdiction.decide_q(unit, unit_field="owner_unit", units=units))


def read_set(unit: SupervisingUnit, *, kept: bool = False):
    """What ``unit``'s reviewers read: the decide set, plus, for a 科协, everything in its region."""
    ids = kept_scope(unit) if kept else {"units": None, "regions": None}
    return submitted().filter(
        jurisdiction.readable_q(
            unit, unit_field="owner_unit", region_field="region", units=ids["units"], regions=ids["regions"]
        )
    )


def waiting(activities):
    """Those with something to decide: 待审核, or an approved activity whose change waits."""
    return activities.filter(waiting_since__isnull=False)


def can_decide(user, activity: Activity) -> bool:
    unit = reviewer_unit(user)
    return (
        unit is not None and activity.owner_id != user.pk and decide_set(unit).filter(pk=activity.pk).exists()
    )


def reviewer_view(level: str):
    """Declare and enforce what a console view needs; ``code`` in the URL names the activity.

    Visitors go to the login page; users who review nothing get 403; an
    activity outside the reviewer's set is 404, so that no one learns it exists.
    The view receives ``unit`` and, for "read" and "decide", the ``activity``.
    """
    if level not in ACCESS_LEVELS:
        raise ValueError(level)

    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            _read_reviewer(request)
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            unit = reviewer_unit(request.user)
            if unit is None:
                raise PermissionDenied("只有审核员可以访问")
            if level == "console":
                return view(request, *args, unit=unit, **kwargs)
            code = kwargs.pop("code")
            scope = read_set(unit) if level == "read" else decide_set(unit).exclude(owner=request.user)
            activity = get_object_or_404(scope, public_code=code)
            return view(request, *args, unit=unit, activity=activity, **kwargs)

        wrapped.review_access = level
        return wrapped

    return decorate


def _read_reviewer(request) -> None:
    """The session's account, its active role's unit and its unread count, in one query.

    Django's ``get_user`` would read the account, ``reviewer_unit`` the role and the
    header its count, one query each. Here one query reads them, the session is checked
    on the account's fields as ``get_user`` does (``accounts.sessions``), and the request
    carries the account (``request.user``, with its unit remembered) and the count
    (``request.unread_message_count``, for the header). A session that does not hold
    (or none) is left to Django's own path, which answers and cleans up as always.
    """
    pk = sessions.account_id(request)
    if pk is None:
        return
    count = unread(OuterRef("pk")).order_by().values("recipient_id").annotate(n=Count("pk")).values("n")
    fields = (
        User.objects.filter(pk=pk)
        .annotate(
            role_unit=Subquery(active_roles(OuterRef("pk")).values("unit_id")[:1]), unread=Subquery(count)
        )
        .values(*sessions.ACCOUNT_FIELDS, "role_unit", "unread")
        .first()
    )
    account = sessions.signed_in(request, fields or {})
    if account is None:
        return
    if fields["role_unit"] is not None:
        account._reviewer_unit = _unit(fields["role_unit"])
    elif not account.is_superuser:
        account._reviewer_unit = None
    request.user = account
    request.unread_message_count = fields["unread"] or 0


def _unit(pk: int) -> SupervisingUnit:
    """A unit with its parent, kept for five minutes (which unit a reviewer has is read each time)."""
    return microcache.get_or_make(
        f"reviews:unit:{pk}", lambda: SupervisingUnit.objects.select_related("parent").get(pk=pk), SCOPE_TTL
    )


def require_in(queryset, **lookup):
    """The one object of ``queryset`` matching ``lookup``, or 404."""
    found = queryset.filter(**lookup).first()
    if found is None:
        raise Http404
    return found
