import sys
import threading

from .base import BaseSmsBackend


class SmsBackend(BaseSmsBackend):
    """Prints each message to standard output (the server log) instead of sending it."""

    _lock = threading.Lock()

    def __init__(self, stream=None):
        self.stream = stream or sys.stdout

    def send_messages(self, messages) -> int:
        with self._lock:
            for message in messages:
                self.stream.write(f"[SMS] to {message.phone}: {message.text}\n")
            self.stream.flush()
        return len(messages)
