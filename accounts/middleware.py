"""A cookie that the pages' scripts may read, saying whether a reader is signed in.

The session's cookie is HttpOnly, so a page served alike to everyone (the activity
page, ``public.pagecache``) cannot tell from it whether to ask ``/a/<code>/me`` for
the reader's own parts; this cookie tells it (``1`` signed in, ``0`` not), and says
nothing else: the answer of ``me`` is what counts, and a stale ``1`` (a session that
expired) only costs that request, which answers ``signed_in: false``.

It follows the session: set when a session cookie is set (a login, a logout) or when
a request carries a session without it (read once then), removed with the session.
"""

from django.conf import settings

READER_COOKIE = "kepuri_reader"


def reader_cookie(get_response):
    def middleware(request):
        response = get_response(request)
        session = settings.SESSION_COOKIE_NAME
        marked = request.COOKIES.get(READER_COOKIE)
        ended = session in response.cookies and response.cookies[session]["max-age"] == 0
        if ended or (session not in request.COOKIES and session not in response.cookies):
            if marked is not None:
                response.delete_cookie(READER_COOKIE, samesite="Lax")
            return response
        if marked is None or session in response.cookies:
            user = getattr(request, "user", None)
            signed_in = bool(user is not None and user.is_authenticated)
            response.set_cookie(
                READER_COOKIE,
                "1" if signed_in else "0",
                max_age=settings.SESSION_COOKIE_AGE,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=False,  # read by the pages' scripts: it is all it is for
                samesite="Lax",
            )
        return response

    return middleware
