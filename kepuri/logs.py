"""Logs: never a whole mobile number, JSON lines in production, one request id from the web to the tasks.

The formatters mask the finished line (message, arguments, traceback), so a
number in a URL, an exception or a third party's message is masked as well:
13812345678 is written 138****5678. The SMS console backend, whose output is
the message itself, does not log.

Every line carries ``request_id``: the web request's (taken from a proxy's
``X-Request-ID`` when it is a plain token, made otherwise, and sent back in the
response), and in a Celery task the id of the request that queued it, carried
in the task message's headers; "-" outside both.
"""

import contextvars
import logging
import re
import uuid

from celery import signals
from django.core.signals import request_finished
from django.dispatch import receiver
from pythonjsonlogger.json import JsonFormatter

MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
REQUEST_ID = contextvars.ContextVar("request_id", default="-")
HEADER = "X-Request-ID"
_TOKEN = re.compile(r"[A-Za-z0-9._-]{8,64}")


def mask_phone(phone: str) -> str:
    """138****8000: a mobile number where the whole need not show (logs, admin lists, a command's output)."""
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) == 11 else phone


def mask_mobiles(text: str) -> str:
    """Every mobile number in ``text``, masked as everywhere else (``mask_phone``)."""
    return MOBILE.sub(lambda match: mask_phone(match.group()), text)


class MaskingFormatter(logging.Formatter):
    """Plain lines (development): the request id in the line, mobile numbers masked."""

    def format(self, record: logging.LogRecord) -> str:
        record.request_id = getattr(record, "request_id", None) or REQUEST_ID.get()
        return mask_mobiles(super().format(record))


class MaskingJsonFormatter(JsonFormatter):
    """One JSON object a line (python-json-logger, production), masked like the plain lines."""

    def format(self, record: logging.LogRecord) -> str:
        record.request_id = getattr(record, "request_id", None) or REQUEST_ID.get()
        return mask_mobiles(super().format(record))


def request_id_middleware(get_response):
    """Middleware: the request's id for its log lines, its tasks and its response's ``X-Request-ID``."""

    def middleware(request):
        offered = request.headers.get(HEADER, "")
        request_id = offered if _TOKEN.fullmatch(offered) else uuid.uuid4().hex
        REQUEST_ID.set(request_id)  # until request_finished: Django logs a 404 or 500 after the middleware
        response = get_response(request)
        response[HEADER] = request_id
        return response

    return middleware


@receiver(request_finished)
def _request_done(**kwargs):
    REQUEST_ID.set("-")


@signals.before_task_publish.connect
def _send_request_id(headers=None, **kwargs):
    """A task queued while serving a request carries its id in the message's headers."""
    if headers is not None and REQUEST_ID.get() != "-":
        headers.setdefault("request_id", REQUEST_ID.get())


@signals.task_prerun.connect
def _take_request_id(task=None, **kwargs):
    """A worker running the task logs under the id of the request that queued it."""
    if task is None:
        return
    # Run in a worker: the queuing request's id. Run eagerly (development, tests): it is still set.
    request_id = getattr(task.request, "request_id", None) or REQUEST_ID.get()
    task.request.kepuri_request_token = REQUEST_ID.set(request_id)


@signals.task_postrun.connect
def _drop_request_id(task=None, **kwargs):
    token = getattr(task.request, "kepuri_request_token", None) if task else None
    if token is not None:
        REQUEST_ID.reset(token)
