"""An SMS backend for the worker tests: the database backend, a little slow, like a real provider."""

import os
import time

from sms.backends.database import SmsBackend as DatabaseBackend

DELAY = float(os.environ.get("SLOW_SMS_DELAY", "0.25"))  # seconds a message takes


class SmsBackend(DatabaseBackend):
    def send_messages(self, messages):
        sent = super().send_messages(messages)
        time.sleep(DELAY)
        return sent
