from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from . import services


@require_safe
@login_required
def inbox(request):
    """消息: the user's site messages, newest first."""
    page = Paginator(services.inbox(request.user), 20).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page})


@require_POST
@login_required
def open_message(request, pk):
    """Mark a message read and follow its link."""
    message = get_object_or_404(services.inbox(request.user), pk=pk)
    services.mark_read(request.user, message_id=message.pk)
    target = message.url if url_has_allowed_host_and_scheme(message.url, {request.get_host()}) else ""
    return redirect(target or "notifications:inbox")


@require_POST
@login_required
def read_all(request):
    services.mark_read(request.user)
    return redirect("notifications:inbox")
