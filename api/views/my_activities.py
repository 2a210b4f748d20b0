"""发布活动 and 用户中心 → 活动管理 as data: the organiser's own activities and every operation on them.

Each operation asks ``activities.rules`` first (the 活动管理 table), the site's
form checks the input, and the service that the site's page calls decides and
writes. Another account's activity is 404, as on the site.
"""

from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.response import Response
from rest_framework.views import APIView

from activities import rules, selectors, services
from activities.forms import PosterForm, ReportForm, SupplementForm
from activities.models import Activity, Campaign
from activities.views import qr_response
from api.caching import private
from api.errors import ApiError
from api.inputs import as_form_data, checked
from api.pagination import Cursor
from api.serializers.activities import (
    MyActivity,
    PosterIn,
    ReportIn,
    StagedPosterOut,
    SummaryIn,
    SupplementIn,
    file_url,
    report_as_input,
)
from summaries import services as summaries
from summaries.forms import SummaryForm

TAG = ["我的活动"]
WRITE_ERRORS = ("window_closed", "window_not_open", "pending_review", "change_pending", "incomplete")


def _answer(request, activity: Activity, *, created=False) -> Response:
    fresh = selectors.own_activity(request.user, activity.public_code)
    context = {"user": request.user, "at": timezone.now(), "detail": True}
    data = MyActivity(fresh, context=context).data
    return private(Response(data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK))


def _report_form(request, values: dict, *, campaign, activity=None) -> ReportForm:
    serializer = ReportIn(data=values)
    serializer.is_valid(raise_exception=True)
    files = {"poster": request.FILES["poster"]} if "poster" in request.FILES else {}
    form = ReportForm(
        as_form_data(serializer.form_data()),
        MultiValueDict({k: [v] for k, v in files.items()}),
        campaign=campaign,
        owner=request.user,
        activity=activity,
    )
    form.creation_token = serializer.validated_data["creation_token"]
    if not form.is_valid() and not values.get("province"):
        form.errors.pop("province", None)  # derived from the region, whose own message says what is wrong
    return checked(form, rename={"staged_poster": "poster_id"})


def _save(request, form: ReportForm, *, activity=None, campaign=None) -> Activity:
    return services.save_report(
        owner=request.user,
        report=form.report(),
        submit=form.submitting,
        activity=activity,
        campaign=campaign,
        token=form.creation_token if activity is None else None,
        poster=form.poster_upload(),
    )


def _body(request) -> dict:
    """The request's values (files aside), a list where the client repeated a key."""
    data = request.data
    if hasattr(data, "getlist"):
        lists = ("hosts", "organizers", "video_links", "news_links")
        return {
            key: data.getlist(key) if key in lists else data.get(key)
            for key in data
            if key not in request.FILES
        }
    return dict(data) if isinstance(data, dict) else {}


def _edit(request, code: str, values: dict) -> Response:
    """编辑活动 with these values: a draft or a rejected activity is saved (or submitted), an approved
    one files a change."""
    activity = selectors.own_activity(request.user, code)
    services.require(rules.can_edit(activity, request.user))
    form = _report_form(request, values, campaign=activity.campaign, activity=activity)
    return _answer(request, _save(request, form, activity=activity))


class MyActivitiesView(APIView):
    """我发布的活动, and 发布活动 (a new report: 暂存 or 保存并下一步)."""

    pagination_class = Cursor
    error_codes = (*WRITE_ERRORS, "organization_required", "no_campaign")

    @extend_schema(tags=TAG, responses=MyActivity(many=True), summary="我发布的活动")
    def get(self, request):
        paginator = Cursor()
        page = paginator.paginate_queryset(selectors.own_activities(request.user), request, self)
        context = {"user": request.user, "at": timezone.now()}
        return private(paginator.get_paginated_response(MyActivity(page, many=True, context=context).data))

    @extend_schema(tags=TAG, request=ReportIn, responses={201: MyActivity}, summary="发布活动")
    def post(self, request):
        campaign = Campaign.objects.current()
        services.require(rules.can_report(campaign, request.user))
        form = _report_form(request, _body(request), campaign=campaign)
        return _answer(request, _save(request, form, campaign=campaign), created=True)


class MyActivityView(APIView):
    """One of my activities: read it, 编辑活动 (PUT all fields, PATCH some), 删除."""

    error_codes = (*WRITE_ERRORS, "approved_no_draft", "organization_required")

    @extend_schema(tags=TAG, responses=MyActivity, summary="我的活动")
    def get(self, request, code):
        return _answer(request, selectors.own_activity(request.user, code))

    @extend_schema(tags=TAG, request=ReportIn, responses=MyActivity, summary="编辑活动（全部字段）")
    def put(self, request, code):
        return _edit(request, code, _body(request))

    @extend_schema(tags=TAG, request=ReportIn, responses=MyActivity, summary="编辑活动（部分字段）")
    def patch(self, request, code):
        activity = selectors.own_activity(request.user, code)
        return _edit(request, code, report_as_input(activity) | _body(request))

    @extend_schema(tags=TAG, responses={204: None}, summary="删除活动")
    def delete(self, request, code):
        activity = selectors.own_activity(request.user, code)
        services.delete_activity(activity=activity, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SubmitView(APIView):
    """保存并下一步 on the report as stored: a draft or a rejected activity becomes 待审核."""

    error_codes = WRITE_ERRORS

    @extend_schema(tags=TAG, request=None, responses=MyActivity, summary="提交审核")
    def post(self, request, code):
        activity = selectors.own_activity(request.user, code)
        return _edit(request, code, report_as_input(activity) | {"submit": True})


class SupplementView(APIView):
    """补充活动信息, once: photos (multipart), video and news links; final once saved."""

    error_codes = (*WRITE_ERRORS, "not_submitted", "locked", "empty_supplement")

    @extend_schema(
        tags=TAG,
        request={"multipart/form-data": SupplementIn, "application/json": SupplementIn},
        responses=MyActivity,
        summary="补充活动信息",
    )
    def post(self, request, code):
        activity = selectors.own_activity(request.user, code)
        services.require(rules.can_supplement(activity, request.user))
        body = _body(request)
        serializer = SupplementIn(data=body)
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        data = {
            "video_links": "\n".join(values["video_links"]),
            "news_links": "\n".join(values["news_links"]),
        }
        photos = MultiValueDict({"photos": request.FILES.getlist("photos")})
        form = checked(SupplementForm(as_form_data(data), photos, activity=activity))
        services.save_supplement(activity=activity, user=request.user, **form.cleaned_data)
        return _answer(request, activity)


class SupplementSkipView(APIView):
    """跳过: nothing is saved; the supplement stays open until its deadline."""

    error_codes = ("window_closed", "window_not_open", "not_submitted", "locked")

    @extend_schema(tags=TAG, request=None, responses=MyActivity, summary="跳过补充活动信息")
    def post(self, request, code):
        activity = selectors.own_activity(request.user, code)
        services.require(rules.can_supplement(activity, request.user))
        return _answer(request, activity)


class SummaryView(APIView):
    """编辑总结, once: 活动总结, 活动参与人数 and attachments (multipart); final once saved."""

    error_codes = ("window_closed", "window_not_open", "not_approved", "locked")

    @extend_schema(
        tags=TAG,
        request={"multipart/form-data": SummaryIn, "application/json": SummaryIn},
        responses=MyActivity,
        summary="编辑总结",
    )
    def post(self, request, code):
        activity = selectors.own_activity(request.user, code)
        services.require(rules.can_summarize(activity, request.user))
        serializer = SummaryIn(data=_body(request))
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        attachments = MultiValueDict({"attachments": request.FILES.getlist("attachments")})
        data = {"text": values["text"], "participants": values["participants"]}
        form = checked(SummaryForm(as_form_data(data), attachments))
        summaries.save_summary(activity=activity, user=request.user, **form.cleaned_data)
        return _answer(request, activity)


class _AnyAccept(BaseContentNegotiation):
    """An image is answered whatever the client says it accepts (an ``Accept: image/png`` included);
    a refusal is JSON."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class QrView(APIView):
    """活动二维码 as PNG (at least 1000 px, captioned) or SVG; ``?download`` for an attachment."""

    content_negotiation_class = _AnyAccept
    etag = True  # no error_codes: a draft's code is refused as not_found (404), as on the site

    @extend_schema(
        tags=TAG,
        responses={(200, "image/png"): bytes, (200, "image/svg+xml"): bytes},
        parameters=[OpenApiParameter("download", str, description="有此参数时作为附件下载")],
        summary="活动二维码",
    )
    def get(self, request, code, kind):
        activity = selectors.own_activity(request.user, code)
        if not (permission := rules.can_get_qr(activity, request.user)):
            raise ApiError("not_found", permission.reason)
        return qr_response(request, activity, kind=kind)


class PostersView(APIView):
    """活动宣传图 first, the report after: the answer's ``id`` goes in the report's ``poster_id``."""

    @extend_schema(
        tags=TAG,
        request={"multipart/form-data": PosterIn},
        responses={201: StagedPosterOut},
        summary="上传活动宣传图",
    )
    def post(self, request):
        form = checked(PosterForm(files=MultiValueDict({"poster": request.FILES.getlist("poster")})))
        staged = services.stage_poster(owner=request.user, poster=form.cleaned_data["poster"])
        data = {"id": staged.pk, "list": file_url(staged.poster_list), "page": file_url(staged.poster_page)}
        return private(Response(data, status=status.HTTP_201_CREATED))
