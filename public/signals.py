"""A change to an activity, its photos or its links makes its cached public page go (``pagecache``)."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from activities.models import Activity, ActivityLink, ActivityPhoto

from . import pagecache


@receiver([post_save, post_delete], sender=Activity)
def activity_changed(sender, instance, **kwargs):
    code = instance.public_code
    transaction.on_commit(lambda: pagecache.forget_activity(code))


@receiver([post_save, post_delete], sender=ActivityPhoto)
@receiver([post_save, post_delete], sender=ActivityLink)
def item_changed(sender, instance, **kwargs):
    code = Activity.all_objects.filter(pk=instance.activity_id).values_list("public_code", flat=True).first()
    transaction.on_commit(lambda: pagecache.forget_activity(code))
