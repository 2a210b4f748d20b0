from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from notifications.services import task_health as read_task_health


@require_safe
def agreement(request):
    """《云上科普日网络服务使用协议》"""
    return render(request, "agreement.html")


def admin_login(request):
    """The admin signs in through the site's own login, with its limits."""
    query = request.GET.urlencode()
    return redirect(reverse("accounts:login") + (f"?{query}" if query else ""))


def favicon(request):
    """Browsers and the admin ask for /favicon.ico; ours is an SVG among the static files."""
    return redirect(static("favicon.svg"), permanent=True)


@never_cache
def task_health(request):
    """For monitoring: when beat last ticked, when a worker last answered, SMS left stuck (503 if amiss)."""
    health = read_task_health()
    return JsonResponse(
        {
            "ok": health.ok,
            "in_process": health.in_process,
            "beat_at": health.beat_at.isoformat() if health.beat_at else None,
            "worker_at": health.worker_at.isoformat() if health.worker_at else None,
            "stuck_sms": health.stuck,
        },
        status=200 if health.ok else 503,
    )
