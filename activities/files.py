"""Stored files that nothing shows any more, deleted from the media storage (local or S3) by beat.

Django deletes no file when a row goes or a field changes, so each way a stored
file stops being shown is handled here, and ``sweep`` (beat, hourly) deletes:

- **staged posters** (``StagedPoster``: a poster kept for a form that failed
  elsewhere): row and files once a day old, used or not. A used one's files were
  copied onto the activity: they are discarded at once (gone at the next sweep);
- **replaced posters** — a draft's or a rejected report's poster replaced by a new
  upload, an approved activity's by an approved change — and the poster of a change
  refused with it: noted as discarded (``DiscardedFile``) and deleted after the
  grace period (``MEDIA_GRACE_DAYS``), so that pages kept in caches still find them
  meanwhile and an admin asked in time can put one back;
- **deleted activities** (删除, a soft delete that admins undo): their posters,
  photos and changes' posters, ``MEDIA_GRACE_DAYS`` after the deletion. The record
  stays, restorable, without them: its poster fields emptied, its photos' rows removed.

Kept: photos hidden by reviewers (a moderation undone with one click), summary
attachments, and any file a row still names (an activity, a pending change, a photo,
a staged poster) — a discarded name found in use again is kept and forgotten.
A storage that fails (a bucket unreachable) stops the sweep; what was not deleted is
tried again at the next one.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import Activity, ActivityChange, ActivityPhoto, DiscardedFile, StagedPoster

logger = logging.getLogger(__name__)

POSTER_FIELDS = ("poster", "poster_list", "poster_page")
PHOTO_FIELDS = ("image", "image_list")
STAGED_LIFETIME = timedelta(days=1)
BATCH = 500  # per kind and sweep: an hourly sweep catches up on a backlog over a few runs
Reason = DiscardedFile.Reason


def grace() -> timedelta:
    """How long a file nothing shows any more stays in storage (``MEDIA_GRACE_DAYS``)."""
    return timedelta(days=settings.MEDIA_GRACE_DAYS)


def poster_names(target) -> list[str]:
    """The stored names of the poster on ``target`` (an activity, a change, a staged poster)."""
    return [getattr(target, field).name for field in POSTER_FIELDS if getattr(target, field)]


def discard(names, *, reason: str, after: timedelta | None = None, now: datetime | None = None) -> None:
    """Note that nothing shows ``names`` any more: the sweep deletes them ``after`` (the grace period).

    Written in the caller's transaction, so a replacement rolled back discards nothing.
    """
    now = now or timezone.now()
    delete_after = now + (grace() if after is None else after)
    rows = [
        DiscardedFile(name=name, reason=reason, discarded_at=now, delete_after=delete_after) for name in names
    ]
    DiscardedFile.objects.bulk_create(rows, ignore_conflicts=True)  # discarded already: the first date stands


# --- the sweep ------------------------------------------------------------------------------


class StorageUnavailable(Exception):
    """The storage refused or could not be reached: the sweep stops and tries again next time."""


@dataclass
class Sweep:
    staged: int = 0  # staged posters removed (row and files)
    discarded: int = 0  # discarded files deleted
    kept: int = 0  # discarded names found in use again, kept
    activities: int = 0  # deleted activities whose files were deleted
    files: int = 0  # files deleted from storage in all
    error: str = ""  # why the sweep stopped early


def _delete(names, report: Sweep) -> None:
    for name in names:
        try:
            default_storage.delete(name)  # a name already gone is no error, on disk as on S3
        except Exception as exc:  # OSError on disk, botocore's errors on S3: whatever the storage raises
            raise StorageUnavailable(f"{name}: {exc}") from exc
        report.files += 1


def sweep(*, now: datetime | None = None, batch: int = BATCH) -> Sweep:
    """Delete from storage what nothing shows any more (the module's docstring says what, and when)."""
    now = now or timezone.now()
    report = Sweep()
    try:
        _staged_posters(now, report, batch)
        _discarded_files(now, report, batch)
        _deleted_activities(now, report, batch)
    except StorageUnavailable as exc:
        report.error = str(exc)
        logger.exception("Unused files: the storage failed, the rest waits for the next sweep")
    if report.files or report.kept or report.error:
        logger.info(
            "Unused files: %d deleted (%d staged, %d discarded, %d deleted activities), %d in use kept",
            report.files,
            report.staged,
            report.discarded,
            report.activities,
            report.kept,
        )
    return report


def _staged_posters(now: datetime, report: Sweep, batch: int) -> None:
    old = StagedPoster.objects.filter(created_at__lt=now - STAGED_LIFETIME).order_by("created_at")[:batch]
    for staged in old:
        _delete(poster_names(staged), report)
        StagedPoster.objects.filter(pk=staged.pk).delete()
        report.staged += 1


def _in_use(names: list[str]) -> set[str]:
    """Of ``names``, those a row shows: an activity (deleted too), a pending change, a photo, a staged one."""
    named = set()
    sources = [
        (Activity.all_objects.all(), POSTER_FIELDS),
        (ActivityChange.objects.filter(status=ActivityChange.Status.PENDING), POSTER_FIELDS),
        (ActivityPhoto.objects.all(), PHOTO_FIELDS),
        (StagedPoster.objects.all(), POSTER_FIELDS),
    ]
    for rows, fields in sources:
        matching = Q()
        for field in fields:
            matching |= Q(**{f"{field}__in": names})
        for values in rows.filter(matching).values_list(*fields):
            named.update(values)
    return named & set(names)


def _discarded_files(now: datetime, report: Sweep, batch: int) -> None:
    due = list(DiscardedFile.objects.filter(delete_after__lte=now).order_by("delete_after", "pk")[:batch])
    if not due:
        return
    in_use = _in_use([item.name for item in due])
    for item in due:
        if item.name in in_use:
            report.kept += 1
        else:
            _delete([item.name], report)
            # A decided change may still name it (an approved change's poster became the activity's,
            # then was replaced): the name goes, nothing points at a missing file.
            for field in POSTER_FIELDS:
                ActivityChange.objects.filter(**{field: item.name}).update(**{field: ""})
            report.discarded += 1
        DiscardedFile.objects.filter(pk=item.pk).delete()


def _deleted_activities(now: datetime, report: Sweep, batch: int) -> None:
    cutoff = now - grace()
    with_files = Q(poster__gt="") | Q(photos__isnull=False) | Q(changes__poster__gt="")
    due = (
        Activity.all_objects.filter(deleted_at__lt=cutoff)
        .filter(with_files)
        .values_list("pk", flat=True)
        .distinct()
        .order_by("pk")[:batch]
    )
    for pk in list(due):
        with transaction.atomic():
            activity = Activity.all_objects.select_for_update().filter(pk=pk, deleted_at__lt=cutoff).first()
            if activity is None:  # restored meanwhile
                continue
            photos = list(activity.photos.all())
            changes = list(activity.changes.exclude(poster=""))
            names = poster_names(activity)
            names += [getattr(photo, field).name for photo in photos for field in PHOTO_FIELDS]
            names += [name for change in changes for name in poster_names(change)]
            _delete(dict.fromkeys(name for name in names if name), report)  # approved changes share posters
            Activity.all_objects.filter(pk=pk).update(**dict.fromkeys(POSTER_FIELDS, ""))
            ActivityPhoto.objects.filter(pk__in=[photo.pk for photo in photos]).delete()
            ActivityChange.objects.filter(activity_id=pk).update(**dict.fromkeys(POSTER_FIELDS, ""))
            report.activities += 1
