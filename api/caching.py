"""Public reads as the pages are served: the same JSON for every reader, kept in the shared cache
under the generation a change moves on (``public.pagecache``), with an ETag.

A client that sends the ETag back (``If-None-Match``) gets 304. ``Cache-Control: no-cache``,
as on the pages: a phone may keep the answer but asks again each time, so a change shows at once.
"""

import hashlib
from collections.abc import Callable
from functools import wraps

from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_cache_control
from django.utils.http import parse_etags

from api.renderers import JSONRenderer
from kepuri import microcache


def _answer(request, content: bytes, etag: str) -> HttpResponse:
    if etag in parse_etags(request.headers.get("If-None-Match", "")):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(content, content_type="application/json")
    response["ETag"] = etag
    patch_cache_control(response, no_cache=True)
    return response


def render(data) -> tuple[bytes, str]:
    content = JSONRenderer().render(data)
    return content, '"' + hashlib.md5(content, usedforsecurity=False).hexdigest() + '"'


def public_json(
    request, build: Callable[[], object], *, kept: tuple[str, str] | None = None, ttl: int = 60
) -> HttpResponse:
    """``build()``'s data as JSON with an ETag; with ``kept`` (a key and the generation that guards
    it), kept for ``ttl`` seconds until that generation moves on (``microcache.get_current``)."""
    if kept is None:
        return _answer(request, *render(build()))
    key, generation_key = kept
    generation, hit = microcache.get_current(key, generation_key)
    if hit:
        return _answer(request, *hit)
    content, etag = render(build())  # made at ``generation``: a change meanwhile leaves it unused
    microcache.set_current(key, generation, (content, etag), ttl)
    return _answer(request, content, etag)


def private(response):
    """An account's own data: stored by nobody between the client and us."""
    patch_cache_control(response, private=True, no_cache=True)
    return response


def served_from_cache(kept: Callable[..., tuple[str, str]]):
    """Wrap a public read's view: a visitor's GET whose answer is in the cache is served from there,
    before REST framework's dispatch (authentication, throttles, content negotiation) runs.

    Only without an ``Authorization`` header: a client that sends a token has it checked (a bad one
    is 401) and its account counted, through the view. The view stores what it answers under the
    same ``kept(request, *args, **kwargs)`` (``public_json``), so the two agree.
    """

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            anonymous = request.method == "GET" and "HTTP_AUTHORIZATION" not in request.META
            if anonymous and (hit := microcache.get_current(*kept(request, *args, **kwargs))[1]):
                return _answer(request, *hit)
            return view(request, *args, **kwargs)

        return wrapper

    return decorate
