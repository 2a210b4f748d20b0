from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from .models import Message


def notify(
    recipient,
    *,
    kind: str,
    key: str,
    title: str,
    body: str,
    url: str = "",
    obj=None,
    channels=(Message.Channel.SITE, Message.Channel.SMS),
) -> list[Message]:
    """Queue one message per channel for ``recipient``, once per ``key``: a second call adds nothing.

    Site messages are delivered by being stored; SMS messages wait in the
    outbox for the delivery task.
    """
    now = timezone.now()
    object_fields = {}
    if obj is not None:
        object_fields = {"object_type": ContentType.objects.get_for_model(obj), "object_id": str(obj.pk)}
    created = []
    for channel in channels:
        site = channel == Message.Channel.SITE
        with transaction.atomic():
            message, made = Message.objects.get_or_create(
                key=key,
                channel=channel,
                defaults={
                    "recipient": recipient,
                    "kind": kind,
                    "title": title,
                    "body": body,
                    "url": url,
                    "state": Message.State.SENT if site else Message.State.QUEUED,
                    "sent_at": now if site else None,
                    "created_at": now,
                    **object_fields,
                },
            )
        if made:
            created.append(message)
    return created


def inbox(user):
    return Message.objects.filter(recipient=user, channel=Message.Channel.SITE)


def unread_count(user) -> int:
    return inbox(user).filter(read_at__isnull=True).count()


def mark_read(user, *, message_id=None) -> int:
    """Mark one message (or all) of ``user`` as read."""
    messages = inbox(user).filter(read_at__isnull=True)
    if message_id is not None:
        messages = messages.filter(pk=message_id)
    return messages.update(read_at=timezone.now())
