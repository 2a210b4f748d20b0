"""The one base of every refusal a service gives a user: a message to show, a code for programs.

Services raise a subclass (``AccountError``, ``ActivityError``, ``ActionRefused``…);
the site shows ``message`` as it is, and the API (``api.errors``) answers with
``code``, ``message``, the fields a refusal names and, when waiting helps,
``retry_after`` seconds.
"""


class Refusal(Exception):
    """A refusal to show to the user as is; ``code`` is its stable machine code."""

    default_code = "refused"

    def __init__(self, message: str, code: str | None = None, *, retry_after: int | None = None):
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.retry_after = retry_after
