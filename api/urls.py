"""/api/v1/: the client API (the 科普中国 client, provincial systems). See ``api.schema`` for its rules."""

from django.conf import settings
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.urls import Resolver404, path, re_path, resolve
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from .errors import NOT_FOUND, ApiError, body
from .views import auth, me, messages, my_activities, public, reference, review

app_name = "api"


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI from our own static files, its settings in a script of its own: no inline code."""

    template_name = "api/docs.html"
    authentication_classes = []


@csrf_exempt
def no_such_operation(request):
    """An address under /api/v1/ that no operation has (or whose code or id cannot be one): our
    404 as JSON, never the site's HTML page. One that lacks only its final slash is sent on to it,
    as APPEND_SLASH does."""
    if settings.APPEND_SLASH and not request.path_info.endswith("/"):
        try:
            found = resolve(f"{request.path_info}/").func is not no_such_operation
        except Resolver404:
            found = False
        if found:
            return HttpResponsePermanentRedirect(request.get_full_path(force_append_slash=True))
    error = body(ApiError("not_found", NOT_FOUND))
    return JsonResponse(
        error, status=404, json_dumps_params={"ensure_ascii": False, "separators": (",", ":")}
    )


urlpatterns = [
    # The busiest first: URLs are matched in order.
    path("activities/<slug:code>/", public.activity_view, name="activity"),
    path("activities/", public.activities_view, name="activities"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", DocsView.as_view(url_name="api:schema"), name="docs"),
    # Signing in and out
    path("auth/sms-code/", auth.SmsCodeView.as_view(), name="sms_code"),
    path("auth/register/", auth.RegisterView.as_view(), name="register"),
    path("auth/token/", auth.TokenView.as_view(), name="token"),
    path("auth/token/refresh/", auth.RefreshView.as_view(), name="token_refresh"),
    path("auth/logout/", auth.LogoutView.as_view(), name="logout"),
    path("auth/password/reset/", auth.PasswordResetView.as_view(), name="password_reset"),
    # The account (个人中心) and its organisation (单位信息)
    path("me/", me.MeView.as_view(), name="me"),
    path("me/password/", me.PasswordView.as_view(), name="me_password"),
    path("me/phone/", me.PhoneView.as_view(), name="me_phone"),
    path("me/delete/", me.DeleteAccountView.as_view(), name="me_delete"),
    path("me/organization/", me.OrganizationView.as_view(), name="me_organization"),
    path("me/checkins/", public.MyCheckInsView.as_view(), name="me_checkins"),
    path("me/likes/", public.MyLikesView.as_view(), name="me_likes"),
    path("me/favorites/", public.MyFavoritesView.as_view(), name="me_favorites"),
    # The campaign and the directory
    path("campaign/", reference.CampaignView.as_view(), name="campaign"),
    path("directory/regions/", reference.RegionsView.as_view(), name="regions"),
    path("directory/units/", reference.UnitsView.as_view(), name="units"),
    # 发布活动 and 用户中心 → 活动管理
    path("my/activities/", my_activities.MyActivitiesView.as_view(), name="my_activities"),
    path("my/activities/<slug:code>/", my_activities.MyActivityView.as_view(), name="my_activity"),
    path("my/activities/<slug:code>/submit/", my_activities.SubmitView.as_view(), name="my_activity_submit"),
    path(
        "my/activities/<slug:code>/supplement/",
        my_activities.SupplementView.as_view(),
        name="my_activity_supplement",
    ),
    path(
        "my/activities/<slug:code>/supplement/skip/",
        my_activities.SupplementSkipView.as_view(),
        name="my_activity_supplement_skip",
    ),
    path(
        "my/activities/<slug:code>/summary/", my_activities.SummaryView.as_view(), name="my_activity_summary"
    ),
    path(
        "my/activities/<slug:code>/qrcode.<str:kind>",
        my_activities.QrView.as_view(),
        name="my_activity_qr",
    ),
    path("my/posters/", my_activities.PostersView.as_view(), name="my_posters"),
    # The public site (the rest of it below)
    path("activities/<slug:code>/me/", public.ReaderStateView.as_view(), name="activity_me"),
    path("activities/<slug:code>/like/", public.LikeView.as_view(), name="activity_like"),
    path("activities/<slug:code>/favorite/", public.FavoriteView.as_view(), name="activity_favorite"),
    path("activities/<slug:code>/checkin/", public.CheckInView.as_view(), name="activity_checkin"),
    path("activities/<slug:code>/comments/", public.CommentsView.as_view(), name="activity_comments"),
    path("activities/<slug:code>/comments/<int:pk>/", public.CommentView.as_view(), name="activity_comment"),
    path(
        "activities/<slug:code>/comments/<int:pk>/hidden/",
        public.CommentHiddenView.as_view(),
        name="activity_comment_hidden",
    ),
    # 消息
    path("messages/", messages.MessagesView.as_view(), name="messages"),
    path("messages/unread-count/", messages.UnreadView.as_view(), name="messages_unread"),
    path("messages/read-all/", messages.ReadAllView.as_view(), name="messages_read_all"),
    path("messages/<int:pk>/read/", messages.ReadView.as_view(), name="message_read"),
    # 审核 (read only)
    path("review/activities/", review.ReviewQueueView.as_view(), name="review_queue"),
    path("review/activities/<slug:code>/", review.ReviewActivityView.as_view(), name="review_activity"),
    # Last: whatever else is asked for under /api/v1/ (an empty pattern matches any address)
    re_path(r"", no_such_operation),
]
