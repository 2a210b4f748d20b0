"""Text messages to mainland mobile numbers, through a backend chosen in settings.

Modelled on ``django.core.mail``: ``send_sms()`` hands messages to the backend
named by ``settings.SMS_BACKEND``:

- ``console`` (default): prints each message to standard output, that is the
  server log;
- ``locmem``: appends to ``sms.outbox``, for unit tests;
- ``database``: writes a ``SentSms`` row, for tests that span processes
  (never in production: the table holds the text as sent);
- a dotted path to any ``BaseSmsBackend`` subclass (the provider adapter).

A message carries both its rendered ``text`` and the ``template`` key with its
``params``, because real providers send only pre-approved templates.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.utils.module_loading import import_string

BACKEND_ALIASES = {
    "console": "sms.backends.console.SmsBackend",
    "locmem": "sms.backends.locmem.SmsBackend",
    "database": "sms.backends.database.SmsBackend",
    "aliyun": "sms.backends.aliyun.SmsBackend",
}

# The locmem backend's messages, oldest first (tests read and clear it).
outbox: list["SmsMessage"] = []


class SmsSendError(Exception):
    """The backend could not hand the message over; nothing is known to be sent."""


@dataclass(frozen=True)
class SmsMessage:
    phone: str
    template: str
    text: str
    params: dict[str, str] = field(default_factory=dict)


def get_backend(name: str | None = None):
    path = name or settings.SMS_BACKEND
    return import_string(BACKEND_ALIASES.get(path, path))()


def send_sms(message: SmsMessage) -> None:
    """Send one message now; raises ``SmsSendError`` if the backend fails."""
    get_backend().send_messages([message])
