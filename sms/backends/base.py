class BaseSmsBackend:
    """Hands messages to a carrier. Subclasses implement ``send_messages``."""

    def send_messages(self, messages) -> int:
        """Send each message; return how many were sent, raise ``SmsSendError`` on failure."""
        raise NotImplementedError
