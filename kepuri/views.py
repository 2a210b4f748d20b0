from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse


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
