"""Bearer tokens of the client API: issued at sign-in, checked on each request, revoked on demand.

- **Two kinds.** An access token (``kpa_…``) is sent with every request and
  lives ``API_ACCESS_TOKEN_SECONDS`` (15 minutes); a refresh token (``kpr_…``)
  gets a new pair and lives ``API_REFRESH_TOKEN_DAYS`` (30 days). Both are 256
  random bits; the database keeps only their SHA-256 digest, so a copy of it
  (or of a backup) lets nobody in.
- **Rotation.** A refresh token is exchanged once: the answer holds a new
  refresh token of the same family. Presenting a used one again means it was
  copied, and the whole family (that sign-in on every device it reached) is
  revoked (OAuth 2.0 Security BCP, refresh token rotation).
- **Revocation.** Logging out, 修改密码, 忘记密码, 更换手机号, 注销账号 and 停用
  revoke every token of the account (``revoke_all``), at once: each request
  looks its token up, so nothing stays valid until it expires. A token also
  carries the account's phone-and-password hash (as a session does), so a
  password or number changed by any path, the admin's included, ends it.

Why not JSON Web Tokens (djangorestframework-simplejwt): its refresh tokens are
kept in clear in its outstanding-token table, and an access token cannot be
revoked before it expires unless each request looks something up anyway; an
opaque token looked up by its digest costs the same one query and is revoked the
moment it should be.
"""

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from kepuri.errors import Refusal

from .models import ApiToken, User

ACCESS_PREFIX = "kpa_"
REFRESH_PREFIX = "kpr_"


class TokenError(Refusal):
    """A refresh token that cannot be exchanged."""

    default_code = "token_invalid"


EXPIRED = "登录已过期，请重新登录"


@dataclass(frozen=True)
class TokenPair:
    access: str
    refresh: str
    access_expires_at: datetime
    refresh_expires_at: datetime

    @property
    def expires_in(self) -> int:
        """Seconds the access token lives, as OAuth 2.0 token answers say it."""
        return settings.API_ACCESS_TOKEN_SECONDS


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _new(user: User, kind: str, *, family: uuid.UUID, lifetime: timedelta, client: str, now) -> tuple:
    prefix = ACCESS_PREFIX if kind == ApiToken.Kind.ACCESS else REFRESH_PREFIX
    raw = prefix + secrets.token_urlsafe(32)
    row = ApiToken(
        user=user,
        kind=kind,
        digest=digest(raw),
        family=family,
        auth_hash=user.get_session_auth_hash(),
        client=client[:200],
        created_at=now,
        expires_at=now + lifetime,
    )
    return raw, row


def issue(user: User, *, client: str = "", family: uuid.UUID | None = None) -> TokenPair:
    """A new access and refresh token for ``user`` (a sign-in, or the next pair of ``family``)."""
    now = timezone.now()
    family = family or uuid.uuid4()
    lifetimes = {
        ApiToken.Kind.ACCESS: timedelta(seconds=settings.API_ACCESS_TOKEN_SECONDS),
        ApiToken.Kind.REFRESH: timedelta(days=settings.API_REFRESH_TOKEN_DAYS),
    }
    made = {
        kind: _new(user, kind, family=family, lifetime=life, client=client, now=now)
        for kind, life in lifetimes.items()
    }
    ApiToken.objects.bulk_create([row for _, row in made.values()])
    (access, access_row), (refresh, refresh_row) = made[ApiToken.Kind.ACCESS], made[ApiToken.Kind.REFRESH]
    return TokenPair(access, refresh, access_row.expires_at, refresh_row.expires_at)


def _bound(token: ApiToken) -> bool:
    """Whether the account is still as it was when the token was issued: active, same phone and password."""
    user = token.user
    return user.is_active and constant_time_compare(token.auth_hash, user.get_session_auth_hash())


def user_for(raw: str) -> User | None:
    """The account of a live access token, or None: one query (the token with its user)."""
    if not raw.startswith(ACCESS_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(
            digest=digest(raw),
            kind=ApiToken.Kind.ACCESS,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .first()
    )
    return token.user if token is not None and _bound(token) else None


def refresh(raw: str, *, client: str = "") -> TokenPair:
    """Exchange a refresh token for a new pair; a used one revokes its family (it was copied).

    The revocation is committed before the refusal is raised: a refusal rolls
    back what its request wrote, and this one must stay.
    """
    pair = _exchange(raw, client=client)
    if pair is None:
        raise TokenError("登录凭证已被使用过，为了您的账号安全，请重新登录", code="token_reused")
    return pair


@transaction.atomic
def _exchange(raw: str, *, client: str) -> TokenPair | None:
    """The next pair, or None when ``raw`` was used before (its family is revoked now)."""
    token = None
    if raw.startswith(REFRESH_PREFIX):
        token = (
            ApiToken.objects.select_for_update()
            .select_related("user")
            .filter(digest=digest(raw), kind=ApiToken.Kind.REFRESH)
            .first()
        )
    now = timezone.now()
    if token is None or token.revoked_at is not None or token.expires_at <= now or not _bound(token):
        raise TokenError(EXPIRED)
    if token.used_at is not None:
        ApiToken.objects.filter(family=token.family, revoked_at__isnull=True).update(revoked_at=now)
        return None
    token.used_at = now
    token.save(update_fields=["used_at"])
    return issue(token.user, client=client or token.client, family=token.family)


def revoke_all(user: User) -> int:
    """End every token of ``user`` now; how many were live."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


def purge_expired(*, older_than: timedelta = timedelta(days=1)) -> int:
    """Drop tokens that expired (or were revoked) more than ``older_than`` ago; how many."""
    cutoff = timezone.now() - older_than
    deleted, _ = ApiToken.objects.filter(expires_at__lt=cutoff).delete()
    revoked, _ = ApiToken.objects.filter(revoked_at__lt=cutoff).delete()
    return deleted + revoked
