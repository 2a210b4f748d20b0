"""发布活动 (the four steps), 用户中心 → 活动管理, the QR code, and the public page's path."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from kepuri.http import with_etag
from kepuri.idempotency import once_per_form_token
from organizations.forms import OrganizationForm
from organizations.services import organization_of, save_organization

from . import qr, rules, selectors, services
from .deadlines import Window
from .forms import ReportForm, SupplementForm
from .models import Activity, ActivityChange, Campaign
from .reports import Report

STEPS = ["单位信息", "活动填报", "补充活动信息", "活动二维码"]


def _own_activity(request, code) -> Activity:
    return selectors.own_activity(request.user, code)


def _refused(request, permission, fallback="activities:user_center"):
    messages.error(request, permission.reason)
    return redirect(fallback)


@once_per_form_token
@login_required
def publish(request):
    """Step 1 单位信息, prefilled from the profile → 保存并下一步."""
    campaign = Campaign.objects.current()
    permission = rules.can_create(campaign)
    form = OrganizationForm(
        request.POST or None,
        instance=organization_of(request.user),
        submit_label="保存并下一步",
        form_tag=False,  # the page's form carries the per-form token
    )
    if request.method == "POST" and permission and form.is_valid():
        save_organization(owner=request.user, **form.cleaned_data)
        return redirect(f"{reverse('activities:report_new')}?token={uuid.uuid4()}")
    return render(
        request,
        "activities/step_organization.html",
        {"form": form, "steps": STEPS, "step": 1, "permission": permission, "campaign": campaign},
    )


def _report_page(request, form, *, activity=None, campaign, token=None, change=None):
    context = {
        "form": form,
        "steps": STEPS,
        "step": 2,
        "activity": activity,
        "campaign": campaign,
        "token": token,
        "window": activity.window(Window.REPORT) if activity else None,
        "change": change,
        "approved": activity is not None and activity.status == Activity.Status.APPROVED,
    }
    return render(request, "activities/step_report.html", context)


def _save_report(request, form, *, activity=None, campaign, token=None):
    """Run the form through the service; the response for success, or None to show the form again."""
    if not form.is_valid():
        poster = form.cleaned_data.get("poster") if hasattr(form, "cleaned_data") else None
        if poster is not None:
            form.keep_poster(services.stage_poster(owner=request.user, poster=poster))
        return None
    try:
        activity = services.save_report(
            owner=request.user,
            report=form.report(),
            submit=form.submitting,
            activity=activity,
            campaign=campaign,
            token=token,
            poster=form.poster_upload(),
        )
    except services.IncompleteReport as exc:
        for field, message in exc.problems.items():
            form.add_error(field if field in form.fields else None, message)
        return None
    except services.ActivityError as exc:
        form.add_error(None, exc.message)
        return None
    if not form.submitting:
        messages.success(request, "已暂存为草稿，可在用户中心继续编辑")
        return redirect("activities:edit", code=activity.public_code)
    if activity.pending_change is not None:
        messages.success(request, "修改已提交审核；审核通过前，公众看到的仍是已通过审核的版本")
    else:
        messages.success(request, "活动已提交，等待审核")
    if rules.can_supplement(activity, request.user):
        return redirect("activities:supplement", code=activity.public_code)
    return redirect("activities:qrcode", code=activity.public_code)


@once_per_form_token
@login_required
def report_new(request):
    """Step 2 for a new activity; the form's token makes a second click or tab reuse the first's activity."""
    try:
        token = uuid.UUID(request.GET.get("token", ""))
    except ValueError:
        return redirect("activities:publish")
    existing = Activity.objects.filter(owner=request.user, creation_token=token).first()
    if existing is not None:
        return redirect("activities:edit", code=existing.public_code)
    campaign = Campaign.objects.current()
    if not (permission := rules.can_report(campaign, request.user)):
        if permission.code == "organization_required":  # step 1 is where it is filled in
            messages.info(request, permission.reason)
            return redirect("activities:publish")
        return _refused(request, permission, "activities:publish")
    form = ReportForm(request.POST or None, request.FILES or None, campaign=campaign, owner=request.user)
    if request.method == "POST" and (response := _save_report(request, form, campaign=campaign, token=token)):
        return response
    return _report_page(request, form, campaign=campaign, token=token)


@once_per_form_token
@login_required
def report_edit(request, code):
    """编辑活动 (step 2 for an existing activity)."""
    activity = _own_activity(request, code)
    if not (permission := rules.can_edit(activity, request.user)):
        return _refused(request, permission)
    change = activity.latest_change if activity.status == Activity.Status.APPROVED else None
    rejected_change = change if change and change.status == ActivityChange.Status.REJECTED else None
    report = Report.from_json(rejected_change.data) if rejected_change else Report.of(activity)
    form = ReportForm(
        request.POST or None,
        request.FILES or None,
        campaign=activity.campaign,
        owner=request.user,
        activity=activity,
        initial=ReportForm.initial_from(report),
    )
    if request.method == "POST" and (
        response := _save_report(request, form, activity=activity, campaign=None)
    ):
        return response
    return _report_page(request, form, activity=activity, campaign=activity.campaign, change=rejected_change)


@once_per_form_token
@login_required
def supplement(request, code):
    """Step 3 补充活动信息: 保存并下一步 (confirmed) saves and locks it; 跳过 leaves it for later."""
    activity = _own_activity(request, code)
    if not (permission := rules.can_supplement(activity, request.user)):
        return _refused(request, permission)
    if request.method == "POST" and "skip" in request.POST:
        return redirect("activities:qrcode", code=code)
    form = SupplementForm(request.POST or None, request.FILES or None, activity=activity)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_supplement(activity=activity, user=request.user, **form.cleaned_data)
        except services.ActivityError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "补充活动信息已保存")
            return redirect("activities:qrcode", code=code)
    context = {
        "form": form,
        "steps": STEPS,
        "step": 3,
        "activity": activity,
        "window": activity.window(Window.SUPPLEMENT),
    }
    return render(request, "activities/step_supplement.html", context)


@require_safe
@login_required
def qrcode_page(request, code):
    """Step 4 活动二维码, with 继续发布活动 and 查看我发布的活动."""
    activity = _own_activity(request, code)
    if not (permission := rules.can_get_qr(activity, request.user)):
        return _refused(request, permission)
    context = {
        "activity": activity,
        "steps": STEPS,
        "step": 4,
        "public_url": qr.public_url(activity),
        # 分享海报 is served with the public page, once it is up (approved; the page's own rule is
        # public.rules.visibility).
        "share_poster": activity.status == Activity.Status.APPROVED,
    }
    return render(request, "activities/step_qrcode.html", context)


QR_TYPES = {"png": "image/png", "svg": "image/svg+xml"}


def _qr_download(request, code, *, kind):
    activity = _own_activity(request, code)
    if not (permission := rules.can_get_qr(activity, request.user)):
        raise Http404(permission.reason)
    return qr_response(request, activity, kind=kind)


def qr_response(request, activity: Activity, *, kind: str) -> HttpResponse:
    """The QR code as PNG or SVG (``?download`` as an attachment), with an ETag of what it shows."""

    def answer():
        response = HttpResponse(qr.image(activity, kind), content_type=QR_TYPES[kind])
        response.headers["Content-Disposition"] = content_disposition_header(
            "download" in request.GET, f"活动二维码-{activity.name}.{kind}"
        )
        return response

    response = with_etag(request, f'"{qr.fingerprint(activity)}"', answer)
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


@require_safe
@login_required
def qrcode_png(request, code):
    return _qr_download(request, code, kind="png")


@require_safe
@login_required
def qrcode_svg(request, code):
    return _qr_download(request, code, kind="svg")


@once_per_form_token
@login_required
def delete(request, code):
    """删除, after a confirmation."""
    activity = _own_activity(request, code)
    if not (permission := rules.can_delete(activity, request.user)):
        return _refused(request, permission)
    if request.method == "POST":
        services.delete_activity(activity=activity, user=request.user)
        messages.success(request, f"活动“{activity}”已删除")
        return redirect("activities:user_center")
    return render(request, "activities/delete.html", {"activity": activity})


@require_safe
@login_required
def user_center(request):
    """用户中心 → 我发布的活动: status, deadlines, views and shares, and the operations of SPEC §6."""
    activities = selectors.with_reach(selectors.own_activities(request.user))
    now = timezone.now()
    rows = [
        {
            "activity": activity,
            "operations": rules.operations(activity, request.user, now),
            "windows": [activity.window(window, now) for window in Window],
        }
        for activity in activities
    ]
    return render(request, "activities/user_center.html", {"rows": rows, "active": "activities"})
