"""Small helpers about the HTTP request shared by the apps."""

import ipaddress
from collections.abc import Callable
from urllib.parse import urljoin

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.http import parse_etags, url_has_allowed_host_and_scheme


def absolute(url: str) -> str:
    """``url`` for the outside (a client, a search engine, a link preview): a path of this site
    under ``SITE_URL``, the address printed in every QR code; a storage service's own address as it is."""
    return urljoin(settings.SITE_URL.rstrip("/") + "/", url) if url else ""


def client_ip(request) -> str:
    """The client's address, for per-IP limits.

    With ``TRUSTED_PROXY_COUNT = N`` (N reverse proxies in front, each appending
    the address it was reached from to X-Forwarded-For), the client is the N-th
    entry from the right; anything further left was written by the client and
    is not trusted. With 0 only the socket address counts.
    """
    remote = request.META.get("REMOTE_ADDR") or "unknown"
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < count:
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-count]))
    except ValueError:
        return remote


def safe_next_url(request, default: str) -> str:
    """The ``next`` parameter if it points into this site, else ``default``."""
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def with_etag(request, etag: str, answer: Callable[[], HttpResponse]) -> HttpResponse:
    """``answer()``, or 304 Not Modified when the client's ``If-None-Match`` holds ``etag`` (then
    ``answer`` is not called); the ETag on either."""
    if etag in parse_etags(request.headers.get("If-None-Match", "")):
        response = HttpResponseNotModified()
    else:
        response = answer()
    response.headers["ETag"] = etag
    return response


def refuse_nul_in_address(get_response):
    """Middleware: an address whose query holds a NUL is answered 400 before any view.

    No one types it, and PostgreSQL refuses it in any lookup. Forms get their own,
    kinder check (kepuri.text.TextChecks).
    """

    def middleware(request):
        if any("\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists()):
            raise BadRequest("NUL in the query string")
        return get_response(request)

    return middleware
