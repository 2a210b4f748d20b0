"""The site's URLs, every role around one activity, and the answer each gets (test_permission_matrix)."""

from datetime import datetime

from django.urls import URLPattern, URLResolver, get_resolver, reverse

from activities.models import ActivityPhoto
from directory.models import SupervisingUnit
from notifications.models import Message
from public import services as public_services
from public.models import Comment
from reviews import services as review_services
from reviews.models import BulkApproval, ExportJob, ReviewerRole
from tests.factories import UserFactory, make_activity, make_organiser
from tests.support import SHANGHAI

# In the 2020 report window; the activity takes place on 2020-09-15.
NOW = datetime(2020, 9, 1, 10, 0, tzinfo=SHANGHAI)

# Who asks, in the order of the table's answers.
ROLES = ("visitor", "user", "owner", "other", "decider", "reader", "outsider", "superuser")


def url_names(*, api: bool = False):
    """Every named URL of the site but the admin's (Django's own, behind its staff login) and the
    API's; with ``api``, the API's only (tests/api/test_permission_matrix.py)."""

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue
                yield from walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield (f"{namespace}:" if namespace else "") + pattern.name, pattern

    found = dict(walk(get_resolver().url_patterns, None))
    return {name: pattern for name, pattern in found.items() if name.startswith("api:") == api}


def _unit(short_name):
    return SupervisingUnit.objects.get(short_name=short_name)


def _reviewer(short_name):
    user = UserFactory()
    ReviewerRole.objects.create(user=user, unit=_unit(short_name))
    return user


def _organiser(name):
    return make_organiser(name=name)


def world(state: str, *, export: bool = False) -> dict:
    """The users of ROLES and one activity in ``state`` (in 保定市, belonging to 河北省科协) with its objects."""
    users = {
        "user": UserFactory(),
        "owner": _organiser("保定市示范科技馆"),
        "other": _organiser("石家庄市科技馆"),
        "decider": _reviewer("河北省科协"),
        "reader": _reviewer("保定市科协"),
        "outsider": _reviewer("山西省科协"),
        "superuser": UserFactory(is_superuser=True, is_staff=True),
    }
    activity = make_activity(users["owner"], status=state, owner_unit=_unit("河北省科协"))
    photo = ActivityPhoto.objects.create(activity=activity, image="p.jpg", image_list="p-l.jpg")
    comment = (
        public_services.add_comment(user=users["user"], activity=activity, text="很好")
        if state == "approved"
        else Comment.objects.create(activity=activity, author=users["user"], text="很好", hidden_at=NOW)
    )
    message = Message.objects.create(
        recipient=users["owner"],
        kind="review_result",
        key=f"m{activity.pk}",
        channel="site",
        title="审核结果",
        body="",
    )
    job = bulk = None
    if export:  # a finished export and a bulk approval of the decider's (their pages are theirs alone)
        job = ExportJob.objects.create(requested_by=users["decider"], unit=_unit("河北省科协"))
        review_services.build_export(job)
        bulk = BulkApproval.objects.create(requested_by=users["decider"], unit=_unit("河北省科协"))
    args = {
        "code": activity.public_code,
        "pk": comment.pk,
        "item_id": photo.pk,
        "kind": "photo",
        "action": "hide",
        "job_id": job.pk if job else None,
        "bulk_job_id": bulk.pk if bulk else None,
    }
    return {"users": users, "activity": activity, "args": args, "message": message}


def url_of(name, pattern, args, message):
    kwargs = {key: args[key] for key in pattern.pattern.converters}
    if name.startswith("reviews:bulk_") and "job_id" in kwargs:
        kwargs["job_id"] = args["bulk_job_id"]
    if name == "notifications:open":
        kwargs["pk"] = message.pk
    return reverse(name, kwargs=kwargs)
