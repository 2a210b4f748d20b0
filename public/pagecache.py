"""A short server cache of the pages anonymous visitors see, with ETags.

The anonymous activity page and list carry nothing per visitor (no CSRF token,
no name, the actions are links to 登录), so one rendering serves them all:
during the event week most requests are phones scanning the same QR codes.

- An activity page is kept until the activity changes (any save of it, its
  photos or links, a count moving: its generation moves on), and at most ``PAGE_TTL`` seconds, or less
  when the view says when the page will change by itself (``response.cache_ttl``:
  打卡 opening or closing); so is the shell that every page is made of
  (``public.shell``), forgotten when the activity or its comments change.
  Time is only the safety net: every change the site makes forgets at once.
  A page rendered again costs about thirty times one served from here, so a
  short time would spend the machine on rendering.
- A list page is kept under the list's generation, which any save of an
  activity moves on; counts shown in the list may lag by up to ``LIST_TTL``.
- Each cached page carries an ETag; a phone that asks again with it gets 304.
- Reads go through ``kepuri.microcache.get_current``: a page carries the generation
  it was made at and is read with the current one in one round trip to Redis; a
  process keeps its own copy for a second but asks Redis for the generation each
  time, so a change through any app process shows at once through all of them.

A page is served from the cache only to a visitor who is not logged in and has
no message waiting, for a GET without other parameters than the list's
filters; everything else is rendered as before.
"""

import hashlib
from functools import wraps

from django.conf import settings
from django.contrib.messages import get_messages
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_cache_control
from django.utils.http import parse_etags

from kepuri import microcache

PAGE_TTL = 600
LIST_TTL = 120
LIST_GENERATION = "public:list-generation"


def activity_key(code: str) -> tuple[str, str]:
    """The visitors' page of the activity and the generation it is kept under (see ``_forget``)."""
    return f"public:page:activity:{code}", _page_generation(code)


def cached_activity_page(code: str):
    """The visitors' page of the activity as the cache now serves it: (etag, content, content type,
    for readers too), or None when it is to be made again."""
    return microcache.get_current(*activity_key(code))[1]


def shell_key(code: str) -> str:
    """The activity page's shell, shared by all readers (``public.shell``), under its generation."""
    return f"public:shell:{code}:{microcache.generation(_shell_generation(code))}"


def activity_generation(code: str) -> str:
    """The counter that moves on whenever the activity's page must be made again (``get_current``)."""
    return _page_generation(code)


def _page_generation(code: str) -> str:
    return f"public:generation:page:{code}"


def _shell_generation(code: str) -> str:
    return f"public:generation:shell:{code}"


def list_key(request) -> tuple[str, str]:
    """A list page, by its querystring, and the lists' generation it is kept under."""
    query = hashlib.md5(request.GET.urlencode().encode(), usedforsecurity=False).hexdigest()
    return f"public:page:list:{query}", LIST_GENERATION


def forget_activity(code: str) -> None:
    """The activity changed: its page and shell are rendered anew, and so are the lists that may show it."""
    forget_comments(code)
    forget_lists()


def forget_comments(code: str) -> None:
    """Its comments changed: the shell that shows them is rendered anew, and the page around it."""
    _forget(_page_generation(code), _shell_generation(code))


def forget_count(code: str) -> None:
    """A count moved (点赞, 打卡, 收藏): the visitors' page is made again from the shell; lists catch up.

    The shell holds no count the readers see outside a slot: a like costs the
    page a new filling of its slots, not a new rendering of twenty comments.
    """
    _forget(_page_generation(code))


def _forget(*generations: str) -> None:
    """Move the generations on rather than delete the pages: a rendering that began before the
    change and is stored after it goes under the old key, which nobody reads any more (a delete
    would have let it in, for ``PAGE_TTL``)."""
    for generation in generations:
        microcache.next_generation(generation)


def forget_lists() -> None:
    microcache.next_generation(LIST_GENERATION)


def _cacheable(request) -> bool:
    """A GET with no message waiting (the messages' cookie says so without reading the session)."""
    return request.method == "GET" and not len(get_messages(request))


def _signed_in(request) -> bool:
    """Whether the request may belong to a signed-in reader: it carries a session (not read here)."""
    return settings.SESSION_COOKIE_NAME in request.COOKIES


def _answer(request, etag: str, content: bytes, content_type: str):
    if etag in parse_etags(request.headers.get("If-None-Match", "")):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(content, content_type=content_type)
    response.headers["ETag"] = etag
    # Phones keep the page but ask again each time: a change shows at once.
    patch_cache_control(response, no_cache=True)
    return response


def anonymous_page(key, ttl: int):
    """Serve a view's answer from the cache under ``key(request, *args, **kwargs)``: to visitors, and
    to signed-in readers too when the view marked the page as the same for them (``for_readers``).

    ``key`` returns the page's name and the generation it is kept under, or None when
    this request's page is not to be cached. A page is read with its generation in
    one round trip to Redis (``microcache.get_current``) and kept ``ttl`` seconds, or
    ``response.cache_ttl`` if the view set less. A page for readers is the visitors'
    page: what is a reader's own (their like, their tools, their header) the page's
    script asks for (``/a/<code>/me``).
    """

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            kept = _cacheable(request) and key(request, *args, **kwargs)
            if not kept:
                return view(request, *args, **kwargs)
            name, generation = kept
            at, hit = microcache.get_current(name, generation)  # ``at`` taken before the rendering
            if hit and (hit[3] or not _signed_in(request)):
                return _answer(request, *hit[:3])
            response = view(request, *args, **kwargs)
            # Only a page without anything per visitor: no cookie set, no CSRF token used.
            personal = response.cookies or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            personal = personal or (_signed_in(request) and not getattr(response, "for_readers", False))
            if response.status_code != 200 or response.streaming or personal:
                return response
            content = response.content
            etag = '"' + hashlib.md5(content, usedforsecurity=False).hexdigest() + '"'
            seconds = min(ttl, getattr(response, "cache_ttl", ttl))
            if seconds > 0:
                shared = getattr(response, "for_readers", False)
                microcache.set_current(name, at, (etag, content, response["Content-Type"], shared), seconds)
            return _answer(request, etag, content, response["Content-Type"])

        return wrapper

    return decorate
