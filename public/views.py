"""The public site: home, the list, the activity page (the QR code's target) and its actions, 个人中心."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.contrib.messages import get_messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header, urlencode
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from accounts import services as account_services
from accounts import sessions
from accounts.forms import CodeLoginForm
from activities import share_poster as posters
from activities.models import Activity, Campaign
from audience import counting
from directory.models import Region
from kepuri.admin import has_admin_role
from kepuri.http import with_etag
from kepuri.idempotency import new_token, once_per_form_token
from reviews import access
from reviews import screen as data_screen

from . import pagecache, rules, selectors, services
from . import shell as shells
from .filters import ActivityListFilter
from .models import CheckIn, Comment, Favorite, Like

LIST_PAGE_SIZE = 20


@require_safe
@counting.counted(lambda request: counting.HOME)
def home(request):
    """首页: the themes, live counts, recommended activities, the way into the list."""
    campaign = Campaign.objects.current()
    province = Region.objects.provinces().filter(code=request.GET.get("province", "")).first()
    context = {
        "campaign": campaign,
        "province": province,
        "province_theme": campaign.theme_for(province) if campaign and province else "",
        "provinces": Region.objects.provinces(),
        "counts": selectors.live_counts(),
        "recommended": selectors.recommended(),
    }
    return render(request, "public/home.html", context)


@require_safe
@counting.counted(lambda request: counting.LIST)
@pagecache.anonymous_page(lambda request: pagecache.list_key(request), ttl=pagecache.LIST_TTL)
def activity_list(request):
    """活动列表: approved and shown activities; filters, keyword search, sorting, pages."""
    filters = ActivityListFilter(request.GET, queryset=selectors.for_list(selectors.listed()))
    page = Paginator(filters.qs, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "public/list.html", {"filters": filters, "page": page, "query": query.urlencode()})


@require_safe
@counting.counted(lambda request, code: code)
@pagecache.anonymous_page(
    lambda request, code: not request.GET and pagecache.activity_key(code), ttl=pagecache.PAGE_TTL
)
def activity_page(request, code):
    """The page the QR code opens, phone first; what it shows depends on the activity's state.

    A public activity's page is one page for every reader: the visitors' page, cached, which the
    page's script fills with what is the reader's own from ``/a/<code>/me``. A page with a query
    (``?do=`` after 登录 without JavaScript, a page of comments), a preview, or a signed-in reader's
    page with a message waiting is made for its reader, with their state in it and forms that
    work without JavaScript.
    """
    shell = shells.for_code(code, request.GET.get("comments"))
    activity = shell.activity
    state = rules.visibility(activity)
    shared = state == rules.Visibility.PUBLIC and not request.GET and not len(get_messages(request))
    reader = AnonymousUser() if shared else request.user
    preview = state != rules.Visibility.PUBLIC and rules.may_preview(reader, activity)
    if state == rules.Visibility.NONE and not preview:
        raise Http404
    if state == rules.Visibility.UNDER_REVIEW and not preview:
        return render(request, "public/under_review.html", {"activity": activity})
    # A visitor's buttons are links to 登录, and back with the action ready: no form, no token.
    login_to = {} if reader.is_authenticated else {a: _login_url(code, a) for a in ACTIONS}
    content, header = shells.for_reader(request, shell, user=reader, preview=preview, login_to=login_to)
    context = {"activity": activity, "content": content, "shared": shared, "head": shell.head, **header}
    if shared:  # the visitors' page whoever asks: the header too
        context |= {"user": reader, "unread_message_count": 0, "reviewer_unit": None}
    response = render(request, "public/activity.html", context)
    response.for_readers = shared
    if activity.starts_at:  # a cached page goes when 打卡 opens or closes
        response.cache_ttl = rules.checkin_window(activity).seconds_to_change
    return response


@require_safe
def reader_state(request, code):
    """``/a/<code>/me``: what is the reader's own on the shared page, for its script to fill in.

    Signed in: their 打卡 / 点赞 / 收藏, the counts as they stand, their own comments' ids (删除)
    and whether they moderate the activity's comments (隐藏), the header's 消息 count and 审核 link,
    and a CSRF token for the actions. A visitor gets the token only (the sign-in sheet needs it).
    Never cached by anyone.

    Asked on every page view of a signed-in reader, so it costs the session and one query: the
    activity, the reader's state and their account in one (``selectors.reader_page``), the session
    checked against that account (``accounts.sessions``) rather than loaded by ``request.user``;
    one more only for a reader with a comment on the page, or a reviewer.
    """
    found = selectors.reader_page(code, sessions.account_id(request) or 0)
    if found is None:
        raise Http404
    mine, account = found
    user = sessions.signed_in(request, account)
    answer = {"signed_in": user is not None, "csrf_token": get_token(request)}
    if user is not None:
        activity = Activity(pk=mine["id"], public_code=code, owner_id=mine["owner_id"])
        if not mine["reviews"]:
            access.note_no_role(user)
        own = (
            list(
                Comment.objects.visible().filter(author=user, activity=activity).values_list("pk", flat=True)
            )
            if mine["commented"]
            else []
        )
        answer |= {
            "checked_in": bool(mine["checked_in"]),
            "liked": bool(mine["liked"]),
            "favorited": bool(mine["favorited"]),
            "counts": {key: mine[f"{key[:-1]}_count"] for key in COUNT_KEYS},
            "own_comments": own,
            "moderates": rules.may_moderate(user, activity),
            "header": {
                "phone": user.masked_phone,
                "unread": mine["unread"],
                "reviews": bool(mine["reviews"]) or user.is_superuser,
                "staff": has_admin_role(user),
            },
        }
    response = JsonResponse(answer, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "private, no-store"
    return response


COUNT_KEYS = ("checkins", "likes", "favorites", "comments")


# --- actions ----------------------------------------------------------------------------


def _wants_json(request) -> bool:
    return request.headers.get("X-Requested-With") == "XMLHttpRequest"


ACTIONS = ("checkin", "like", "favorite", "comment")


def _login_target(code, action) -> str:
    return f"{reverse('public:activity', args=[code])}?do={action}#actions"


def _login_url(code, action) -> str:
    return f"{reverse('accounts:login')}?{urlencode({'next': _login_target(code, action)})}"


def _login_first(request, code, action):
    """A visitor is sent to 登录 (or 注册) and back to the activity, the action ready."""
    if _wants_json(request):
        return JsonResponse(
            {"ok": False, "login": _login_url(code, action), "message": "请先登录"}, status=401
        )
    return redirect_to_login(_login_target(code, action))


def _answer(request, activity, *, ok=True, message="", **data):
    if _wants_json(request):
        counts = {
            "checkins": activity.checkin_count,
            "likes": activity.like_count,
            "favorites": activity.favorite_count,
            "comments": activity.comment_count,
        }
        payload = {"ok": ok, "message": message, "counts": counts, **data}
        return JsonResponse(payload, status=200 if ok else 400, json_dumps_params={"ensure_ascii": False})
    if message:
        (messages.success if ok else messages.error)(request, message)
    return redirect(f"{reverse('public:activity', args=[activity.public_code])}#actions")


def _public_activity(code) -> Activity:
    return selectors.for_action(code)


def _actor(request, code):
    """The activity a tap is for and the signed-in account tapping, in one query: the account read
    with the activity (``selectors.for_action_by``) and the session checked on it
    (``accounts.sessions``), not loaded by ``request.user``. (None, None) for a visitor; 404 for no
    approved activity."""
    account_id = sessions.account_id(request)
    if account_id is None:
        return None, None
    activity, account = selectors.for_action_by(code, account_id)
    user = sessions.signed_in(request, account)
    return (activity, user) if user is not None else (None, None)


def _toggle(request, code, action, setter):
    activity, user = _actor(request, code)
    if user is None:
        return _login_first(request, code, action)
    on = request.POST.get("on", "1") == "1"
    state = setter(user=user, activity=activity, on=on)
    # Without JavaScript the message also makes the next page the reader's own (activity_page).
    return _answer(request, activity, active=state, message=services.DONE[action][0 if state else 1])


@require_POST
def like(request, code):
    return _toggle(request, code, "like", services.set_like)


@require_POST
def favorite(request, code):
    return _toggle(request, code, "favorite", services.set_favorite)


@require_POST
@once_per_form_token
def check_in(request, code):
    activity, user = _actor(request, code)
    if user is None:
        return _login_first(request, code, "checkin")
    try:
        services.check_in(user=user, activity=activity)
    except services.ActionRefused as exc:
        return _answer(request, activity, ok=False, message=exc.message)
    return _answer(request, activity, message="打卡成功", active=True)


@require_POST
@once_per_form_token
def comment(request, code):
    if not request.user.is_authenticated:
        return _login_first(request, code, "comment")
    activity = _public_activity(code)
    try:
        created = services.add_comment(
            user=request.user, activity=activity, text=request.POST.get("text", "")
        )
    except services.ActionRefused as exc:
        return _answer(request, activity, ok=False, message=exc.message)
    # A new form token for the page's next comment (activity-actions.js puts it in the form).
    html = shells.new_comment(request, activity, created)
    return _answer(request, activity, message="评论已发表", html=html, form_token=new_token())


def _own_comment(request, code, pk) -> Comment:
    return get_object_or_404(Comment.objects.select_related("activity"), pk=pk, activity__public_code=code)


@require_POST
@login_required
def comment_delete(request, code, pk):
    target = _own_comment(request, code, pk)
    try:
        services.delete_comment(user=request.user, comment=target)
    except services.ActionRefused as exc:
        return _answer(request, target.activity, ok=False, message=exc.message)
    return _answer(request, target.activity, message="评论已删除")


@require_POST
@login_required
def comment_hide(request, code, pk):
    target = _own_comment(request, code, pk)
    hidden = request.POST.get("hidden", "1") == "1"
    try:
        services.set_comment_hidden(user=request.user, comment=target, hidden=hidden)
    except services.ActionRefused as exc:
        return _answer(request, target.activity, ok=False, message=exc.message)
    return _answer(request, target.activity, message="评论已隐藏" if hidden else "评论已恢复显示")


ACTION_VIEWS = {"checkin": check_in, "like": like, "favorite": favorite, "comment": comment}


# --- the sign-in sheet ---------------------------------------------------------------------


@require_POST
def join(request, code):
    """The sheet on a visitor's page: 验证码登录 and the chosen action in one POST (同意协议并打卡 …).

    The button consents to the agreement (a phone without an account gets one, without a password,
    its consent time stored), the code signs in, and the action runs as its own button's would, so
    its answer is the same JSON. A second submission of the same code signs nobody in and does
    nothing: the code is used once.
    """
    activity = _public_activity(code)
    action = request.POST.get("action", "")
    if action not in ACTIONS:
        return _refuse_join(request, activity, {"action": ["请选择要进行的操作"]})
    form = CodeLoginForm({**request.POST.dict(), "agree": "on"})
    if not form.is_valid():
        return _refuse_join(request, activity, {field: list(errors) for field, errors in form.errors.items()})
    try:
        user = account_services.log_in_by_code(sms_code=form.sms_code, agree=True)
    except account_services.AccountError as exc:
        return _refuse_join(request, activity, {"code": [exc.message]})
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return ACTION_VIEWS[action](request, code)


def _refuse_join(request, activity, errors):
    """Nobody signed in, nothing done: the sheet shows the first message; a plain post gets it on
    验证码登录, which leads back to the activity."""
    message = next(iter(errors.values()))[0]
    if _wants_json(request):
        return JsonResponse(
            {"ok": False, "message": message, "errors": errors},
            status=400,
            json_dumps_params={"ensure_ascii": False},
        )
    messages.error(request, message)
    action = request.POST.get("action")
    target = _login_target(activity.public_code, action if action in ACTIONS else "checkin")
    return redirect(f"{reverse('accounts:login_code')}?{urlencode({'next': target})}")


# --- 个人中心 ----------------------------------------------------------------------------

TABS = {"joined": ("已参与", CheckIn), "liked": ("点赞", Like), "favorites": ("收藏", Favorite)}


@require_safe
@login_required
def personal_center(request):
    """个人中心 → 我的首页: the activities I took part in, liked and favourited."""
    tab = request.GET.get("tab", "joined")
    if tab not in TABS:
        tab = "joined"
    model = TABS[tab][1]
    activities = selectors.for_list(
        Activity.objects.filter(pk__in=model.objects.filter(user=request.user).values("activity_id"))
    ).order_by("-starts_at")
    page = Paginator(activities, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "tab": tab,
        "tabs": [(key, label) for key, (label, _) in TABS.items()],
        "page": page,
        "active": "home",
    }
    return render(request, "public/personal_center.html", context)


# --- 分享 ---------------------------------------------------------------------------------


@csrf_exempt
@require_POST
def share(request, code):
    """分享: the page's script reports a share (the share sheet's, or the link copied); counted like a
    view (``audience.counting``). No token: the shared page carries none, and a
    share changes nothing but a count, which the flush drops for a code that names no activity."""
    counting.count_share(request, code)
    return HttpResponse(status=204)


POSTER_MAX_AGE = 3600  # a phone or proxy keeps it an hour, then asks again (a 304 while it is the same)
# Opened on its own the PNG is a page of the browser's image viewer, which styles that page inline;
# nothing else may load or run there.
POSTER_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


@require_safe
def share_poster(request, code):
    """分享海报: the portrait PNG of a public activity (``activities.share_poster``), drawn once for
    what it shows and kept in the cache; its fingerprint is the ETag. 404 for any activity whose page
    is not public (a draft, 待审核, deleted, unknown)."""
    activity = selectors.for_poster(code)
    if rules.visibility(activity) != rules.Visibility.PUBLIC:
        raise Http404

    def answer():
        response = HttpResponse(posters.image(activity), content_type="image/png")
        response.headers["Content-Disposition"] = content_disposition_header(False, f"{code}-poster.png")
        return response

    response = with_etag(request, f'"{posters.fingerprint(activity)}"', answer)
    patch_cache_control(response, public=True, max_age=POSTER_MAX_AGE)
    response.headers["Content-Security-Policy"] = POSTER_POLICY
    return response


# --- 数据大屏 (public) -------------------------------------------------------------------------


@require_safe
def screen(request):
    """数据大屏 for everyone: the whole country's (``reviews.screen``), shown only while the admin has
    turned it on for the current campaign (公开数据大屏); 404 otherwise."""
    if not data_screen.shown_to_public():
        raise Http404
    context = data_screen.page_context(
        data_screen.national(), data_url=reverse("public:screen_data"), refresh=request.GET.get("refresh")
    )
    return render(request, "reviews/screen.html", context)


@require_safe
def screen_data(request):
    """The public 数据大屏's figures as JSON (the same as 中国科协's), kept half a minute."""
    if not data_screen.shown_to_public():
        raise Http404
    response = HttpResponse(data_screen.json_of(data_screen.national()), content_type="application/json")
    patch_cache_control(response, public=True, max_age=data_screen.SECONDS)
    return response
