"""The public site as data: the list and its filters, an activity, 打卡 / 点赞 / 收藏, comments,
and 个人中心's lists (已参与, 点赞, 收藏).

The list and an activity are the same JSON for every reader, cached under the
generation a change moves on (as the pages are) and sent with an ETag; what is
the reader's own (已打卡, 已点赞, 已收藏) is a small request of its own.
"""

import hashlib

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from activities.models import Activity
from api.caching import private, public_json, served_from_cache
from api.errors import ApiError, form_invalid
from api.inputs import shape
from api.pagination import Cursor
from api.serializers.activities import (
    ActionOut,
    CommentIn,
    CommentOut,
    PublicActivity,
    PublicActivityCard,
    ReaderStateOut,
)
from api.throttles import PUBLIC_READ
from public import pagecache, rules, selectors, services
from public.filters import SORTS, ActivityListFilter
from public.models import CheckIn, Comment, Favorite, Like

TAG = ["公众"]
UNDER_REVIEW = "该活动正在审核中，审核通过后即可查看活动详情、打卡和点赞。"

# The cursor's order for each of the list's sorts (the site's order, on columns a cursor can hold).
SORT_ORDERING = {
    "newest": ("-decided_at", "-id"),
    "soon": ("starts_at", "id"),
    "liked": ("-like_count", "-id"),
}


class _ListCursor(Cursor):
    def get_ordering(self, request, queryset, view):
        return SORT_ORDERING[view.sort]


class ActivitiesView(APIView):
    """活动列表: approved activities shown on the site (展示 = 是), with the site's filters."""

    permission_classes = [AllowAny]
    throttle_classes = PUBLIC_READ
    pagination_class = _ListCursor
    etag = True

    @extend_schema(
        tags=TAG,
        responses=PublicActivityCard(many=True),
        summary="活动列表",
        parameters=[
            OpenApiParameter("q", str, description="关键词：活动名称、单位、主办单位（两个字即可，如 节水）"),
            OpenApiParameter("province", str, description="省级区划代码"),
            OpenApiParameter("region", str, description="市级区划代码"),
            OpenApiParameter("activity_type", str, enum=["online", "offline", "hybrid"]),
            OpenApiParameter("category", int, description="活动类别 id（/campaign/ 的 categories）"),
            OpenApiParameter("date_from", str, description="日期从（YYYY-MM-DD）"),
            OpenApiParameter("date_to", str, description="至（YYYY-MM-DD）"),
            OpenApiParameter(
                "sort", str, enum=[key for key, _ in SORTS], description="最新发布 · 即将开始 · 最多点赞"
            ),
        ],
    )
    def get(self, request):
        def build():  # on a miss: a filter the form refuses is 422 and is not kept
            listed = selectors.for_list(selectors.listed())
            filters = ActivityListFilter(request.query_params, queryset=listed)
            if not filters.is_valid():
                raise form_invalid(filters.form)
            self.sort = filters.form.cleaned_data.get("sort") or "newest"
            paginator = self.pagination_class()
            page = paginator.paginate_queryset(filters.qs, request, self)
            return paginator.get_paginated_response(PublicActivityCard(page, many=True).data).data

        return public_json(request, build, kept=_list_kept(request._request), ttl=pagecache.LIST_TTL)


def _list_kept(request) -> tuple[str, str]:
    """A list's JSON, by its querystring, under the lists' generation (any save of an activity)."""
    query = hashlib.md5(request.GET.urlencode().encode(), usedforsecurity=False).hexdigest()
    return f"api:list:{query}", pagecache.LIST_GENERATION


def _activity_data(code: str) -> dict:
    activity = selectors.activity_for_page(code)
    state = rules.visibility(activity)
    if state == rules.Visibility.UNDER_REVIEW:
        raise ApiError("under_review", UNDER_REVIEW)
    if state != rules.Visibility.PUBLIC:
        raise ApiError("not_found", "活动不存在或已删除")
    return PublicActivity(activity).data


class ActivityView(APIView):
    """The activity the QR code opens: its approved version, its photos and links, its counts."""

    permission_classes = [AllowAny]
    throttle_classes = PUBLIC_READ
    etag = True
    error_codes = ("under_review",)

    @extend_schema(tags=TAG, responses=PublicActivity, summary="活动详情")
    def get(self, request, code):
        return public_json(
            request, lambda: _activity_data(code), kept=_activity_kept(request, code), ttl=pagecache.PAGE_TTL
        )


def _activity_kept(request, code) -> tuple[str, str]:
    """An activity's JSON under its page's generation: whatever makes its page anew makes this anew."""
    return f"api:activity:{code}", pagecache.activity_generation(code)


activities_view = served_from_cache(_list_kept)(ActivitiesView.as_view())
activity_view = served_from_cache(_activity_kept)(ActivityView.as_view())


def _public_activity(code) -> Activity:
    return selectors.for_action(code)


def _counts(activity) -> dict:
    return {
        "checkins": activity.checkin_count,
        "likes": activity.like_count,
        "favorites": activity.favorite_count,
        "comments": activity.comment_count,
    }


def _action(activity, *, active: bool, detail: str) -> Response:
    return private(Response({"active": active, "detail": detail, "counts": _counts(activity)}))


class ReaderStateView(APIView):
    """What is mine on an activity: 已打卡, 已点赞, 已收藏 (and its counts as they stand)."""

    @extend_schema(tags=TAG, responses=ReaderStateOut, summary="我在该活动的状态")
    def get(self, request, code):
        activity = _public_activity(code)
        mine = selectors.reader_state(request.user, activity)
        data = {
            "checked_in": bool(mine["checked_in"]),
            "liked": bool(mine["liked"]),
            "favorited": bool(mine["favorited"]),
            "counts": {
                "checkins": mine["checkin_count"],
                "likes": mine["like_count"],
                "favorites": mine["favorite_count"],
                "comments": mine["comment_count"],
            },
        }
        return private(Response(data))


class _ToggleView(APIView):
    """PUT sets it, DELETE takes it back; asking twice for the same state changes nothing."""

    setter = None
    done = ("", "")

    def put(self, request, code):
        return self._set(request, code, on=True)

    def delete(self, request, code):
        return self._set(request, code, on=False)

    def _set(self, request, code, *, on):
        activity = _public_activity(code)
        type(self).setter(user=request.user, activity=activity, on=on)
        return _action(activity, active=on, detail=self.done[0] if on else self.done[1])


def _own(method):
    """A handler of the view's own: extend_schema annotates the function it is given, and a shared
    one would carry the last view's summary into every view."""

    def handler(self, request, *args, **kwargs):
        return method(self, request, *args, **kwargs)

    return handler


def _toggle_schema(label):
    # 200 for DELETE too: it answers the state and counts (drf-spectacular would document a bare 204)
    schema = extend_schema(tags=TAG, request=None, responses={200: ActionOut}, summary=label)
    return lambda method: schema(_own(method))


class LikeView(_ToggleView):
    """点赞 (PUT) and taking it back (DELETE)."""

    setter = services.set_like
    done = services.DONE["like"]
    put = _toggle_schema("点赞")(_ToggleView.put)
    delete = _toggle_schema("取消点赞")(_ToggleView.delete)


class FavoriteView(_ToggleView):
    """收藏 (PUT) and taking it back (DELETE)."""

    setter = services.set_favorite
    done = services.DONE["favorite"]
    put = _toggle_schema("收藏")(_ToggleView.put)
    delete = _toggle_schema("取消收藏")(_ToggleView.delete)


class CheckInView(APIView):
    """打卡 (= 参与), once, from the activity's start to the end of its last day; it cannot be taken back.

    PUT is idempotent: asked again, it answers 200 with 您已打卡, the check-in counted once.
    """

    error_codes = ("window_closed", "window_not_open")

    @extend_schema(tags=TAG, request=None, responses=ActionOut, summary="打卡")
    def put(self, request, code):
        activity = _public_activity(code)
        try:
            services.check_in(user=request.user, activity=activity)
        except services.ActionRefused as exc:
            if exc.code != "already_checked_in":
                raise
            return _action(activity, active=True, detail=exc.message)
        return _action(activity, active=True, detail="打卡成功")


class CommentsView(APIView):
    """评论: the visible comments, newest first; a signed-in reader adds one (at most 500 characters)."""

    pagination_class = Cursor

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "GET" else super().get_permissions()

    @extend_schema(tags=TAG, responses=CommentOut(many=True), summary="评论列表")
    def get(self, request, code):
        activity = _public_activity(code)
        paginator = Cursor()
        paginator.ordering = ("-created_at", "-id")
        comments = selectors.visible_comments(activity)
        page = paginator.paginate_queryset(comments, request, self)
        return paginator.get_paginated_response(CommentOut(page, many=True).data)

    @extend_schema(tags=TAG, request=CommentIn, responses={201: CommentOut}, summary="发表评论")
    def post(self, request, code):
        values = shape(CommentIn, request.data)
        activity = _public_activity(code)
        comment = services.add_comment(user=request.user, activity=activity, text=values["text"])
        return Response(CommentOut(comment).data, status=status.HTTP_201_CREATED)


def _comment(code, pk) -> Comment:
    return get_object_or_404(
        Comment.objects.select_related("activity").filter(deleted_at__isnull=True),
        pk=pk,
        activity__public_code=code,
    )


class CommentView(APIView):
    """删除 my own comment (kept for admins to restore)."""

    @extend_schema(tags=TAG, responses={204: None}, summary="删除我的评论")
    def delete(self, request, code, pk):
        services.delete_comment(user=request.user, comment=_comment(code, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class CommentHiddenView(APIView):
    """隐藏 a comment (PUT) or show it again (DELETE): the activity's organiser and its reviewers."""

    error_codes = ("permission_denied",)

    @extend_schema(tags=TAG, request=None, responses={204: None}, summary="隐藏评论")
    def put(self, request, code, pk):
        services.set_comment_hidden(user=request.user, comment=_comment(code, pk), hidden=True)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(tags=TAG, request=None, responses={204: None}, summary="恢复显示评论")
    def delete(self, request, code, pk):
        services.set_comment_hidden(user=request.user, comment=_comment(code, pk), hidden=False)
        return Response(status=status.HTTP_204_NO_CONTENT)


class _MineView(APIView):
    """个人中心 → 我的首页: activities I took part in / liked / favourited, the latest first."""

    model = None
    pagination_class = Cursor

    def get(self, request):
        paginator = Cursor()
        rows = (
            type(self)
            .model.objects.filter(user=request.user, activity__deleted_at__isnull=True)
            .select_related("activity__region__parent", "activity__category", "activity__campaign")
        )
        page = paginator.paginate_queryset(rows, request, self)
        cards = PublicActivityCard([row.activity for row in page], many=True).data
        return private(paginator.get_paginated_response(cards))


def _mine_schema(label):
    schema = extend_schema(tags=["个人中心"], responses=PublicActivityCard(many=True), summary=label)
    return lambda method: schema(_own(method))


class MyCheckInsView(_MineView):
    model = CheckIn
    get = _mine_schema("已参与的活动")(_MineView.get)


class MyLikesView(_MineView):
    model = Like
    get = _mine_schema("点赞的活动")(_MineView.get)


class MyFavoritesView(_MineView):
    model = Favorite
    get = _mine_schema("收藏的活动")(_MineView.get)
