import factory
from django.utils import timezone

from accounts.models import User

PASSWORD = "kepuri-Test-2020"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    phone = factory.Sequence(lambda n: f"139{n:08d}")
    terms_accepted_at = factory.LazyFunction(timezone.now)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def make_organiser(user=None, *, name="保定市示范科技馆", **fields):
    """``user`` (a new one by default) with the 单位信息 a real organiser fills in before publishing."""
    from organizations.services import save_organization

    user = user or UserFactory(**fields)
    save_organization(
        owner=user, name=name, contact_name="李老师", contact_phone="0312-5123456", address="保定市"
    )
    return user


def make_activity(owner, *, status="draft", campaign=None, **fields):
    """An activity in ``status`` with a complete 2020 report, as if it had gone through the wizard."""
    from datetime import datetime

    from activities import search
    from activities.models import Activity, Campaign
    from directory.models import Region, SupervisingUnit
    from tests.support import SHANGHAI

    campaign = campaign or Campaign.objects.get(year=2020)
    values = {
        "activity_type": "hybrid",
        "name": "节水科普进社区",
        "starts_at": datetime(2020, 9, 15, 9, 30, tzinfo=SHANGHAI),
        "ends_at": datetime(2020, 9, 15, 11, 30, tzinfo=SHANGHAI),
        "region": Region.objects.get(code="130600"),
        "category": None if "category" in fields else campaign.categories.get(name="节水"),
        "description": "面向社区居民开展节水知识讲座。",
        "address": "保定市竞秀区示范社区",
        "url": "https://live.example.org/jieshui",
        "supervisor_type": "city",
        "supervisor": SupervisingUnit.objects.get(short_name="保定市科协"),
        "owner_unit": SupervisingUnit.objects.get(short_name="保定市科协"),
        "hosts": ["保定市科学技术协会"],
        "poster": "activities/test/poster.jpg",
        "poster_list": "activities/test/poster-list.jpg",
        "poster_page": "activities/test/poster-page.jpg",
        "org_name": "保定市示范科技馆",
        "status": status,
    }
    if status != Activity.Status.DRAFT:
        submitted = datetime(2020, 9, 1, 10, 0, tzinfo=SHANGHAI)
        values |= {"first_submitted_at": submitted, "submitted_at": submitted}
    values.update(fields)
    if status == Activity.Status.PENDING:
        values.setdefault("waiting_since", values["submitted_at"])
    activity = Activity(owner=owner, campaign=campaign, **values)
    if status != Activity.Status.DRAFT:  # set on submission, as services._submit does
        search.refresh(activity)
    activity.save()
    return activity


def make_change(activity, *, data=None, submitted_at=None):
    """A change of an approved activity waiting for review, as the wizard files it."""
    from django.utils import timezone

    from activities.models import ActivityChange

    at = submitted_at or timezone.now()
    change = ActivityChange.objects.create(
        activity=activity, data=data or {}, submitted_by=activity.owner, submitted_at=at
    )
    type(activity).objects.filter(pk=activity.pk).update(waiting_since=at)
    activity.refresh_from_db()
    return change
