"""A per-form token that makes a double click answer twice as the first click did.

A form that changes something carries a random token in a hidden field (``{% form_token %}``
from ``kepuri.templatetags.form_tokens``, or ``hidden_field()`` in a crispy layout); each
rendering of the form gets a new one. The view is wrapped with ``@once_per_form_token``:

- the first POST that carries a token claims it in the cache (``cache.add``) and runs the view;
  if the view succeeded — a redirect, a JSON answer below 400, or a page the view marked with
  ``remember(response)`` — the outcome is kept for ``REMEMBER_SECONDS``: the status, the redirect's
  target or the body, the messages it left for the next page, and whether it signed the browser
  in or out;
- a repeated POST of the same form (the same browser, token, address and posted values) answers
  with that outcome — the same redirect and success message, signed in as the first left it —
  instead of running the view again and meeting its refusal (已提交、验证码已使用 …). One that
  arrives while the first is still running waits for it (``WAIT_SECONDS`` at most);
- a refusal (the form shown again with its errors, a 4xx) is not kept: the next try runs anew;
  unless the view marks the page with ``remember`` too (a wrong password, counted against the login
  limits: a double click must not count it twice).

The browser is the one whose CSRF cookie posted the form: it outlives a login, a logout and a
session cycled by 更换手机号, which a double click's second request (sent before the first's
answer set new cookies) still carries. A token, an address and values that differ make another
submission. Without a token (API clients, forms that need none) or without the cache (Redis down:
``add`` answers None), the view simply runs.
"""

import functools
import hashlib
import json
import logging
import re
import secrets
import time

from django.contrib import auth, messages
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseRedirect
from django.utils.html import format_html

logger = logging.getLogger(__name__)

FIELD = "form_token"
REMEMBER_SECONDS = 300  # long enough for a double click on a slow connection, short enough to forget
PENDING_SECONDS = 60  # a claim whose request died (a killed worker) lapses after this
WAIT_SECONDS = 15  # how long a repeat waits for the first request's outcome
POLL_SECONDS = 0.05
LARGEST_BODY = 64 * 1024  # a bigger answer is not kept (redirects and JSON answers are small)

_PENDING = "pending"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


def new_token() -> str:
    return secrets.token_urlsafe(16)


def hidden_field() -> str:
    """The hidden input with a new token, for a form's HTML (a crispy ``HTML`` layout object)."""
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, new_token())


def remember(response: HttpResponse) -> HttpResponse:
    """Mark a page (not a redirect) as the answer to its POST to give a repeat again: a success, or a
    refusal that a second run must not repeat (it would count again)."""
    response.form_token_success = True
    return response


def once_per_form_token(view):
    """Answer a repeated POST of the same form as its first POST was answered (see the module)."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        key = _key(request)
        if key is None:
            return view(request, *args, **kwargs)
        for _ in range(int(WAIT_SECONDS / POLL_SECONDS)):
            claimed = cache.add(key, _PENDING, PENDING_SECONDS)
            if claimed is None:  # the cache is down: nothing can be remembered
                return view(request, *args, **kwargs)
            if claimed:
                return _run(view, key, request, *args, **kwargs)
            found = cache.get(key)
            if isinstance(found, dict):
                return _replay(request, found)
            time.sleep(POLL_SECONDS)  # the first request is still running (or just let go: claim again)
        logger.warning(
            "A form's first submission is still running after %s s; running the repeat", WAIT_SECONDS
        )
        return view(request, *args, **kwargs)

    return wrapped


def _identity(request) -> str | None:
    """The browser: its CSRF secret (a POST reaching a view has passed the check with it)."""
    secret = request.META.get("CSRF_COOKIE")
    if secret:
        return f"csrf:{secret}"
    session = getattr(request, "session", None)
    return f"session:{session.session_key}" if session is not None and session.session_key else None


def _key(request) -> str | None:
    if request.method != "POST":
        return None
    token = request.POST.get(FIELD, "")
    identity = _identity(request)
    if not (_TOKEN.fullmatch(token) and identity):
        return None
    posted = sorted((name, values) for name, values in request.POST.lists() if name != "csrfmiddlewaretoken")
    files = sorted((name, [(f.name, f.size) for f in uploads]) for name, uploads in request.FILES.lists())
    what = json.dumps([identity, request.get_full_path(), posted, files], ensure_ascii=False)
    return "form-token:" + hashlib.sha256(what.encode()).hexdigest()


def _signed_in(request) -> tuple[str | None, str | None]:
    session = getattr(request, "session", None)
    if session is None:
        return None, None
    return session.session_key, session.get(auth.SESSION_KEY)


def _run(view, key, request, *args, **kwargs):
    storage = getattr(request, "_messages", None)
    queued_before = len(getattr(storage, "_queued_messages", ()))
    session_before = _signed_in(request)
    try:
        response = view(request, *args, **kwargs)
    except BaseException:
        cache.delete(key)
        raise
    outcome = _outcome(request, response, storage, queued_before, session_before)
    if outcome is None:
        cache.delete(key)
    else:
        cache.set(key, outcome, REMEMBER_SECONDS)
    return response


def _succeeded(response) -> bool:
    if getattr(response, "streaming", False) or response.status_code >= 400:
        return False
    if 300 <= response.status_code < 400 or getattr(response, "form_token_success", False):
        return True
    return response.get("Content-Type", "").startswith("application/json")


def _outcome(request, response, storage, queued_before, session_before) -> dict | None:
    if not _succeeded(response):
        return None
    redirect = 300 <= response.status_code < 400
    if not redirect and not getattr(response, "is_rendered", True):
        response.render()  # a TemplateResponse: its body (and the messages it shows) now
    if not redirect and len(response.content) > LARGEST_BODY:
        return None
    outcome = {
        "status": response.status_code,
        "location": response.get("Location", ""),
        "content_type": response.get("Content-Type", ""),
        "content": b"" if redirect else response.content,
        # Messages left for the next page (a page that showed them has used them up).
        "messages": []
        if storage is None or storage.used
        else [(m.level, str(m.message), m.extra_tags) for m in storage._queued_messages[queued_before:]],
    }
    session_key, user_id = _signed_in(request)
    if (session_key, user_id) != session_before:  # signed in, out, or its session cycled
        backend = request.session.get(auth.BACKEND_SESSION_KEY) if user_id else None
        outcome["signed_in"] = {"user": user_id, "backend": backend}
    return outcome


def _replay(request, outcome: dict) -> HttpResponse:
    if "signed_in" in outcome:
        _sign_in_as(request, **outcome["signed_in"])
    for level, message, extra_tags in outcome["messages"]:
        messages.add_message(request, level, message, extra_tags=extra_tags)
    if outcome["location"]:
        response = HttpResponseRedirect(outcome["location"])
        response.status_code = outcome["status"]
        return response
    response = HttpResponse(outcome["content"], status=outcome["status"])
    if outcome["content_type"]:
        response["Content-Type"] = outcome["content_type"]
    return response


def _sign_in_as(request, *, user: str | None, backend: str | None) -> None:
    """Leave this browser signed in (or out) as the first request left it: its new session
    cookie never reached the browser, which had sent the repeat before that answer came."""
    current = request.user.pk if request.user.is_authenticated else None
    if user is None:
        if current is not None:
            auth.logout(request)
        return
    if str(current) == str(user):
        return
    account = get_user_model()._default_manager.filter(pk=user, is_active=True).first()
    if account is not None:
        auth.login(request, account, backend=backend)
