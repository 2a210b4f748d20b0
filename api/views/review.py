"""审核's read side for a provincial system: the reviewer's queue with its filters, and an activity as
submitted with its decision log. Deciding stays on the site's console.

The sets are the console's (``reviews.access``): the decide set, or with
``scope=read`` the read set of a 省科协 or city-level 科协; an account that reviews
nothing gets 403, an activity outside the set 404.
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from activities.models import Activity
from api.caching import private
from api.errors import ApiError, form_invalid
from api.inputs import LocalDateTime
from api.pagination import Cursor
from api.serializers.activities import _ActivityFacts
from reviews import access
from reviews.filters import STATE_CHOICES, QueueFilter

TAG = ["审核（只读）"]


class DecisionOut(serializers.Serializer):
    at = LocalDateTime()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    reason = serializers.CharField()


class ReviewActivity(_ActivityFacts):
    status = serializers.ChoiceField(choices=Activity.Status.choices)
    waiting = serializers.SerializerMethodField(help_text="有待审核的内容（新活动或修改）")
    org_name = serializers.CharField(help_text="提交时的单位名称")
    org_contact_name = serializers.CharField()
    org_contact_phone = serializers.CharField()
    owner_unit = serializers.CharField(source="owner_unit.name", allow_null=True, help_text="隶属单位")
    submitted_at = LocalDateTime(allow_null=True)
    decided_at = LocalDateTime(allow_null=True)
    rejection_reason = serializers.CharField()

    def get_waiting(self, activity) -> bool:
        # Not a BooleanField on waiting_since: a serializer writes null for a None attribute.
        return activity.waiting_since is not None


class ReviewActivityDetail(ReviewActivity):
    decisions = DecisionOut(many=True, help_text="审核记录，最新在前")


def _unit(request):
    unit = access.reviewer_unit(request.user)
    if unit is None:
        raise ApiError("permission_denied", "只有审核员可以访问")
    return unit


def _scoped(request, unit):
    scope = request.query_params.get("scope", "decide")
    return access.read_set(unit) if scope == "read" else access.decide_set(unit)


class ReviewQueueView(APIView):
    """The console's queue as data: what waits by default (``state=waiting``), with its filters."""

    pagination_class = Cursor
    error_codes = ("permission_denied",)

    @extend_schema(
        tags=TAG,
        responses=ReviewActivity(many=True),
        summary="审核队列",
        parameters=[
            OpenApiParameter(
                "scope", str, enum=["decide", "read"], description="decide 本单位审核的；read 辖区内全部"
            ),
            OpenApiParameter("state", str, enum=[key for key, _ in STATE_CHOICES]),
            OpenApiParameter("campaign", int, description="年度 id"),
            OpenApiParameter("region", str, description="市级区划代码"),
            OpenApiParameter("activity_type", str, enum=["online", "offline", "hybrid"]),
            OpenApiParameter("category", int),
            OpenApiParameter("starts_from", str, description="YYYY-MM-DD"),
            OpenApiParameter("starts_to", str, description="YYYY-MM-DD"),
            OpenApiParameter("q", str, description="活动名称、单位名称或公开编号"),
        ],
    )
    def get(self, request):
        unit = _unit(request)
        base = _scoped(request, unit).select_related(
            "campaign", "region__parent", "category", "supervisor", "owner_unit"
        )
        filters = QueueFilter(request.query_params, queryset=base, unit=unit)
        if not filters.is_valid():
            raise form_invalid(filters.form)
        paginator = Cursor()
        paginator.ordering = ("-submitted_at", "-id")
        page = paginator.paginate_queryset(filters.qs, request, self)
        return private(paginator.get_paginated_response(ReviewActivity(page, many=True).data))


class ReviewActivityView(APIView):
    """An activity of the reviewer's read set: every field as submitted, and its decision log."""

    error_codes = ("permission_denied",)

    @extend_schema(tags=TAG, responses=ReviewActivityDetail, summary="审核活动详情")
    def get(self, request, code):
        unit = _unit(request)
        activity = get_object_or_404(
            access.read_set(unit)
            .select_related("campaign", "region__parent", "category", "supervisor", "owner_unit")
            .prefetch_related("decisions"),
            public_code=code,
        )
        return private(Response(ReviewActivityDetail(activity).data))
