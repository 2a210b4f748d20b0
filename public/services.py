"""The public's actions. Each counts on the activity's row by an atomic update, never read-modify-write."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from activities.models import Activity

from . import pagecache, rules
from .models import CheckIn, Comment, Favorite, Like


class ActionRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _require_public(activity: Activity) -> None:
    if rules.visibility(activity) != rules.Visibility.PUBLIC:
        raise ActionRefused("活动审核通过后才能参与互动")


def _bump(activity: Activity, counter: str, by: int) -> None:
    Activity.all_objects.filter(pk=activity.pk).update(**{counter: F(counter) + by})
    transaction.on_commit(lambda: pagecache.forget_count(activity.public_code))


def _set(model, counter: str, *, user, activity: Activity, on: bool) -> bool:
    """Make ``user``'s row of ``model`` exist (or not); the count follows only a real change.

    Idempotent: a second click that wants the same state changes nothing, and of
    two requests racing to create the row, the unique constraint lets one win.
    """
    _require_public(activity)
    with transaction.atomic():
        if not on:
            deleted, _ = model.objects.filter(user=user, activity=activity).delete()
            if deleted:
                _bump(activity, counter, -1)
            return False
        try:
            with transaction.atomic():
                model.objects.create(user=user, activity=activity)
        except IntegrityError:
            return True  # there already (a double click, a second tab)
        _bump(activity, counter, +1)
        return True


def set_like(*, user, activity: Activity, on: bool) -> bool:
    """点赞 (or take it back)."""
    return _set(Like, "like_count", user=user, activity=activity, on=on)


def set_favorite(*, user, activity: Activity, on: bool) -> bool:
    """收藏 (or take it back)."""
    return _set(Favorite, "favorite_count", user=user, activity=activity, on=on)


def check_in(*, user, activity: Activity, at: datetime | None = None) -> CheckIn:
    """打卡 (= 参与): once, from the activity's start to the end of its last day."""
    _require_public(activity)
    window = rules.checkin_window(activity, at)
    if not window.is_open:
        raise ActionRefused(window.message)
    with transaction.atomic():
        try:
            with transaction.atomic():
                checkin = CheckIn.objects.create(user=user, activity=activity, created_at=window.at)
        except IntegrityError as exc:
            raise ActionRefused("您已打卡") from exc
        _bump(activity, "checkin_count", +1)
    return checkin


def add_comment(*, user, activity: Activity, text: str) -> Comment:
    """评论: at most 500 characters, stored as typed and shown escaped."""
    _require_public(activity)
    text = text.strip()
    if not text:
        raise ActionRefused("请输入评论内容")
    if len(text) > Comment.MAX_LENGTH:
        raise ActionRefused(f"评论不能超过 {Comment.MAX_LENGTH} 个字")
    with transaction.atomic():
        comment = Comment.objects.create(activity=activity, author=user, text=text)
        _bump(activity, "comment_count", +1)
    return comment


def delete_comment(*, user, comment: Comment) -> None:
    """The author takes their comment back (kept, no longer shown)."""
    if comment.author_id != user.pk:
        raise ActionRefused("只能删除自己的评论")
    with transaction.atomic():
        deleted = Comment.objects.filter(pk=comment.pk, deleted_at__isnull=True).update(
            deleted_at=timezone.now()
        )
        if deleted and comment.hidden_at is None:
            _bump(comment.activity, "comment_count", -1)


def set_comment_hidden(*, user, comment: Comment, hidden: bool) -> None:
    """The organiser or a reviewer hides a comment (or shows it again); who and when are kept."""
    if not rules.may_moderate(user, comment.activity):
        raise ActionRefused("只有活动的发布单位和审核员可以隐藏评论")
    with transaction.atomic():
        visible = Comment.objects.visible().filter(pk=comment.pk)
        if hidden and visible.update(hidden_at=timezone.now(), hidden_by=user):
            _bump(comment.activity, "comment_count", -1)
        elif not hidden and Comment.objects.filter(
            pk=comment.pk, hidden_at__isnull=False, deleted_at__isnull=True
        ).update(hidden_at=None, hidden_by=None):
            _bump(comment.activity, "comment_count", +1)
