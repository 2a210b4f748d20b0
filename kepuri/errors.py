"""The one base of every refusal a service gives a user: a message to show, a code for programs.

Services raise a subclass (``AccountError``, ``ActivityError``, ``ActionRefused``…);
the site shows ``message`` as it is, and the API (``api.errors``) answers with
``code``, ``message``, the fields a refusal names and, when waiting helps,
``retry_after`` seconds.

A part of the platform away for a moment (the database, a full disk) is not a
refusal and not a defect: ``unavailable`` tells it, and the site and the API
answer 503 with ``Retry-After`` (``kepuri.views.server_error``, ``api.errors``).
"""

import errno
from dataclasses import dataclass


class Refusal(Exception):
    """A refusal to show to the user as is; ``code`` is its stable machine code."""

    default_code = "refused"

    def __init__(self, message: str, code: str | None = None, *, retry_after: int | None = None):
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.retry_after = retry_after


def error_body(code: str, detail: str, *, fields: dict | None = None, retry_after: int | None = None) -> dict:
    """The API's error shape (``api.errors``), also for an answer given outside its views."""
    data = {"code": code, "detail": detail, "fields": fields or {}}
    if retry_after is not None:
        data["retry_after"] = retry_after
    return data


# --- a part of the platform away for a moment ------------------------------------------------


@dataclass(frozen=True)
class Unavailable:
    """Why a request cannot be served now, and when to ask again: answered 503 with Retry-After."""

    message: str
    retry_after: int
    code: str = "unavailable"


# The database restarting or away (a failover, a restart for an upgrade): seconds, rarely more.
DATABASE_AWAY = Unavailable("服务暂时不可用，请稍后再试", retry_after=10)
# The media disk full: the upload was not kept, and space is freed by an operator or the sweep.
DISK_FULL = Unavailable("存储空间暂时不足，上传的文件未能保存，请稍后再试", retry_after=60)


def unavailable(exc: BaseException | None) -> Unavailable | None:
    """Whether ``exc`` says a part of the platform is away (then the 503 to answer), not a defect.

    - the database: Django's ``OperationalError`` (it cannot connect, the server
      closed the connection, a deadlock or a cancelled statement: asking again
      works) and ``InterfaceError`` (the connection was already closed);
    - a full disk or quota (``ENOSPC``, ``EDQUOT``) while a file was written.
    """
    from django.db import InterfaceError, OperationalError

    if isinstance(exc, OperationalError | InterfaceError):
        return DATABASE_AWAY
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return DISK_FULL
    return None
