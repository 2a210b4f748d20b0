"""科普中国账号登录: OpenID Connect through mozilla-django-oidc, configured by the issuer alone.

The environment names the provider (``OIDC_ISSUER``), the client (``OIDC_CLIENT_ID``,
``OIDC_CLIENT_SECRET``) and the scopes (``OIDC_SCOPES``); the endpoints come from the
provider's discovery document, fetched when first needed and cached for an hour. Nothing
here runs for a login by phone and password: a provider that is down only turns away
the people who chose 科普中国账号登录, with a message.

The library does the protocol (state, nonce, the code exchange, the ID token's
signature and expiry, the userinfo call); this module decides who the person is:
``services.sso_user`` links the provider's subject to a local account by its verified
mobile number, and a provider that gives none sends the person to 绑定手机号.
"""

import logging
from contextlib import contextmanager

import jwt
import phonenumbers
import requests
from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from kepuri.errors import Refusal

from .phone import is_valid_phone

logger = logging.getLogger(__name__)

PROVIDER_LABEL = "科普中国账号"
PENDING_KEY = "sso_pending"  # the session's provider identity still waiting for a phone
DISCOVERY_TTL = 3600
ENDPOINTS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}
UNAVAILABLE = f"{PROVIDER_LABEL}服务暂时无法访问，请稍后再试，或使用手机号登录"
EXPIRED = f"{PROVIDER_LABEL}登录已过期，请重新登录"
NOT_COMPLETED = f"{PROVIDER_LABEL}登录未完成，请重新登录"


class LoginFailed(Refusal):
    """The provider's answer could not be used; ``message`` says what the person can do."""

    default_code = "token_invalid"


class NeedsPhone(Exception):
    """The provider vouched for no mobile number: the person is asked for one (绑定手机号)."""

    def __init__(self, issuer: str, subject: str):
        super().__init__(subject)
        self.issuer, self.subject = issuer, subject


def enabled() -> bool:
    """Whether 科普中国账号登录 is configured (the login and register pages show it then)."""
    return bool(settings.OIDC_ISSUER and settings.OIDC_RP_CLIENT_ID)


def discovery() -> dict:
    """The provider's discovery document, cached; ``LoginFailed`` when it cannot be had."""
    issuer = settings.OIDC_ISSUER.rstrip("/")
    key = f"oidc:discovery:{issuer}"
    document = cache.get(key)
    if document is None:
        try:
            response = requests.get(
                f"{issuer}/.well-known/openid-configuration", timeout=settings.OIDC_TIMEOUT
            )
            response.raise_for_status()
            document = response.json()
        except (requests.RequestException, ValueError) as exc:
            logger.warning("OpenID Connect discovery at %s failed: %s", issuer, exc)
            raise LoginFailed(UNAVAILABLE, "sso_unavailable") from exc
        if document.get("issuer", "").rstrip("/") != issuer or not all(
            document.get(name) for name in ENDPOINTS.values()
        ):
            logger.error("OpenID Connect discovery at %s: not this issuer's document", issuer)
            raise LoginFailed(UNAVAILABLE, "sso_unavailable")
        cache.set(key, document, DISCOVERY_TTL)
    return document


def _setting(attr, *default):
    if attr in ENDPOINTS:
        return discovery()[ENDPOINTS[attr]]
    return import_from_settings(attr, *default)


def verified_phone(claims: dict) -> str | None:
    """The claims' mobile number in our canonical form, if the provider verified it."""
    if claims.get("phone_number_verified") is not True:
        return None
    try:
        number = phonenumbers.parse(str(claims.get("phone_number", "")), "CN")
    except phonenumbers.NumberParseException:
        return None
    national = str(number.national_number)
    return national if number.country_code == 86 and is_valid_phone(national) else None


class Backend(OIDCAuthenticationBackend):
    """The code flow's last steps, with the endpoints read when needed (never at a password login)."""

    get_settings = staticmethod(_setting)
    OIDC_RP_SIGN_ALGO = "RS256"
    OIDC_RP_IDP_SIGN_KEY = None

    def __init__(self, *args, **kwargs):  # the library's reads every endpoint here
        self.UserModel = get_user_model()

    OIDC_OP_TOKEN_ENDPOINT = property(lambda self: _setting("OIDC_OP_TOKEN_ENDPOINT"))
    OIDC_OP_USER_ENDPOINT = property(lambda self: _setting("OIDC_OP_USER_ENDPOINT"))
    OIDC_OP_JWKS_ENDPOINT = property(lambda self: _setting("OIDC_OP_JWKS_ENDPOINT"))
    OIDC_RP_CLIENT_ID = property(lambda self: settings.OIDC_RP_CLIENT_ID)
    OIDC_RP_CLIENT_SECRET = property(lambda self: settings.OIDC_RP_CLIENT_SECRET)

    def authenticate(self, request, **kwargs):
        if "nonce" not in kwargs or not enabled():  # a password login asks every backend
            return None
        with _refusals("OpenID Connect answer refused"):
            return super().authenticate(request, **kwargs)

    def get_or_create_user(self, access_token, id_token, payload):
        from . import services

        issuer, subject, phone = self.identity(access_token, payload, audiences=[settings.OIDC_RP_CLIENT_ID])
        try:
            user = services.sso_user(issuer=issuer, subject=subject, phone=phone)
        except services.AccountError as exc:
            raise LoginFailed(exc.message, exc.code) from exc
        if user is None:
            raise NeedsPhone(issuer, subject)
        return user

    def identity(self, access_token, payload, *, audiences) -> tuple[str, str, str | None]:
        """(issuer, subject, verified phone) of a verified ID token's ``payload``, the phone from the
        userinfo that ``access_token`` opens (or from the ID token itself when there is none)."""
        if not payload.get("sub"):
            raise SuspiciousOperation("the ID token names no subject")
        claims = payload
        if access_token:
            claims = self.get_userinfo(access_token, None, payload)
            if claims.get("sub") != payload.get("sub"):
                raise SuspiciousOperation("userinfo is about another subject")
        issuer = settings.OIDC_ISSUER.rstrip("/")
        audience = payload.get("aud")
        granted = set(audience) if isinstance(audience, list) else {audience}
        if payload.get("iss", "").rstrip("/") != issuer or not granted & set(audiences):
            raise SuspiciousOperation("the ID token is not for this client from this issuer")
        return issuer, payload["sub"], verified_phone(claims)


def client_identity(*, id_token: str, access_token: str = "") -> tuple[str, str, str | None]:
    """The 科普中国 identity a client app already holds (the API's sign-in), checked as the web login
    checks its own: the ID token's RS256 signature against the provider's published keys, its expiry,
    issuer and audience (this site's client or one of ``OIDC_API_AUDIENCES``, the client apps'), and
    the userinfo that ``access_token`` opens. (issuer, subject, verified phone), or ``LoginFailed``.
    """
    if not enabled():
        raise LoginFailed(f"未开启{PROVIDER_LABEL}登录", "sso_unavailable")
    backend = Backend()
    with _refusals("OpenID Connect token of a client refused"):
        payload = backend.get_payload_data(id_token, backend.retrieve_matching_jwk(id_token))
        if "exp" not in payload:
            raise SuspiciousOperation("the ID token does not expire")
        audiences = [settings.OIDC_RP_CLIENT_ID, *settings.OIDC_API_AUDIENCES]
        return backend.identity(access_token, payload, audiences=audiences)


@contextmanager
def _refusals(what: str):
    """The provider's failures as what the person reads: expired, unreachable, or not completed."""
    try:
        yield
    except jwt.ExpiredSignatureError as exc:
        raise LoginFailed(EXPIRED) from exc
    except requests.RequestException as exc:
        logger.warning("OpenID Connect provider unreachable: %s", exc)
        raise LoginFailed(UNAVAILABLE, "sso_unavailable") from exc
    except (SuspiciousOperation, jwt.InvalidTokenError, KeyError, ValueError) as exc:
        logger.warning("%s: %s", what, exc)
        raise LoginFailed(NOT_COMPLETED) from exc

    def get_user(self, user_id):
        return None  # sessions are resumed by ModelBackend, which logged them in


class Start(OIDCAuthenticationRequestView):
    """科普中国账号登录: off to the provider, with state and nonce kept in the session."""

    get_settings = staticmethod(_setting)

    def __init__(self, *args, **kwargs):  # the library's reads the endpoint at construction
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)

    def get(self, request):
        if not enabled():
            raise Http404
        try:
            self.OIDC_OP_AUTH_ENDPOINT = discovery()["authorization_endpoint"]
        except LoginFailed as exc:
            messages.error(request, exc.message)
            return redirect("accounts:login")
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        return super().get(request)


class Callback(OIDCAuthenticationCallbackView):
    """Back from the provider: logged in, sent to 绑定手机号, or told why not."""

    get_settings = staticmethod(_setting)

    def get(self, request):
        if not enabled():
            raise Http404
        state = request.GET.get("state")
        if "code" in request.GET and state not in request.session.get("oidc_states", {}):
            messages.error(request, NOT_COMPLETED)  # a stale, replayed or forged answer
            return redirect("accounts:login")
        try:
            return super().get(request)
        except LoginFailed as exc:
            messages.error(request, exc.message)
            return redirect("accounts:login")
        except NeedsPhone as exc:
            request.session[PENDING_KEY] = {"issuer": exc.issuer, "subject": exc.subject}
            request.session["sso_next"] = request.session.get("oidc_login_next")
            messages.info(request, f"首次使用{PROVIDER_LABEL}登录，请绑定您的手机号")
            return redirect("accounts:sso_phone")

    def login_failure(self):
        if getattr(self, "user", None) is not None and not self.user.is_active:
            messages.error(self.request, "该账号已停用，请联系管理员")
        else:
            messages.error(self.request, NOT_COMPLETED)
        return redirect("accounts:login")

    @property
    def success_url(self):
        return self.request.session.get("oidc_login_next") or reverse("public:personal_center")

    def login_success(self):
        auth.login(self.request, self.user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(self.request, f"已使用{PROVIDER_LABEL}登录")
        return redirect(self.success_url)
