"""An SMS backend for the worker tests: the database backend, a little slow, like a real provider."""

import time

from sms.backends.database import SmsBackend as DatabaseBackend

DELAY = 0.25


class SmsBackend(DatabaseBackend):
    def send_messages(self, messages):
        sent = super().send_messages(messages)
        time.sleep(DELAY)
        return sent
