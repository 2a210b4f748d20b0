"""Who may do what to an activity, and when: SPEC §6's table, in one place.

Each function answers for one operation of 用户中心 → 活动管理 with a
``Permission``: the page greys the button and shows ``reason`` from it, and the
service refuses with it, whatever the page showed.

- 草稿: 编辑活动 in the report window; 删除.
- 待审核 (never approved): 补充活动 once in its window; 二维码; 删除.
- 审核通过: 编辑活动 in the report window (a change that waits for review);
  补充活动 as above; 编辑总结 once, from the activity's start, in its window;
  二维码; 删除.
- 审核通过 with a change 待审核: as 审核通过, but no 编辑活动 until it is decided.
- 审核未通过: 编辑活动 in the report window (back to 待审核); 补充活动; 二维码; 删除.
- deleted: nothing (admins restore).
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from organizations.services import organization_of

from .deadlines import Window, window_state
from .models import Activity

Status = Activity.Status


@dataclass(frozen=True)
class Permission:
    """Whether an operation is allowed now; if not, ``reason`` for the user and ``code`` for a client.

    The codes are the API's stable machine codes (``api.errors``): ``not_found``,
    ``not_owner``, ``pending_review``, ``change_pending``, ``not_submitted``,
    ``not_approved``, ``locked`` (a supplement or summary is final), ``no_campaign``,
    ``window_not_open`` and ``window_closed``.
    """

    allowed: bool
    reason: str = ""
    code: str = ""

    def __bool__(self):
        return self.allowed


ALLOWED = Permission(True)


def _refuse(reason: str, code: str) -> Permission:
    return Permission(False, reason, code)


def _owned(activity: Activity, user) -> Permission | None:
    """A refusal unless ``user`` owns the living ``activity``."""
    if activity.deleted_at is not None:
        return _refuse("活动已删除", "not_found")
    if not user.is_authenticated or activity.owner_id != user.pk:
        return _refuse("只有发布该活动的账号可以操作", "not_owner")
    return None


def _window(activity: Activity, window: Window, at: datetime | None) -> Permission:
    state = activity.window(window, at)
    return ALLOWED if state.is_open else _refuse(state.message, state.code)


def can_create(campaign, at: datetime | None = None) -> Permission:
    """发布活动: a new report, while the campaign's report window is open."""
    if campaign is None:
        return _refuse("当前没有开放填报的科普日活动", "no_campaign")
    state = window_state(Window.REPORT, campaign=campaign, at=at)
    return ALLOWED if state.is_open else _refuse(state.message, state.code)


def can_report(campaign, owner, at: datetime | None = None) -> Permission:
    """活动填报 of a new activity by ``owner``: the window open, and 单位信息 filled in first (SPEC §3)."""
    if not (permission := can_create(campaign, at)):
        return permission
    if organization_of(owner) is None:
        return _refuse("请先填写单位信息", "organization_required")
    return ALLOWED


def can_edit(activity: Activity, user, at: datetime | None = None) -> Permission:
    """编辑活动 (and 暂存 / 保存并下一步 on step 2)."""
    if (refusal := _owned(activity, user)) is not None:
        return refusal
    if activity.status == Status.PENDING:
        return _refuse("活动待审核，请等审核结果出来后再编辑", "pending_review")
    if activity.status == Status.APPROVED and activity.pending_change is not None:
        return _refuse("修改待审核，请等审核结果出来后再编辑", "change_pending")
    return _window(activity, Window.REPORT, at)


def can_supplement(activity: Activity, user, at: datetime | None = None) -> Permission:
    """补充活动: once, from the first submission until the supplement deadline."""
    if (refusal := _owned(activity, user)) is not None:
        return refusal
    if activity.status == Status.DRAFT:
        return _refuse("请先提交活动，再补充活动信息", "not_submitted")
    if activity.supplemented_at is not None:
        return _refuse("活动信息已补充，不可修改", "locked")
    return _window(activity, Window.SUPPLEMENT, at)


def can_summarize(activity: Activity, user, at: datetime | None = None) -> Permission:
    """编辑总结: once, for an approved activity, from its start until the summary deadline."""
    if (refusal := _owned(activity, user)) is not None:
        return refusal
    if activity.status != Status.APPROVED:
        return _refuse("活动审核通过后才能填写总结", "not_approved")
    if activity.summarized_at is not None:
        return _refuse("活动总结已提交，不可修改", "locked")
    return _window(activity, Window.SUMMARY, at)


def can_get_qr(activity: Activity, user) -> Permission:
    """二维码: once the activity has been submitted."""
    if (refusal := _owned(activity, user)) is not None:
        return refusal
    if activity.status == Status.DRAFT:
        return _refuse("活动提交后才能生成二维码", "not_submitted")
    return ALLOWED


def can_delete(activity: Activity, user) -> Permission:
    """删除: always for its owner (a soft delete that admins can undo)."""
    refusal = _owned(activity, user)
    return ALLOWED if refusal is None else refusal


def operations(activity: Activity, user, at: datetime | None = None) -> dict[str, Permission]:
    """Every operation of the 活动管理 table for ``activity``, as one reading of the clock."""
    at = at or timezone.now()
    return {
        "edit": can_edit(activity, user, at),
        "supplement": can_supplement(activity, user, at),
        "summarize": can_summarize(activity, user, at),
        "qr": can_get_qr(activity, user),
        "delete": can_delete(activity, user),
    }
