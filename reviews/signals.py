"""A change to an activity moves on what is kept for every review scope that holds it (``queue.kept``):
the counts, the queue's pages and the activity's review page (with its photos, links, 延期 and 推荐).

The scopes are read from the row as it was before the save and as it is after
(a change approved may move an activity to another city or unit): its unit and
the two above it, its city and province, and 中国科协's. Moved at once, and again once
committed, so that a count made meanwhile from the rows not yet committed is
not kept as the new one.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from activities.models import Activity, ActivityLink, ActivityPhoto, DeadlineExtension

from . import queue
from .models import Recommendation

SCOPE = (
    "owner_unit_id",
    "owner_unit__parent_id",
    "owner_unit__parent__parent_id",
    "region_id",
    "region__parent_id",
)


def _never_submitted(activity) -> bool:
    return activity.status == Activity.Status.DRAFT and activity.first_submitted_at is None


def _scope(pk) -> set[str]:
    row = Activity.all_objects.filter(pk=pk).values_list(*SCOPE).first()
    if row is None:
        return set()
    return queue.activity_generations(row[:3], row[3:])


@receiver(pre_save, sender=Activity)
def remember_scope(sender, instance, update_fields=None, **kwargs):
    """Where the row was counted before this save, when the save may move it."""
    if instance.pk is None or _never_submitted(instance):
        return
    if update_fields is None or {"owner_unit", "region"} & set(update_fields):
        instance._review_scope = _scope(instance.pk)


@receiver(pre_delete, sender=Activity)
def remember_deleted_scope(sender, instance, **kwargs):
    instance._review_scope = _scope(instance.pk)


@receiver([post_save, post_delete], sender=Activity)
def activity_changed(sender, instance, **kwargs):
    if _never_submitted(instance) and not getattr(instance, "_review_scope", None):
        return  # in no reviewer's set, and never was
    keys = getattr(instance, "_review_scope", set()) | (_scope(instance.pk) if instance.pk else set())
    instance._review_scope = set()
    keys |= queue.activity_generations([instance.owner_unit_id], [instance.region_id])
    _move_on(keys)


def _move_on(keys) -> None:
    queue.move_on(keys)  # now, and again once committed (see the module's docstring)
    transaction.on_commit(lambda: queue.move_on(keys))


@receiver([post_save, post_delete], sender=ActivityPhoto)
@receiver([post_save, post_delete], sender=ActivityLink)
@receiver([post_save, post_delete], sender=DeadlineExtension)
@receiver([post_save, post_delete], sender=Recommendation)
def part_changed(sender, instance, **kwargs):
    """What an activity's review page shows beside the activity (kept with the scope's counts)."""
    _move_on(_scope(instance.activity_id))
