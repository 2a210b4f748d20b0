"""The activity page in two layers: a shell that every reader shares, and each reader's own parts.

The shell is what the page shows alike to everyone: the facts, the description,
the photos, the comments and their pages. It is rendered once per activity (for
its first page of comments) and kept in the cache until the activity changes
(when its anonymous page is forgotten, ``pagecache.forget_count``), and at most
``pagecache.PAGE_TTL`` seconds. Where the page differs from reader to reader, the
shell holds a slot:

- ``preview``: the 预览 banner its organiser and reviewers see before it is public;
- ``actions``: 打卡, 点赞, 收藏 in the reader's own state, with their CSRF token
  (links to 登录 for a visitor);
- ``comment-form``: 写评论, or 登录后发表评论;
- ``tools:<id>`` in each comment: 删除 for its author, 隐藏 for a moderator.

A logged-in reader's page is then the shell with its slots filled: one query for
what is theirs and three small templates, instead of eight queries and the
whole page with its twenty comments.
"""

import logging
import re
from dataclasses import dataclass

from django.core.cache import cache
from django.core.files.images import get_image_dimensions
from django.core.paginator import Paginator
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from activities.models import Activity
from kepuri import microcache
from reviews import access

from . import pagecache, rules, selectors, seo
from .models import Comment

logger = logging.getLogger(__name__)

COMMENTS_PAGE_SIZE = 20
SLOT = re.compile(r"<!--slot:([a-z-]+)(?::(\d+))?-->")


def slot(name: str, arg=None) -> str:
    """The marker a template leaves where a reader's part goes."""
    return f"<!--slot:{name}:{arg}-->" if arg is not None else f"<!--slot:{name}-->"


# What the readers' parts and the page around the shell read of the activity; the shell keeps
# only these (any other field would cost a query, which the query-count tests would show).
READER_FIELDS = (
    "id", "public_code", "name", "status", "deleted_at", "owner_id", "starts_at", "ends_at",
    "checkin_count", "like_count", "favorite_count", "comment_count",
)  # fmt: skip


def _light(activity: Activity) -> Activity:
    """A copy of ``activity`` with READER_FIELDS only (``from_db`` takes them in the model's order)."""
    names = [f.attname for f in Activity._meta.concrete_fields if f.attname in READER_FIELDS]
    return Activity.from_db(activity._state.db, names, [getattr(activity, name) for name in names])


@dataclass(frozen=True)
class Shell:
    activity: Activity  # READER_FIELDS only
    pieces: tuple  # (html, slot name or "", slot argument or None), in page order
    head: "seo.Head | None" = None  # what the page's <head> says of the activity

    @classmethod
    def parse(cls, activity: Activity, html: str, head: "seo.Head | None" = None) -> "Shell":
        parts = SLOT.split(html)  # html, name, arg, html, name, arg, …, html
        pieces = [
            (parts[i], parts[i + 1] or "", int(parts[i + 2]) if parts[i + 2] else None)
            for i in range(0, len(parts) - 1, 3)
        ]
        pieces.append((parts[-1], "", None))
        return cls(_light(activity), tuple(pieces), head)

    @property
    def comment_ids(self) -> set[int]:
        return {arg for _, name, arg in self.pieces if name == "tools"}

    def fill(self, part) -> str:
        """The page's HTML, each slot replaced by ``part(name, arg)``."""
        return "".join(html + (part(name, arg) if name else "") for html, name, arg in self.pieces)


def _size(image) -> tuple[int, int] | None:
    """An image's width and height, read from its first bytes, for the page's ``<img>``: the
    browser keeps its box before it loads, and nothing below it moves (layout shift)."""
    if not image:
        return None
    try:
        width, height = get_image_dimensions(image)
    except Exception as exc:  # any storage's failure: the picture without its size
        logger.warning("No size for %s: %s", image.name, exc)
        return None
    return (width, height) if width and height else None


def _build(activity: Activity, comments_page) -> Shell:
    comments = Paginator(selectors.visible_comments(activity), COMMENTS_PAGE_SIZE).get_page(comments_page)
    public = rules.visibility(activity) == rules.Visibility.PUBLIC
    context = {
        "activity": activity,
        "comments": comments,
        "public": public,
        "poster_size": _size(activity.poster_page),
    }
    html = render_to_string("public/activity_shell.html", context)
    return Shell.parse(activity, html, seo.head_of(activity, public=public))


def for_code(code: str, comments_page=None) -> Shell:
    """The shell of an activity's page; its first page of comments of a public activity comes from the cache.

    Raises Http404 for an unknown code. The caller decides who may see a shell
    whose activity is not public (``rules.visibility``).
    """
    first = comments_page in (None, "", "1")
    key = pagecache.shell_key(code) if first else None  # taken before reading: see pagecache._forget
    if key and (cached := microcache.get(key)):
        return cached
    activity = selectors.activity_for_page(code)
    shell = _build(activity, comments_page)
    if key and rules.visibility(activity) == rules.Visibility.PUBLIC:
        cache.set(key, shell, pagecache.PAGE_TTL)
    return shell


def for_reader(request, shell: Shell, *, user, preview: bool, login_to: dict) -> tuple[str, dict]:
    """The article as this reader sees it, and the header's values the reader's query found.

    A visitor's parts are the same for all (links to 登录 in ``login_to``); a
    logged-in reader's take one query (``selectors.reader_state``), and one more
    only if a comment of theirs is on the page.
    """
    activity = shell.activity
    context = {
        "activity": activity,
        "user": user,
        "preview": preview,
        "interactive": rules.visibility(activity) == rules.Visibility.PUBLIC,
        "checkin": rules.checkin_window(activity) if activity.starts_at else None,
        "ready": request.GET.get("do", ""),
        "max_comment": Comment.MAX_LENGTH,
        "login_to": login_to,
    }
    header, own_comments, may_moderate = {}, set(), False
    if not user.is_authenticated:
        activity.__dict__.update(selectors.counts(activity))  # the shell's may be older: a like keeps it
    else:
        mine = selectors.reader_state(user, activity)
        activity.__dict__.update({name: mine[name] for name in selectors.COUNTERS})
        if not mine["reviews"]:
            access.note_no_role(user)
        if mine["commented"] and shell.comment_ids:
            own_comments = set(
                Comment.objects.filter(author=user, pk__in=shell.comment_ids).values_list("pk", flat=True)
            )
        may_moderate = rules.may_moderate(user, activity)
        context |= {"mine": mine, "csrf_token": get_token(request)}
        header = {"unread_message_count": mine["unread"]}

    def part(name, arg):
        if name == "preview":
            return render_to_string("public/_preview.html", context) if preview else ""
        if name == "actions":
            return render_to_string("public/_actions.html", context)
        if name == "comment-form":
            return render_to_string("public/_comment_form.html", context) if context["interactive"] else ""
        return comment_tools(context, arg, mine=arg in own_comments, may_moderate=may_moderate)

    return mark_safe(shell.fill(part)), header  # noqa: S308 -- our templates' output, escaped there


def comment_tools(context: dict, pk: int, *, mine: bool, may_moderate: bool) -> str:
    """Under a comment: 删除 for its author, 隐藏 for a moderator, nothing for others."""
    if not (mine or may_moderate):
        return ""
    tools = {"code": context["activity"].public_code, "pk": pk, "mine": mine, "may_moderate": may_moderate}
    return render_to_string("public/_comment_tools.html", {**context, **tools})


def new_comment(request, activity: Activity, comment: Comment) -> str:
    """A comment just posted, as its author's page adds it: with its 删除."""
    html = render_to_string("public/comment.html", {"comment": comment})
    context = {"activity": activity, "csrf_token": get_token(request)}
    return SLOT.sub(lambda match: comment_tools(context, int(match[2]), mine=True, may_moderate=False), html)
