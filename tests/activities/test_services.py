"""The activity services at each window's edge, and what each write leaves behind."""

import uuid
from datetime import date, datetime, timedelta

import pytest
from django.core.files.base import ContentFile

from activities import services, transitions
from activities.models import Activity, ActivityChange, DeadlineExtension, ReviewDecision
from activities.reports import Report
from directory.models import SupervisingUnit
from organizations.services import save_organization
from tests.factories import UserFactory, make_activity
from tests.support import SHANGHAI

pytestmark = pytest.mark.django_db

TICK = timedelta(microseconds=1)


def at(*args):
    return datetime(*args, tzinfo=SHANGHAI)


REPORT_OPENS = at(2020, 8, 3)
REPORT_CLOSES = at(2020, 9, 26)  # the midnight after 9-25
SUPPLEMENT_CLOSES = at(2020, 10, 10)
SUMMARY_CLOSES = at(2020, 10, 17)


def complete_report(**changes) -> Report:
    """The report of ``make_activity``, without making one."""
    sample = make_activity(UserFactory(), status="draft")
    report = Report.of(sample)
    sample.delete()
    return Report(**(report.__dict__ | changes))


def submit_new(owner, campaign, when, **kwargs):
    return services.save_report(
        owner=owner,
        report=complete_report(),
        submit=True,
        campaign=campaign,
        token=uuid.uuid4(),
        at=when,
        poster=kwargs.pop("poster", None) or poster_files(),
        **kwargs,
    )


def poster_files():
    from kepuri.uploads import ProcessedImage

    return ProcessedImage(
        name="poster.jpg",
        files={key: ContentFile(b"jpeg", name=f"p-{key}.jpg") for key in ("original", "list", "page")},
    )


# --- create and submit: the report window ---------------------------------------


def test_create_and_submit_at_the_last_instant_of_the_report_window(organiser, campaign):
    activity = submit_new(organiser, campaign, REPORT_CLOSES - TICK)
    assert activity.status == Activity.Status.PENDING
    assert activity.submitted_at == activity.first_submitted_at == REPORT_CLOSES - TICK


def test_create_at_midnight_after_the_report_deadline_is_refused(organiser, campaign):
    with pytest.raises(services.ActivityError, match="活动填报已于2020年9月25日截止"):
        submit_new(organiser, campaign, REPORT_CLOSES)
    assert not Activity.all_objects.exists()


def test_create_from_the_opening_instant(organiser, campaign):
    with pytest.raises(services.ActivityError, match="活动填报将于2020年8月3日开放"):
        submit_new(organiser, campaign, REPORT_OPENS - TICK)
    assert submit_new(organiser, campaign, REPORT_OPENS).status == Activity.Status.PENDING


def test_submit_a_draft_at_the_edges(organiser):
    draft = make_activity(organiser, status="draft")
    with pytest.raises(services.ActivityError, match="截止"):
        services.save_report(
            owner=organiser, report=Report.of(draft), submit=True, activity=draft, at=REPORT_CLOSES
        )
    activity = services.save_report(
        owner=organiser, report=Report.of(draft), submit=True, activity=draft, at=REPORT_CLOSES - TICK
    )
    assert activity.status == Activity.Status.PENDING


def test_submission_copies_the_organisation_and_sets_the_owning_unit(organiser, campaign):
    report = complete_report(supervisor_type="other", supervisor=None, supervisor_name="保定市某中学")
    activity = services.save_report(
        owner=organiser,
        report=report,
        submit=True,
        campaign=campaign,
        token=uuid.uuid4(),
        poster=poster_files(),
        at=at(2020, 9, 1),
    )
    assert (activity.org_name, activity.org_contact_name, activity.org_contact_phone) == (
        "保定市示范科技馆",
        "李老师",
        "0312-5123456",
    )
    assert activity.owner_unit == SupervisingUnit.objects.get(short_name="河北省科协")
    save_organization(
        owner=organiser, name="改名后的单位", contact_name="王", contact_phone="13900000000", address="x"
    )
    activity.refresh_from_db()
    assert activity.org_name == "保定市示范科技馆"
    assert ReviewDecision.objects.get().to_status == "pending"


def test_an_incomplete_report_is_not_submitted(organiser, campaign):
    with pytest.raises(services.IncompleteReport) as error:
        services.save_report(
            owner=organiser,
            report=Report(name="只有名字"),
            submit=True,
            campaign=campaign,
            token=uuid.uuid4(),
            at=at(2020, 9, 1),
        )
    assert error.value.problems["poster"] == "请上传活动宣传图"
    assert error.value.problems["activity_type"] == "请选择活动类型"
    assert not Activity.all_objects.exists()


def test_submission_needs_the_organisation(campaign):
    with pytest.raises(services.ActivityError, match="请先填写单位信息"):
        submit_new(UserFactory(), campaign, at(2020, 9, 1))


def test_the_same_form_sent_twice_makes_one_activity(organiser, campaign):
    token = uuid.uuid4()
    kwargs = {"owner": organiser, "submit": True, "campaign": campaign, "token": token, "at": at(2020, 9, 1)}
    first = services.save_report(report=complete_report(), poster=poster_files(), **kwargs)
    second = services.save_report(report=complete_report(name="第二次点击"), poster=poster_files(), **kwargs)
    assert first.pk == second.pk
    assert Activity.objects.get().name == "节水科普进社区"


# --- edit ---------------------------------------------------------------------------


def test_a_pending_activity_cannot_be_edited(organiser):
    activity = make_activity(organiser, status="pending")
    with pytest.raises(services.ActivityError, match="活动待审核"):
        services.save_report(
            owner=organiser, report=Report.of(activity), submit=True, activity=activity, at=at(2020, 9, 1)
        )


def test_a_rejected_activity_goes_back_to_pending_until_the_deadline(organiser):
    activity = make_activity(organiser, status="rejected", rejection_reason="缺少地址")
    report = Report.of(activity)
    with pytest.raises(services.ActivityError, match="截止"):
        services.save_report(owner=organiser, report=report, submit=True, activity=activity, at=REPORT_CLOSES)
    activity = services.save_report(
        owner=organiser, report=report, submit=True, activity=activity, at=REPORT_CLOSES - TICK
    )
    assert activity.status == Activity.Status.PENDING


def test_an_approved_activity_keeps_its_version_until_the_change_is_approved(organiser):
    activity = make_activity(organiser, status="approved")
    code = activity.public_code
    changed = Report.of(activity)
    changed.name = "节水科普进社区（第二场）"
    services.save_report(
        owner=organiser, report=changed, submit=True, activity=activity, at=REPORT_CLOSES - TICK
    )

    activity.refresh_from_db()
    assert activity.name == "节水科普进社区" and activity.status == Activity.Status.APPROVED
    assert activity.pending_change.data["name"] == "节水科普进社区（第二场）"
    with pytest.raises(services.ActivityError, match="修改待审核"):
        services.save_report(
            owner=organiser, report=changed, submit=True, activity=activity, at=at(2020, 9, 2)
        )

    transitions.approve(activity=activity, by=UserFactory(is_staff=True), at=at(2020, 9, 3))
    activity.refresh_from_db()
    assert (activity.name, activity.public_code, activity.status) == (
        "节水科普进社区（第二场）",
        code,
        "approved",
    )


def test_a_rejected_change_leaves_the_approved_version(organiser):
    activity = make_activity(organiser, status="approved")
    changed = Report.of(activity)
    changed.name = "改错的名字"
    services.save_report(owner=organiser, report=changed, submit=True, activity=activity, at=at(2020, 9, 1))
    transitions.reject(activity=activity, by=UserFactory(is_staff=True), reason="名称有误", at=at(2020, 9, 2))
    activity.refresh_from_db()
    assert activity.name == "节水科普进社区" and activity.status == "approved"
    assert activity.latest_change.status == ActivityChange.Status.REJECTED
    assert activity.latest_change.rejection_reason == "名称有误"


def test_an_approved_activity_cannot_be_kept_as_a_draft(organiser):
    activity = make_activity(organiser, status="approved")
    with pytest.raises(services.ActivityError, match="不能暂存"):
        services.save_report(
            owner=organiser, report=Report.of(activity), submit=False, activity=activity, at=at(2020, 9, 1)
        )


def test_the_change_window_is_the_report_window(organiser):
    activity = make_activity(organiser, status="approved")
    with pytest.raises(services.ActivityError, match="活动填报已于2020年9月25日截止"):
        services.save_report(
            owner=organiser, report=Report.of(activity), submit=True, activity=activity, at=REPORT_CLOSES
        )


def test_another_organiser_cannot_edit(organiser):
    activity = make_activity(organiser, status="draft")
    with pytest.raises(services.ActivityError, match="只有发布该活动的账号可以操作"):
        services.save_report(
            owner=UserFactory(),
            report=Report.of(activity),
            submit=False,
            activity=activity,
            at=at(2020, 9, 1),
        )


# --- supplement ---------------------------------------------------------------------


def supplement(activity, user, when):
    return services.save_supplement(
        activity=activity,
        user=user,
        photos=[],
        video_links=[],
        news_links=["https://news.example.org/1"],
        at=when,
    )


def test_supplement_until_its_deadline_once(organiser):
    activity = make_activity(organiser, status="pending")
    with pytest.raises(services.ActivityError, match="补充活动信息已于2020年10月9日截止"):
        supplement(activity, organiser, SUPPLEMENT_CLOSES)
    supplement(activity, organiser, SUPPLEMENT_CLOSES - TICK)
    with pytest.raises(services.ActivityError, match="活动信息已补充，不可修改"):
        supplement(activity, organiser, SUPPLEMENT_CLOSES - TICK)
    assert activity.links.count() == 1


def test_supplement_opens_at_the_first_submission(organiser):
    submitted = at(2020, 9, 1, 10, 0)
    activity = make_activity(
        organiser, status="pending", first_submitted_at=submitted, submitted_at=submitted
    )
    with pytest.raises(services.ActivityError, match="补充活动信息将于2020年9月1日 10:00开放"):
        supplement(activity, organiser, submitted - TICK)
    supplement(activity, organiser, submitted)


def test_an_extension_moves_the_supplement_deadline(organiser):
    activity = make_activity(organiser, status="approved")
    DeadlineExtension.objects.create(
        activity=activity,
        window="supplement",
        last_day=date(2020, 10, 20),
        reason="疫情",
        granted_by=UserFactory(),
    )
    supplement(activity, organiser, at(2020, 10, 21) - TICK)
    assert activity.links.exists()


def test_an_empty_supplement_is_refused(organiser):
    activity = make_activity(organiser, status="pending")
    with pytest.raises(services.ActivityError, match="跳过"):
        services.save_supplement(
            activity=activity, user=organiser, photos=[], video_links=[], news_links=[], at=at(2020, 9, 2)
        )


# --- delete -------------------------------------------------------------------------


def test_delete_is_soft_and_restorable(organiser):
    activity = make_activity(organiser, status="approved")
    with pytest.raises(services.ActivityError):
        services.delete_activity(activity=activity, user=UserFactory())
    services.delete_activity(activity=activity, user=organiser)
    assert not Activity.objects.exists()
    assert Activity.all_objects.get().deleted_by == organiser
    services.restore_activity(activity=activity)
    assert Activity.objects.get().deleted_at is None


# --- decisions ----------------------------------------------------------------------


def test_decisions_need_a_waiting_activity_and_a_reviewer_who_is_not_the_owner(organiser):
    activity = make_activity(organiser, status="pending")
    reviewer = UserFactory(is_staff=True)
    with pytest.raises(services.ActivityError, match="不能审核自己发布的活动"):
        transitions.approve(activity=activity, by=organiser)
    with pytest.raises(services.ActivityError, match="请填写审核未通过的原因"):
        transitions.reject(activity=activity, by=reviewer, reason="  ")
    transitions.approve(activity=activity, by=reviewer)
    with pytest.raises(services.ActivityError, match="没有待审核的内容"):
        transitions.approve(activity=activity, by=reviewer)
    assert list(ReviewDecision.objects.values_list("from_status", "to_status")) == [("pending", "approved")]


def test_waiting_since_follows_what_waits_for_a_reviewer(organiser, campaign):
    reviewer = UserFactory(is_staff=True)
    activity = submit_new(organiser, campaign, at(2020, 9, 1))
    assert activity.waiting_since == at(2020, 9, 1)
    transitions.approve(activity=activity, by=reviewer, at=at(2020, 9, 2))
    activity.refresh_from_db()
    assert activity.waiting_since is None
    changed = Report.of(activity)
    changed.name = "新名字"
    services.save_report(owner=organiser, report=changed, submit=True, activity=activity, at=at(2020, 9, 3))
    activity.refresh_from_db()
    assert activity.waiting_since == at(2020, 9, 3)
    transitions.reject(activity=activity, by=reviewer, reason="不行", at=at(2020, 9, 4))
    activity.refresh_from_db()
    assert activity.waiting_since is None
