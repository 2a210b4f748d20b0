"""The reviewers' console: queue, activity page and decisions, 延期, 推荐, moderation, statistics, exports."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, F, Q, Sum
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST, require_safe

from activities import transitions
from activities.models import Activity, ActivityChange, ActivityLink, ActivityPhoto
from activities.reports import Report
from activities.services import ActivityError
from kepuri.http import safe_next_url

from . import access, services
from .access import reviewer_view
from .filters import QueueFilter
from .forms import DecisionForm, ExtensionForm, RecommendationForm
from .models import ExportJob, Recommendation

PAGE_SIZE = 50
# What a queue row shows: the rest of a wide row stays in the database.
QUEUE_COLUMNS = (
    "public_code", "name", "org_name", "status", "activity_type", "starts_at", "ends_at",
    "waiting_since", "submitted_at", "region__name", "region__parent__name", "category__name",
)  # fmt: skip


def _back(request, default):
    return redirect(safe_next_url(request, reverse(default)))


@require_safe
@reviewer_view("console")
def queue(request, unit):
    """待审核 first (new activities and changes), oldest submission first; filters, search, pages."""
    scope = "read" if request.GET.get("scope") == "read" else "decide"
    base = access.read_set(unit) if scope == "read" else access.decide_set(unit)
    activities = base.select_related("region__parent", "category").only(*QUEUE_COLUMNS)
    filters = QueueFilter(request.GET, queryset=activities, unit=unit)
    ordered = filters.qs.order_by(F("waiting_since").asc(nulls_last=True), "-submitted_at", "pk")
    page = Paginator(ordered, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "section": "queue",
        "unit": unit,
        "filters": filters,
        "page": page,
        "scope": scope,
        "query": query.urlencode(),
        "waiting_count": access.waiting(access.decide_set(unit)).count(),
        "may_read_more": unit.kind in ("provincial", "city"),
    }
    return render(request, "reviews/queue.html", context)


@require_POST
@reviewer_view("console")
def bulk_approve(request, unit):
    """批量审核通过 the activities ticked in the queue (each still checked on its own)."""
    codes = [code for code in request.POST.getlist("codes") if code.isascii() and code.isalnum()]
    decidable = access.decide_set(unit).exclude(owner=request.user).filter(public_code__in=codes)
    approved, refused = 0, []
    for activity in decidable:
        try:
            transitions.approve(activity=activity, by=request.user)
            approved += 1
        except ActivityError as exc:
            refused.append(f"“{activity}”：{exc.message}")
    skipped = len(codes) - decidable.count()
    if approved:
        messages.success(request, f"已审核通过 {approved} 个活动")
    for line in refused:
        messages.warning(request, line)
    if skipped:
        messages.warning(request, f"{skipped} 个活动不在您的审核范围内，未处理")
    if not codes:
        messages.info(request, "请先勾选要审核通过的活动")
    return _back(request, "reviews:queue")


def _changes(activity: Activity, change: ActivityChange) -> list[dict]:
    """What a waiting change alters, field by field, beside the approved version."""
    before, after = Report.of(activity), Report.from_json(change.data)
    rows = []
    for field in Report.__dataclass_fields__:
        old, new = getattr(before, field), getattr(after, field)
        if old != new:
            label = Activity._meta.get_field(field).verbose_name
            rows.append({"label": label, "old": _display(old), "new": _display(new)})
    if change.poster:
        rows.append({"label": "活动宣传图", "old": "（原图）", "new": "（新图，见下方）"})
    return rows


def _display(value):
    if isinstance(value, list):
        return "，".join(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if hasattr(value, "isoformat"):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return value if value not in (None, "") else "（空）"


@require_safe
@reviewer_view("read")
def activity_page(request, unit, activity):
    """The activity as submitted: every field, the organisation, a change beside the approved version."""
    return _activity_page(request, unit, activity)


def _activity_page(request, unit, activity, **bound_forms):
    """The reviewer's page of ``activity``; a refused form is shown again with what was typed."""
    activity = (
        Activity.objects.select_related("campaign", "region__parent", "category", "supervisor", "owner_unit")
        .prefetch_related("changes", "extensions", "photos", "links")
        .get(pk=activity.pk)
    )
    change = activity.pending_change
    decidable = access.can_decide(request.user, activity)
    context = {
        "section": "queue",
        "unit": unit,
        "activity": activity,
        "change": change,
        "changes": _changes(activity, change) if change else [],
        "decidable": decidable,
        "waiting": activity.status == Activity.Status.PENDING or change is not None,
        "decision_form": DecisionForm(),
        "extension_form": ExtensionForm(),
        "recommendation_form": RecommendationForm(),
        "can_recommend": services.recommendation_target(unit) is not None
        and activity.status == Activity.Status.APPROVED,
        "recommendations": Recommendation.objects.filter(activity=activity).select_related(
            "from_unit", "to_unit"
        ),
        "decisions": activity.decisions.select_related("actor").order_by("-at", "-id"),
        "summary": getattr(activity, "summary", None),
        "next": request.GET.get("next", "") or request.POST.get("next", ""),
        **bound_forms,
    }
    return render(request, "reviews/activity.html", context)


@require_POST
@reviewer_view("decide")
def decide(request, unit, activity):
    """审核通过, or 审核未通过 with its reason."""
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _activity_page(request, unit, activity, decision_form=form)
    try:
        if form.cleaned_data["decision"] == "approve":
            transitions.approve(activity=activity, by=request.user)
            messages.success(request, f"“{activity}”已审核通过")
        else:
            transitions.reject(activity=activity, by=request.user, reason=form.cleaned_data["reason"])
            messages.success(request, f"“{activity}”已审核未通过，原因已告知填报单位")
    except ActivityError as exc:
        messages.error(request, exc.message)
        return redirect("reviews:activity", code=activity.public_code)
    return _back(request, "reviews:queue")


@require_POST
@reviewer_view("decide")
def extend(request, unit, activity):
    """延期: a later last day for one window of this activity."""
    form = ExtensionForm(request.POST)
    if form.is_valid():
        try:
            services.grant_extension(activity=activity, by=request.user, **form.cleaned_data)
        except ActivityError as exc:
            messages.error(request, exc.message)  # shown even where the form is not
        else:
            messages.success(request, "已延期，填报单位会收到通知")
            return redirect("reviews:activity", code=activity.public_code)
    return _activity_page(request, unit, activity, extension_form=form)


@require_POST
@reviewer_view("read")
def recommend(request, unit, activity):
    """推荐 the activity or its organisation to the unit above."""
    form = RecommendationForm(request.POST)
    if form.is_valid():
        try:
            services.recommend(activity=activity, unit=unit, by=request.user, **form.cleaned_data)
        except ActivityError as exc:
            messages.error(request, exc.message)  # shown even where the form is not
        else:
            messages.success(request, "已推荐")
            return redirect("reviews:activity", code=activity.public_code)
    return _activity_page(request, unit, activity, recommendation_form=form)


ITEM_MODELS = {"photo": ActivityPhoto, "link": ActivityLink}


@require_POST
@reviewer_view("read")
def moderate(request, unit, activity, kind, item_id, action):
    """Hide a supplement photo or link (or show it again): kept, with who and when."""
    model = ITEM_MODELS.get(kind)
    if model is None or action not in ("hide", "unhide"):
        raise Http404
    item = get_object_or_404(model, pk=item_id, activity=activity)
    services.set_hidden(item, by=request.user, hidden=action == "hide")
    messages.success(request, "已隐藏" if action == "hide" else "已恢复显示")
    return redirect("reviews:activity", code=activity.public_code)


@require_safe
@reviewer_view("console")
def statistics(request, unit):
    """Counts over the read set, as charts and as a table."""
    activities = access.read_set(unit)
    status_labels = dict(Activity.Status.choices)
    type_labels = dict(Activity.Type.choices)
    by_status = [
        {"label": status_labels[row["status"]], "count": row["n"]}
        for row in activities.values("status").annotate(n=Count("pk")).order_by("status")
    ]
    by_region = [
        {"label": f"{row['region__parent__name']}—{row['region__name']}", "count": row["n"]}
        for row in activities.values("region__parent__name", "region__name")
        .annotate(n=Count("pk"))
        .order_by("-n")
    ]
    by_category = [
        {"label": row["category__name"] or "（未选）", "count": row["n"]}
        for row in activities.values("category__name").annotate(n=Count("pk")).order_by("-n")
    ]
    by_type = [
        {"label": type_labels.get(row["activity_type"], "（未选）"), "count": row["n"]}
        for row in activities.values("activity_type").annotate(n=Count("pk")).order_by("-n")
    ]
    totals = activities.aggregate(
        total=Count("pk"),
        summaries=Count("pk", filter=Q(summarized_at__isnull=False)),
        participants=Sum("summary__participants"),
    )
    charts = {
        "status": by_status,
        "region": by_region[:20],
        "category": by_category,
        "type": by_type,
    }
    context = {
        "section": "statistics",
        "unit": unit,
        "totals": totals,
        "by_status": by_status,
        "by_region": by_region,
        "by_category": by_category,
        "by_type": by_type,
        "charts": charts,
    }
    return render(request, "reviews/statistics.html", context)


@reviewer_view("console")
def exports(request, unit):
    """导出: start an XLSX export of the read set; recent exports with their state."""
    if request.method == "POST":
        job = services.start_export(user=request.user, unit=unit)
        return redirect("reviews:export_job", job_id=job.pk)
    jobs = ExportJob.objects.filter(requested_by=request.user)[:10]
    return render(request, "reviews/exports.html", {"section": "exports", "unit": unit, "jobs": jobs})


def _own_job(request, job_id) -> ExportJob:
    return get_object_or_404(ExportJob, pk=job_id, requested_by=request.user)


@require_safe
@reviewer_view("console")
def export_job(request, unit, job_id):
    context = {"section": "exports", "unit": unit, "job": _own_job(request, job_id)}
    return render(request, "reviews/export_job.html", context)


@require_safe
@reviewer_view("console")
def export_status(request, unit, job_id):
    job = _own_job(request, job_id)
    return JsonResponse(
        {
            "state": job.state,
            "state_label": job.get_state_display(),
            "percent": job.percent,
            "done": job.done,
            "total": job.total,
            "download": reverse("reviews:export_download", args=[job.pk])
            if job.state == job.State.DONE
            else "",
        },
        json_dumps_params={"ensure_ascii": False},
    )


@require_safe
@reviewer_view("console")
def export_download(request, unit, job_id):
    job = _own_job(request, job_id)
    if job.state != ExportJob.State.DONE or not job.file:
        raise Http404
    name = job.file.name.rsplit("/", 1)[-1]
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=name)


@require_safe
@reviewer_view("console")
def recommendations(request, unit):
    """推荐: received from the units below, and made to the unit above; 中国科协 sees the national list."""
    received = Recommendation.objects.filter(to_unit=unit).select_related("activity", "from_unit", "by")
    made = Recommendation.objects.filter(from_unit=unit).select_related("activity", "to_unit", "by")
    if "xlsx" in request.GET:
        response = HttpResponse(
            services.recommendations_workbook(received),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response.headers["Content-Disposition"] = content_disposition_header(True, f"推荐名单-{unit}.xlsx")
        return response
    return render(
        request,
        "reviews/recommendations.html",
        {"section": "recommendations", "unit": unit, "received": received, "made": made},
    )
