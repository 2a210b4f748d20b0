"""The soak's SMS provider (bench/soak.py): the ``database`` backend, as slow as a real provider.

Each message is a ``SentSms`` row (what the provider was handed, read by the soak's
invariants), then the call waits ``SOAK_SMS_DELAY`` seconds (default 0.05), as a
provider's HTTPS round trip does: a batch of reminders takes long enough for the
soak to kill a worker in the middle of it.
"""

import os
import time

from sms.backends.database import SmsBackend as DatabaseBackend

DELAY = float(os.environ.get("SOAK_SMS_DELAY", "0.05"))


class SmsBackend(DatabaseBackend):
    def send_messages(self, messages) -> int:
        sent = super().send_messages(messages)
        time.sleep(DELAY * len(messages))
        return sent
