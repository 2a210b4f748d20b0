import sms

from .base import BaseSmsBackend


class SmsBackend(BaseSmsBackend):
    """Keeps messages in ``sms.outbox`` for tests to read."""

    def send_messages(self, messages) -> int:
        sms.outbox.extend(messages)
        return len(messages)
