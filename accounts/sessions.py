"""A signed-in reader's session checked against account fields that the caller read itself.

Django's ``get_user`` loads the session's account with a query of its own, then
checks the session against it (the account can still log in; the session's hash
of its phone and password is the account's now). A request that reads the account
anyway, in the one query it needs for its answer (``/a/<code>/me``:
``public.selectors.reader_page``), checks the session here with the same steps on
the fields it read, and saves that query.
"""

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, load_backend
from django.core.exceptions import ValidationError
from django.utils.crypto import constant_time_compare

from .models import User

# What the check reads of the account, besides its id (and what a reader's answer shows).
ACCOUNT_FIELDS = ("phone", "password", "is_active", "is_superuser", "is_staff", "deleted_at")


def account_id(request) -> int | None:
    """The id of the account the request's session names (no query), None for none."""
    try:
        backend = request.session[BACKEND_SESSION_KEY]
        value = User._meta.pk.to_python(request.session[SESSION_KEY])
    except (KeyError, ValueError, TypeError, ValidationError):
        return None
    return value if backend in settings.AUTHENTICATION_BACKENDS else None


def signed_in(request, fields: dict) -> User | None:
    """The account of ``account_id(request)``, built from ``fields`` (ACCOUNT_FIELDS, None where the
    account was not found), if the session still holds: as ``django.contrib.auth.get_user`` decides
    — the backend lets the account log in and the session's hash is the account's now (or under a
    fallback secret). Unlike ``get_user`` this changes no session: a session that does not hold
    answers None here and is flushed by the next page that reads ``request.user``."""
    pk = account_id(request)
    if pk is None or fields.get("password") is None:
        return None
    account = User(pk=pk, **{name: fields[name] for name in ACCOUNT_FIELDS})
    allowed = getattr(load_backend(request.session[BACKEND_SESSION_KEY]), "user_can_authenticate", None)
    if allowed is None or not allowed(account):  # every login here is ModelBackend's, which asks
        return None
    session_hash = request.session.get(HASH_SESSION_KEY)
    if not session_hash:
        return None
    hashes = [account.get_session_auth_hash(), *account.get_session_auth_fallback_hash()]
    return account if any(constant_time_compare(session_hash, value) for value in hashes) else None
