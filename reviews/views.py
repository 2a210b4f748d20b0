"""The reviewers' console: queue, activity page and decisions, 延期, 推荐, moderation, statistics, exports."""

from functools import cache

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse, JsonResponse, QueryDict
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST, require_safe

from activities import transitions
from activities.models import Activity, ActivityChange, ActivityLink, ActivityPhoto
from activities.reports import Report
from activities.selectors import with_reach
from activities.services import ActivityError
from kepuri.http import safe_next_url
from kepuri.idempotency import once_per_form_token

from . import access, bulk, services
from . import screen as data_screen
from . import statistics as stats
from .access import reviewer_view
from .forms import DecisionForm, ExtensionForm, RecommendationForm
from .models import BulkApproval, ExportJob, Recommendation
from .queue import Queue, kept

# What a queue row shows: the rest of a wide row stays in the database.
QUEUE_COLUMNS = (
    "public_code", "name", "org_name", "status", "activity_type", "starts_at", "ends_at",
    "waiting_since", "submitted_at", "region__name", "region__parent__name", "category__name",
)  # fmt: skip


def _back(request, default):
    return redirect(safe_next_url(request, reverse(default)))


def _with_query(url: str, query: str) -> str:
    return f"{url}?{query}" if query else url


@require_safe
@reviewer_view("console")
def queue(request, unit):
    """待审核 first (new activities and changes), oldest submission first; filters, search, pages by key.

    What the page shows of the queue (its rows, its counts, the filters as chosen) is kept until
    anything in the reviewer's scope changes (``queue.kept``): a page asked again costs one
    round trip to the cache; only the header and the forms' tokens are made for each request.
    """
    items = Queue(unit, request.GET, user=request.user, columns=QUEUE_COLUMNS)
    after, before = request.GET.get("after", ""), request.GET.get("before", "")
    decides = items.scope == "decide"
    may_read_more = unit.kind in ("provincial", "city")

    def rows():
        page = items.page(after=after, before=before)
        return render_to_string("reviews/_queue_rows.html", {"page": page, "query": items.query})

    def filters():
        context = {"form": items.filters.form, "scope": items.scope, "may_read_more": may_read_more}
        return render_to_string("reviews/_queue_filters.html", context)

    shown = kept(
        unit,
        {
            f"{items.query}|total": lambda: items.rows.count(),
            "waiting": items.waiting_count_now,
            f"{items.query}|bulk:{request.user.pk}": (lambda: bulk.count(items)) if decides else (lambda: 0),
            f"{items.query}|rows:{after}:{before}": rows,
            f"{items.query}|filters": filters,
        },
    )
    context = {
        "section": "queue",
        "unit": unit,
        "query": items.query,
        "total": shown[f"{items.query}|total"],
        "waiting_count": shown["waiting"],
        "bulk_count": shown[f"{items.query}|bulk:{request.user.pk}"],
        "rows_html": mark_safe(shown[f"{items.query}|rows:{after}:{before}"]),  # noqa: S308 -- our template's
        "filters_html": mark_safe(shown[f"{items.query}|filters"]),  # noqa: S308 -- our template's
    }
    return render(request, "reviews/queue.html", context)


@require_POST
@once_per_form_token
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


@require_POST
@once_per_form_token
@reviewer_view("console")
def bulk_approve_all(request, unit):
    """批量审核通过 everything the filtered queue holds, as a background job, once confirmed."""
    items = bulk.decide_queue(unit, request.POST.get("query", ""), request.user)
    queue_url = _with_query(reverse("reviews:queue"), items.query)
    now = bulk.count(items)
    if not now:
        messages.info(request, "筛选出的活动中没有待您审核的活动")
        return redirect(queue_url)
    if request.POST.get("expected") != str(now):
        messages.warning(request, f"待审核的活动数已变为 {now} 个，请确认后再批量审核通过")
        return redirect(queue_url)
    job = bulk.start(user=request.user, unit=unit, query=items.query, expected=now)
    return redirect("reviews:bulk_job", job_id=job.pk)


def _own_bulk_job(request, job_id) -> BulkApproval:
    return get_object_or_404(BulkApproval, pk=job_id, requested_by=request.user)


@require_safe
@reviewer_view("console")
def bulk_job(request, unit, job_id):
    job = _own_bulk_job(request, job_id)
    context = {
        "section": "queue",
        "unit": unit,
        "job": job,
        "queue_url": _with_query(reverse("reviews:queue"), job.query),
    }
    return render(request, "reviews/bulk_job.html", context)


@require_safe
@reviewer_view("console")
def bulk_status(request, unit, job_id):
    job = _own_bulk_job(request, job_id)
    return _job_status(job, approved=job.approved, refused=job.refused, notes=job.notes)


def _job_status(job, link: str = "", **extra) -> JsonResponse:
    """A background job's progress, as the progress bar's script reads it."""
    return JsonResponse(
        {
            "state": job.state,
            "state_label": job.get_state_display(),
            "percent": job.percent,
            "done": job.done,
            "total": job.total,
            "link": link,
            **extra,
        },
        json_dumps_params={"ensure_ascii": False},
    )


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


def _activity_url(activity, query: str) -> str:
    return _with_query(reverse("reviews:activity", args=[activity.public_code]), query)


def _queue_of(request, unit) -> Queue:
    """The filtered queue the reviewer came from: the page's querystring, or a form's ``queue`` field."""
    data = request.GET if request.method == "GET" else QueryDict(request.POST.get("queue", ""))
    return Queue(unit, data, user=request.user)


def _place(items: Queue, activity) -> dict:
    """Where the activity stands in the reviewer's filtered queue: 第 n / N 条, 上一条 and 下一条."""
    previous, following = items.neighbours(activity)
    return {
        "query": items.query,
        "queue_url": _with_query(reverse("reviews:queue"), items.query),
        "position": items.position(activity),
        "total": items.total(),
        "previous_url": _activity_url(previous, items.query) if previous else "",
        "next_url": _activity_url(following, items.query) if following else "",
    }


CSRF_PLACEHOLDER = "csrf-token-of-the-request"


def _activity_page(request, unit, activity, **bound_forms):
    """The reviewer's page of ``activity``; a refused form is shown again with what was typed.

    The page below its heading is kept for this reviewer until anything in their scope
    changes (``queue.kept``; ``signals`` moves the scope on with the activity, its photos,
    links, 延期 and 推荐), its forms' token put in for each request. Its views and shares are
    those of when it was made (the flush of the counts moves no scope on: ``queue``).
    """
    items = _queue_of(request, unit)

    def console(csrf_token: str) -> str:
        context = _console(request, unit, activity, items, **bound_forms) | {"csrf_token": csrf_token}
        return render_to_string("reviews/_activity_console.html", context)

    if bound_forms:
        html = console(get_token(request))
    else:
        name = f"{items.query}|activity:{activity.pk}:{request.user.pk}"
        html = kept(unit, {name: lambda: console(CSRF_PLACEHOLDER)})[name]
        html = html.replace(CSRF_PLACEHOLDER, get_token(request))
    context = {"section": "queue", "unit": unit, "activity": activity, "console_html": mark_safe(html)}  # noqa: S308
    return render(request, "reviews/activity.html", context)


@cache
def _unbound(form_class) -> str:
    """An empty form's fields as crispy renders them: the same for every page, rendered once."""
    return as_crispy_form(form_class())


def _console(request, unit, activity, items: Queue, **bound_forms) -> dict:
    parts = ["changes", "extensions"]
    if activity.supplemented_at:  # photos and links come with 补充活动信息
        parts += ["photos", "links"]
    activity = (
        with_reach(Activity.objects)
        .select_related("campaign", "region__parent", "category", "supervisor", "owner_unit", "summary")
        .prefetch_related(*parts)
        .get(pk=activity.pk)
    )
    change = activity.pending_change
    can_recommend = (
        services.recommendation_target(unit) is not None and activity.status == Activity.Status.APPROVED
    )
    forms = {
        name: mark_safe(as_crispy_form(bound_forms[name]) if name in bound_forms else _unbound(form))  # noqa: S308
        for name, form in (("extension_form", ExtensionForm), ("recommendation_form", RecommendationForm))
    }
    return {
        "unit": unit,
        "activity": activity,
        "supplement": (activity.photos.all(), activity.links.all()) if activity.supplemented_at else ((), ()),
        "change": change,
        "changes": _changes(activity, change) if change else [],
        "decidable": access.can_decide(request.user, activity),
        "waiting": activity.status == Activity.Status.PENDING or change is not None,
        "decision_form": bound_forms.get("decision_form") or DecisionForm(),
        **forms,
        "can_recommend": can_recommend,
        "recommendations": Recommendation.objects.filter(activity=activity).select_related(
            "from_unit", "to_unit"
        )
        if can_recommend
        else (),
        "decisions": activity.decisions.select_related("actor").order_by("-at", "-id"),
        "summary": getattr(activity, "summary", None),
        **_place(items, activity),
    }


@require_POST
@once_per_form_token
@reviewer_view("decide")
def decide(request, unit, activity):
    """审核通过, or 审核未通过 with its reason; then straight on to 下一条 of the same filtered queue."""
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
        return redirect(_activity_url(activity, _queue_of(request, unit).query))
    items = _queue_of(request, unit)
    following = items.neighbours(activity)[1]
    return redirect(
        _activity_url(following, items.query)
        if following
        else _with_query(reverse("reviews:queue"), items.query)
    )


@require_POST
@once_per_form_token
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
@once_per_form_token
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


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response.headers["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@require_safe
@reviewer_view("console")
def statistics(request, unit):
    """统计 of the read set, from the aggregate (reviews.statistics); ``?xlsx``: its tables as a workbook.

    The figures and the block showing them are kept until the next rebuild (``stats.page``):
    only the header is made for each request.
    """
    shown = stats.page(unit, year=request.GET.get("campaign"))
    if shown is None:
        raise Http404
    figures = shown.figures
    if "xlsx" in request.GET:
        return _xlsx(stats.workbook(figures), f"审核统计-{unit}-{figures.campaign.year}.xlsx")
    context = {
        "section": "statistics",
        "unit": unit,
        "console": shown.console(),
        # What the block shows, for whoever reads the context (the tests); not rendered again.
        "figures": figures,
        "totals": figures.totals,
        "by_status": figures.by_status,
        "by_type": figures.by_type,
        "by_category": figures.by_category,
        "by_area": figures.by_area,
        "daily": figures.daily,
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
    done = job.state == job.State.DONE
    return _job_status(job, link=reverse("reviews:export_download", args=[job.pk]) if done else "")


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
        return _xlsx(services.recommendations_workbook(received), f"推荐名单-{unit}.xlsx")
    return render(
        request,
        "reviews/recommendations.html",
        {"section": "recommendations", "unit": unit, "received": received, "made": made},
    )


# --- 数据大屏 ------------------------------------------------------------------------------------


@require_safe
@reviewer_view("console")
def screen(request, unit):
    """数据大屏 of the reviewer's scope (``reviews.screen``): a full-screen page whose script asks
    ``screen_data`` every minute; ``?refresh=N`` asks every N seconds."""
    context = data_screen.page_context(
        data_screen.scope_of(unit),
        data_url=reverse("reviews:screen_data"),
        refresh=request.GET.get("refresh"),
        back_url=reverse("reviews:statistics"),
    )
    if context is None:
        raise Http404
    return render(request, "reviews/screen.html", context)


@require_safe
@reviewer_view("console")
def screen_data(request, unit):
    """The 数据大屏's figures as JSON, kept half a minute per scope."""
    made = data_screen.json_of(data_screen.scope_of(unit))
    if made is None:
        raise Http404
    response = HttpResponse(made, content_type="application/json")
    response["Cache-Control"] = "private, no-cache"
    return response
