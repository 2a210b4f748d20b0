"""The public's actions. Each counts on the activity's row by an atomic update, never read-modify-write."""

from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from activities.models import Activity
from kepuri.errors import Refusal
from kepuri.text import problem_of as text_problem

from . import pagecache, rules
from .models import CheckIn, Comment, Favorite, Like
from .selectors import COUNTERS

# What 点赞 and 收藏 say once done: (set, taken back).
DONE = {"like": ("已点赞", "已取消点赞"), "favorite": ("已收藏", "已取消收藏")}


class ActionRefused(Refusal):
    """A refusal to show to the user as is (``kepuri.errors.Refusal``)."""


def _require_public(activity: Activity) -> None:
    if rules.visibility(activity) != rules.Visibility.PUBLIC:
        raise ActionRefused("活动审核通过后才能参与互动", "not_found")


def _bump(activity: Activity, counter: str, by: int) -> None:
    """Move one count on the activity's row; ``activity`` gets all four counts as they now stand.

    One ``UPDATE … RETURNING``: the answer to a tap shows the counts of this
    very update, with no second read (Django's ``update()`` returns no rows).
    """
    assert counter in COUNTERS
    quote = connection.ops.quote_name
    table, pk, column = quote(Activity._meta.db_table), quote(Activity._meta.pk.column), quote(counter)
    returning = ", ".join(map(quote, COUNTERS))
    sql = f"UPDATE {table} SET {column} = {column} + %s WHERE {pk} = %s RETURNING {returning}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [by, activity.pk])
        for name, value in zip(COUNTERS, cursor.fetchone(), strict=True):
            setattr(activity, name, value)
    _forget_after(counter, activity)


def _forget_after(counter: str, activity: Activity) -> None:
    """Once committed, the activity's cached page goes (and the shell, when its comments changed)."""
    forget = pagecache.forget_comments if counter == "comment_count" else pagecache.forget_count
    code = activity.public_code
    transaction.on_commit(lambda: forget(code))


def _insert_once(model, **values) -> bool:
    """Add ``model``'s row unless the unique constraint says it is there: True if it was added.

    ``INSERT … ON CONFLICT DO NOTHING``: a double tap or two racing requests
    cost no error and no savepoint, and only one of them counts.
    """
    fields = [model._meta.get_field(name) for name in values]
    quote = connection.ops.quote_name
    table, columns = quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) ON CONFLICT DO NOTHING"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [f.get_db_prep_save(values[f.name], connection) for f in fields])
        return cursor.rowcount == 1


def _set(model, counter: str, *, user, activity: Activity, on: bool) -> bool:
    """Make ``user``'s row of ``model`` exist (or not); the count follows only a real change.

    Idempotent: a second click that wants the same state changes nothing, and of
    two requests racing to create the row, the unique constraint lets one win.
    """
    _require_public(activity)
    if on:
        _counted(model, counter, activity, user=user.pk, activity=activity.pk, created_at=timezone.now())
    else:
        _counted(model, counter, activity, user=user.pk, activity=activity.pk, remove=True)
    return on


def _counted(model, counter: str, of: Activity, *, remove=False, **values) -> bool:
    """Add ``model``'s row of ``values`` unless it is there (or, ``remove``, delete the row of these
    ``values``), and move ``counter`` on the activity ``of`` only if it changed: True if it did.

    On PostgreSQL one statement does both (the row's ``INSERT … ON CONFLICT DO NOTHING`` or
    ``DELETE`` in a ``WITH``, the activity's ``UPDATE … RETURNING`` counting what it returned):
    atomic by itself, with no transaction to open and commit around it. A tap then costs the
    database one round trip. Elsewhere, the two statements in a transaction.
    """
    if connection.vendor != "postgresql":
        with transaction.atomic():
            if remove:
                changed, _ = model.objects.filter(**values).delete()
            else:
                changed = _insert_once(model, **values)
            if changed:
                _bump(of, counter, -1 if remove else +1)
        return bool(changed)
    quote = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in values]
    table, columns = quote(model._meta.db_table), [quote(f.column) for f in fields]
    params = [f.get_db_prep_save(values[f.name], connection) for f in fields]
    if remove:
        where = " AND ".join(f"{column} = %s" for column in columns)
        change = f"DELETE FROM {table} WHERE {where} RETURNING 1"  # noqa: S608
    else:
        placeholders = ", ".join(["%s"] * len(fields))
        change = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders}) ON CONFLICT DO NOTHING RETURNING 1"  # noqa: S608,E501
    activities, pk, column = quote(Activity._meta.db_table), quote(Activity._meta.pk.column), quote(counter)
    returning = ", ".join(map(quote, COUNTERS))
    sql = (
        f"WITH changed AS ({change}) "  # noqa: S608
        f"UPDATE {activities} SET {column} = {column} + %s "
        f"WHERE {pk} = %s AND EXISTS (SELECT 1 FROM changed) RETURNING {returning}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, -1 if remove else +1, of.pk])
        row = cursor.fetchone()
    if row is None:
        return False  # nothing to change: the counts stay as read
    for name, value in zip(COUNTERS, row, strict=True):
        setattr(of, name, value)
    _forget_after(counter, of)
    return True


def set_like(*, user, activity: Activity, on: bool) -> bool:
    """点赞 (or take it back)."""
    return _set(Like, "like_count", user=user, activity=activity, on=on)


def set_favorite(*, user, activity: Activity, on: bool) -> bool:
    """收藏 (or take it back)."""
    return _set(Favorite, "favorite_count", user=user, activity=activity, on=on)


def check_in(*, user, activity: Activity, at: datetime | None = None) -> None:
    """打卡 (= 参与): once, from the activity's start to the end of its last day."""
    _require_public(activity)
    window = rules.checkin_window(activity, at)
    if not window.is_open:
        raise ActionRefused(window.message, window.code)
    if not _counted(
        CheckIn, "checkin_count", activity, user=user.pk, activity=activity.pk, created_at=window.at
    ):
        raise ActionRefused("您已打卡", "already_checked_in")


COMMENT_REPEAT_WINDOW = timedelta(minutes=10)


def add_comment(*, user, activity: Activity, text: str) -> Comment:
    """评论: at most 500 characters, stored as typed and shown escaped.

    The same text by the same reader on the same activity within ``COMMENT_REPEAT_WINDOW`` is
    stored once: a repeat (a double click, a client that sent again after a timeout) answers with
    the comment stored first, as its first sending was answered. The reader's comments on the
    activity are written one at a time (a lock on PostgreSQL), so two sent at once store one.
    """
    _require_public(activity)
    text = text.strip()
    if not text:
        raise ActionRefused("请输入评论内容", "invalid")
    if len(text) > Comment.MAX_LENGTH:
        raise ActionRefused(f"评论不能超过 {Comment.MAX_LENGTH} 个字", "invalid")
    if problem := text_problem(text):
        raise ActionRefused(problem, "invalid")
    with transaction.atomic():
        _one_comment_at_a_time(user=user, activity=activity)
        earlier = (
            Comment.objects.visible()
            .filter(
                activity=activity,
                author=user,
                text=text,
                created_at__gt=timezone.now() - COMMENT_REPEAT_WINDOW,
            )
            .select_related("author")
            .order_by("-created_at", "-id")
            .first()
        )
        if earlier is not None:
            return earlier
        comment = Comment.objects.create(activity=activity, author=user, text=text)
        _bump(activity, "comment_count", +1)
    return comment


def _one_comment_at_a_time(*, user, activity: Activity) -> None:
    """Hold, until the transaction ends, a lock on this reader's comments on this activity.

    A PostgreSQL advisory lock (no row is locked: the activity's row is every reader's). SQLite
    lets one writer at a time anyway.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtext(%s))", [f"public.comment:{user.pk}:{activity.pk}"]
        )


def delete_comment(*, user, comment: Comment) -> None:
    """The author takes their comment back (kept, no longer shown)."""
    if comment.author_id != user.pk:
        raise ActionRefused("只能删除自己的评论", "not_found")
    with transaction.atomic():
        # Locked and read afresh: a moderator may have hidden it (and uncounted it) since the page was read.
        current = Comment.objects.select_for_update().filter(pk=comment.pk, deleted_at__isnull=True).first()
        if current is None:
            return  # deleted already, by a click that raced this one
        current.deleted_at = timezone.now()
        current.save(update_fields=["deleted_at"])
        if current.hidden_at is None:
            _bump(comment.activity, "comment_count", -1)


def restore_comment(*, comment: Comment) -> bool:
    """An admin undoes its author's 删除 (SPEC §1: admins restore deleted data): shown again as it was.

    A comment a moderator had hidden before it was deleted stays hidden (and uncounted).
    Returns whether it was deleted.
    """
    with transaction.atomic():
        comment = Comment.objects.select_for_update().select_related("activity").get(pk=comment.pk)
        if comment.deleted_at is None:
            return False
        comment.deleted_at = None
        comment.save(update_fields=["deleted_at"])
        if comment.hidden_at is None:
            _bump(comment.activity, "comment_count", +1)
    return True


def set_comment_hidden(*, user, comment: Comment, hidden: bool) -> None:
    """The organiser or a reviewer hides a comment (or shows it again); who and when are kept."""
    if not rules.may_moderate(user, comment.activity):
        raise ActionRefused("只有活动的发布单位和审核员可以隐藏评论", "permission_denied")
    with transaction.atomic():
        visible = Comment.objects.visible().filter(pk=comment.pk)
        if hidden and visible.update(hidden_at=timezone.now(), hidden_by=user):
            _bump(comment.activity, "comment_count", -1)
        elif not hidden and Comment.objects.filter(
            pk=comment.pk, hidden_at__isnull=False, deleted_at__isnull=True
        ).update(hidden_at=None, hidden_by=None):
            _bump(comment.activity, "comment_count", +1)


def forget_author_pages(user) -> None:
    """An account is deleted (注销账号, ``accounts.personal_data``); what the public side keeps of it.

    - Comments stay, as content of the activity's page: their author shows as
      已注销用户 (``User.masked_phone``). The cached pages that show them are
      forgotten once the deletion commits, so the new name shows at once.
    - Likes, favourites and check-ins stay, as the counts they made: the rows name
      an account that names nobody any more, and removing them would change the
      counts (and the 打卡 participation) of activities after the fact.
    """
    codes = set(Comment.objects.filter(author=user).values_list("activity__public_code", flat=True))
    transaction.on_commit(lambda: [pagecache.forget_comments(code) for code in codes], robust=True)
