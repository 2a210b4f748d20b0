import sys
from pathlib import PurePosixPath

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.templatetags.static import static
from django.urls import reverse
from django.utils.module_loading import import_string
from django.views import defaults
from django.views import static as static_views
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from kepuri.errors import error_body, unavailable
from kepuri.uploads import MEDIA_TYPES


def server_error(request):
    """handler500: a part of the platform away for a moment (``kepuri.errors.unavailable``) is a 503
    with Retry-After and what to do, in the shape the caller reads; anything else Django's 500.

    - the API: its error shape, code ``unavailable`` (what ``api.errors`` answers inside its views);
    - the page's script (XMLHttpRequest): ``{"ok": false, "message": …}`` as its refusals, which it
      shows and asks again after Retry-After;
    - a page: 503.html, which reloads itself after Retry-After when it was a GET (a POST is not
      repeated: the browser's back button returns to the form as it was typed).

    Rendered without the request's context, as Django's 500 is: the database may be the part away.
    """
    problem = unavailable(sys.exc_info()[1])
    if problem is None:
        return defaults.server_error(request)
    if request.path.startswith("/api/"):
        body = error_body(problem.code, problem.message, retry_after=problem.retry_after)
        response = JsonResponse(body, status=503, json_dumps_params={"ensure_ascii": False})
    elif request.headers.get("X-Requested-With") == "XMLHttpRequest":
        body = {"ok": False, "message": problem.message, "retry_after": problem.retry_after}
        response = JsonResponse(body, status=503, json_dumps_params={"ensure_ascii": False})
    else:
        context = {"problem": problem, "reload": request.method in ("GET", "HEAD")}
        response = HttpResponse(loader.get_template("503.html").render(context), status=503)
    response["Retry-After"] = str(problem.retry_after)
    response["Cache-Control"] = "no-store"
    return response


@require_safe
def agreement(request):
    """《云上科普日网络服务使用协议》"""
    return render(request, "agreement.html")


def admin_login(request):
    """The admin signs in through the site's own login, with its limits.

    A signed-in user without admin rights is refused here: the site's login
    would send them straight back to the admin, and round again. A staff account
    (后台登录) that was given no role is told so, and whom to ask.
    """
    if request.user.is_authenticated and not admin.site.has_permission(request):
        if request.user.is_staff:
            return render(request, "admin/no_role.html", status=403)
        raise PermissionDenied
    query = request.GET.urlencode()
    return redirect(reverse("accounts:login") + (f"?{query}" if query else ""))


def favicon(request):
    """Browsers and the admin ask for /favicon.ico; ours is an SVG among the static files."""
    return redirect(static("favicon.svg"), permanent=True)


@never_cache
def task_health(request):
    """For monitoring: when beat last ticked, when a worker last answered, SMS left stuck, daily jobs not
    finished (503 if amiss)."""
    health = import_string(settings.TASK_HEALTH)()
    return JsonResponse(
        {
            "ok": health.ok,
            "in_process": health.in_process,
            "beat_at": health.beat_at.isoformat() if health.beat_at else None,
            "worker_at": health.worker_at.isoformat() if health.worker_at else None,
            "stuck_sms": health.stuck,
            "late_jobs": list(health.late_jobs),
        },
        status=200 if health.ok else 503,
    )


# An upload is a document of its own: nothing in it may run, load or be sniffed into HTML.
MEDIA_POLICY = "default-src 'none'; sandbox"


@require_safe
def media(request, path):
    """An uploaded file, when Django serves them (``SERVE_MEDIA``; the reverse proxy does in production).

    Only the types we store are served, each with its own Content-Type, ``nosniff``
    and a policy that lets nothing in it run; a PDF is a download, never a page of
    the site. Anything else under MEDIA_ROOT is 404.
    """
    content_type = MEDIA_TYPES.get(PurePosixPath(path).suffix.lower())
    if not settings.SERVE_MEDIA or content_type is None:
        raise Http404
    response = static_views.serve(request, path, document_root=settings.MEDIA_ROOT)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = MEDIA_POLICY
    if response.status_code == 200:
        response["Content-Type"] = content_type
        if content_type == "application/pdf":
            response["Content-Disposition"] = "attachment"
    return response
