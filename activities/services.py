"""What an organiser does with an activity: report, submit, change, supplement, delete.

Every write locks the activity row, asks ``rules`` whether the operation is
allowed now (window, status, owner), and raises ``ActivityError`` with the
reason when it is not, whatever the page showed. Review decisions live in
``transitions``.
"""

from datetime import datetime, timedelta
from uuid import UUID

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from directory import jurisdiction
from kepuri.errors import Refusal
from kepuri.uploads import ProcessedImage
from organizations.models import Organization

from . import files, rules, search
from .models import Activity, ActivityChange, ActivityLink, ActivityPhoto, ReviewDecision, StagedPoster
from .reports import Report

Status = Activity.Status
POSTER_FIELDS = {"original": "poster", "list": "poster_list", "page": "poster_page"}


class ActivityError(Refusal):
    """A refusal to show to the user as is (``kepuri.errors.Refusal``)."""


class IncompleteReport(ActivityError):
    """保存并下一步 on a report that misses something; ``problems`` maps fields to messages."""

    def __init__(self, problems: dict[str, str]):
        super().__init__("活动信息不完整，请按提示补充", code="incomplete")
        self.problems = problems


def require(permission: rules.Permission) -> None:
    """Refuse with the rule's reason and code (the site and the API ask the same rules)."""
    if not permission:
        raise ActivityError(permission.reason, permission.code)


def _poster_files(poster: ProcessedImage | StagedPoster | None) -> dict[str, ContentFile]:
    if poster is None:
        return {}
    if isinstance(poster, ProcessedImage):
        return poster.files
    files = {}
    for key, field in POSTER_FIELDS.items():
        stored = getattr(poster, field)
        with stored.open("rb") as source:
            files[key] = ContentFile(source.read(), name=stored.name.rsplit("/", 1)[-1])
    return files


def _attach_poster(target, poster) -> None:
    """Put the poster's files on ``target`` (an activity or a change), not yet saved.

    The poster it replaces is discarded (deleted after the grace period), a staged
    poster's files at once: they were copied (``activities.files``).
    """
    new = _poster_files(poster)
    if new:
        files.discard(files.poster_names(target), reason=files.Reason.REPLACED)
    for key, content in new.items():
        getattr(target, POSTER_FIELDS[key]).save(content.name, content, save=False)
    if isinstance(poster, StagedPoster):
        files.discard(files.poster_names(poster), reason=files.Reason.STAGED, after=timedelta(0))
        poster.delete()


def stage_poster(*, owner, poster: ProcessedImage) -> StagedPoster:
    """Keep an accepted poster of a form that failed elsewhere, so the next try need not upload it again."""
    staged = StagedPoster(owner=owner, original_name=poster.name)
    for key, content in poster.files.items():
        getattr(staged, POSTER_FIELDS[key]).save(content.name, content, save=False)
    staged.save()
    return staged


def record_decision(
    activity: Activity,
    *,
    actor,
    at: datetime,
    from_status: str,
    to_status: str,
    reason: str = "",
    change=None,
) -> ReviewDecision:
    """Append one transition to the log (there is no path to change or delete an entry)."""
    return ReviewDecision.objects.create(
        activity=activity,
        change=change,
        actor=actor,
        at=at,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
    )


def _locked_new_or_existing(*, owner, campaign, token: UUID | None, at: datetime) -> tuple[Activity, bool]:
    """The activity this creation token made already (a second click, a second tab), or a new one."""
    if token is not None:
        existing = Activity.all_objects.select_for_update().filter(owner=owner, creation_token=token).first()
        if existing is not None:
            return existing, False
    require(rules.can_create(campaign, at))
    activity = Activity(owner=owner, campaign=campaign, creation_token=token, created_at=at)
    return activity, True


@transaction.atomic
def save_report(
    *,
    owner,
    report: Report,
    submit: bool,
    activity: Activity | None = None,
    campaign=None,
    token: UUID | None = None,
    poster: ProcessedImage | StagedPoster | None = None,
    at: datetime | None = None,
) -> Activity:
    """暂存 (``submit=False``) or 保存并下一步 a report: a new activity, or an edit of ``activity``.

    A new activity carries the creation ``token`` of its form, so the same form
    sent twice makes one activity. Submitting makes a draft or a rejected
    activity 待审核; for an approved one it files a change that waits for review
    while the approved version stays public.
    """
    at = at or timezone.now()
    if activity is None:
        try:
            with transaction.atomic():
                activity, created = _locked_new_or_existing(
                    owner=owner, campaign=campaign, token=token, at=at
                )
                if created:
                    activity.save()
        except IntegrityError:  # the same token, inserted by a request racing this one
            return Activity.all_objects.get(owner=owner, creation_token=token)
        if not created and activity.status != Status.DRAFT:
            return activity  # already submitted by the first of two clicks
    else:
        activity = Activity.all_objects.select_for_update().get(pk=activity.pk)
    require(rules.can_edit(activity, owner, at))

    if activity.status == Status.APPROVED:
        return _submit_change(activity, owner=owner, report=report, poster=poster, submit=submit, at=at)

    report.apply_to(activity)
    _attach_poster(activity, poster)
    activity.updated_at = at
    if submit:
        _submit(activity, owner=owner, report=report, at=at)
    activity.save()
    return activity


def _organization_of(owner) -> Organization:
    organization = Organization.objects.filter(owner=owner).first()
    if organization is None:
        raise ActivityError("请先填写单位信息", "organization_required")
    return organization


def _submit(activity: Activity, *, owner, report: Report, at: datetime) -> None:
    if problems := report.problems(campaign=activity.campaign, has_poster=bool(activity.poster)):
        raise IncompleteReport(problems)
    organization = _organization_of(owner)
    activity.org_name = organization.name
    activity.org_contact_name = organization.contact_name
    activity.org_contact_phone = organization.contact_phone
    activity.owner_unit = jurisdiction.owning_unit(
        supervisor_type=report.supervisor_type, unit=report.supervisor, region=report.region
    )
    before = activity.status
    activity.status = Status.PENDING
    search.refresh(activity)  # the reviewers' search; the public's sees approved activities only
    activity.waiting_since = at
    activity.submitted_at = at
    activity.first_submitted_at = activity.first_submitted_at or at
    activity.save()
    record_decision(activity, actor=owner, at=at, from_status=before, to_status=Status.PENDING)


def _submit_change(
    activity: Activity, *, owner, report: Report, poster, submit: bool, at: datetime
) -> Activity:
    if not submit:
        raise ActivityError(
            "已通过审核的活动不能暂存，修改后请点击“保存并下一步”提交审核", "approved_no_draft"
        )
    has_poster = bool(poster) or bool(activity.poster)
    if problems := report.problems(campaign=activity.campaign, has_poster=has_poster):
        raise IncompleteReport(problems)
    organization = _organization_of(owner)
    data = report.to_json() | {
        "org_name": organization.name,
        "org_contact_name": organization.contact_name,
        "org_contact_phone": organization.contact_phone,
    }
    change = ActivityChange(activity=activity, data=data, submitted_by=owner, submitted_at=at)
    _attach_poster(change, poster)
    try:
        with transaction.atomic():
            change.save()
    except IntegrityError as exc:
        raise ActivityError("修改已提交，请等审核结果出来后再编辑", "change_pending") from exc
    activity.waiting_since = at
    activity.save(update_fields=["waiting_since"])
    record_decision(
        activity,
        actor=owner,
        at=at,
        from_status=Status.APPROVED,
        to_status=ReviewDecision.State.CHANGE_PENDING,
        change=change,
    )
    return activity


@transaction.atomic
def save_supplement(
    *,
    activity: Activity,
    user,
    photos: list[ProcessedImage],
    video_links: list[str],
    news_links: list[str],
    at: datetime | None = None,
) -> Activity:
    """补充活动信息, once: photos and links are saved and the supplement is locked."""
    at = at or timezone.now()
    activity = Activity.all_objects.select_for_update().get(pk=activity.pk)
    require(rules.can_supplement(activity, user, at))
    if not (photos or video_links or news_links):
        raise ActivityError(
            "请至少上传一张图片或填写一个链接；暂无补充信息时请点击“跳过”", "empty_supplement"
        )
    for position, photo in enumerate(photos):
        item = ActivityPhoto(activity=activity, position=position, original_name=photo.name[:255])
        item.image.save(photo.files["original"].name, photo.files["original"], save=False)
        item.image_list.save(photo.files["list"].name, photo.files["list"], save=False)
        item.save()
    links = [(ActivityLink.Kind.VIDEO, url) for url in video_links] + [
        (ActivityLink.Kind.NEWS, url) for url in news_links
    ]
    ActivityLink.objects.bulk_create(
        ActivityLink(activity=activity, kind=kind, url=url, position=position)
        for position, (kind, url) in enumerate(links)
    )
    activity.supplemented_at = at
    activity.save(update_fields=["supplemented_at"])
    return activity


@transaction.atomic
def delete_activity(*, activity: Activity, user, at: datetime | None = None) -> Activity:
    """删除: kept, hidden everywhere; admins can restore it."""
    activity = Activity.all_objects.select_for_update().get(pk=activity.pk)
    if activity.deleted_at is not None and activity.owner_id == user.pk:
        return activity  # deleted by a click that raced this one: done already
    require(rules.can_delete(activity, user))
    activity.deleted_at = at or timezone.now()
    activity.deleted_by = user
    activity.save(update_fields=["deleted_at", "deleted_by"])
    return activity


def restore_activity(*, activity: Activity) -> Activity:
    activity.deleted_at = activity.deleted_by = None
    activity.save(update_fields=["deleted_at", "deleted_by"])
    return activity
