from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render

from activities import rules
from activities.deadlines import Window
from activities.models import Activity
from activities.services import ActivityError
from kepuri.idempotency import once_per_form_token

from . import services
from .forms import SummaryForm


@once_per_form_token
@login_required
def edit_summary(request, code):
    """编辑总结: 活动总结, 活动参与人数 and attachments; final once saved."""
    activity = get_object_or_404(
        Activity.objects.select_related("campaign").prefetch_related("extensions"),
        public_code=code,
        owner=request.user,
    )
    permission = rules.can_summarize(activity, request.user)
    if not permission:
        messages.error(request, permission.reason)
        return redirect("activities:user_center")
    form = SummaryForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_summary(activity=activity, user=request.user, **form.cleaned_data)
        except ActivityError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "活动总结已提交")
            return redirect("activities:user_center")
    context = {"form": form, "activity": activity, "window": activity.window(Window.SUMMARY)}
    return render(request, "summaries/edit_summary.html", context)
