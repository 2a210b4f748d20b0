from ..models import SentSms
from .base import BaseSmsBackend


class SmsBackend(BaseSmsBackend):
    """Writes each message to the ``SentSms`` table, for tests that span processes."""

    def send_messages(self, messages) -> int:
        SentSms.objects.bulk_create(
            SentSms(phone=m.phone, template=m.template, params=m.params, text=m.text) for m in messages
        )
        return len(messages)
