"""SPEC §6's table, one test per cell, and each operation for its owner, another organiser and a visitor."""

from datetime import datetime

import pytest
from django.contrib.auth.models import AnonymousUser

from activities import rules
from activities.models import ActivityChange
from tests.factories import UserFactory, make_activity
from tests.support import SHANGHAI

pytestmark = pytest.mark.django_db

IN_WINDOWS = datetime(2020, 9, 20, 10, 0, tzinfo=SHANGHAI)  # report open; the activity (9-15) has started
NOT_STARTED = datetime(2020, 9, 10, 10, 0, tzinfo=SHANGHAI)

WAITING = "活动待审核，请等审核结果出来后再编辑"
CHANGE_WAITING = "修改待审核，请等审核结果出来后再编辑"
SUBMIT_FIRST = "请先提交活动，再补充活动信息"
APPROVE_FIRST = "活动审核通过后才能填写总结"
QR_AFTER_SUBMIT = "活动提交后才能生成二维码"


@pytest.fixture
def owner():
    return UserFactory()


def table(activity, user, at=IN_WINDOWS):
    return {name: (p.allowed, p.reason) for name, p in rules.operations(activity, user, at).items()}


def test_draft(owner):
    assert table(make_activity(owner, status="draft"), owner) == {
        "edit": (True, ""),
        "supplement": (False, SUBMIT_FIRST),
        "summarize": (False, APPROVE_FIRST),
        "qr": (False, QR_AFTER_SUBMIT),
        "delete": (True, ""),
    }


def test_pending_never_approved(owner):
    assert table(make_activity(owner, status="pending"), owner) == {
        "edit": (False, WAITING),
        "supplement": (True, ""),
        "summarize": (False, APPROVE_FIRST),
        "qr": (True, ""),
        "delete": (True, ""),
    }


def test_approved(owner):
    assert table(make_activity(owner, status="approved"), owner) == {
        "edit": (True, ""),
        "supplement": (True, ""),
        "summarize": (True, ""),
        "qr": (True, ""),
        "delete": (True, ""),
    }


def test_approved_before_its_start_cannot_be_summarized_yet(owner):
    activity = make_activity(owner, status="approved")
    assert table(activity, owner, NOT_STARTED)["summarize"] == (False, "活动总结将于2020年9月15日 09:30开放")


def test_approved_with_a_change_waiting(owner):
    activity = make_activity(owner, status="approved")
    ActivityChange.objects.create(activity=activity, data={}, submitted_by=owner)
    activity.refresh_from_db()
    assert table(activity, owner) == {
        "edit": (False, CHANGE_WAITING),
        "supplement": (True, ""),
        "summarize": (True, ""),
        "qr": (True, ""),
        "delete": (True, ""),
    }


def test_rejected(owner):
    assert table(make_activity(owner, status="rejected", rejection_reason="信息不全"), owner) == {
        "edit": (True, ""),
        "supplement": (True, ""),
        "summarize": (False, APPROVE_FIRST),
        "qr": (True, ""),
        "delete": (True, ""),
    }


def test_deleted(owner):
    activity = make_activity(owner, status="approved", deleted_at=IN_WINDOWS)
    assert table(activity, owner) == {
        name: (False, "活动已删除") for name in rules.operations(activity, owner)
    }


def test_supplement_and_summary_are_once(owner):
    activity = make_activity(owner, status="approved", supplemented_at=IN_WINDOWS, summarized_at=IN_WINDOWS)
    assert table(activity, owner)["supplement"] == (False, "活动信息已补充，不可修改")
    assert table(activity, owner)["summarize"] == (False, "活动总结已提交，不可修改")


@pytest.mark.parametrize("status", ["draft", "pending", "approved", "rejected"])
def test_nobody_but_the_owner(owner, status):
    activity = make_activity(owner, status=status)
    for user in (UserFactory(), AnonymousUser()):
        assert set(table(activity, user).values()) == {(False, "只有发布该活动的账号可以操作")}


def test_closed_windows_say_what_closed_when(owner):
    after_all = datetime(2020, 10, 17, 0, 0, tzinfo=SHANGHAI)
    activity = make_activity(owner, status="approved")
    assert table(activity, owner, after_all) == {
        "edit": (False, "活动填报已于2020年9月25日截止"),
        "supplement": (False, "补充活动信息已于2020年10月9日截止"),
        "summarize": (False, "活动总结已于2020年10月16日截止"),
        "qr": (True, ""),
        "delete": (True, ""),
    }
