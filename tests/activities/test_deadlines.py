"""Each window at its edges, Asia/Shanghai: 23:59:59.999999 open, 00:00:00 closed."""

from datetime import date, datetime, timedelta

import pytest

from activities.deadlines import Window, window_state
from activities.models import Campaign
from tests.support import SHANGHAI

pytestmark = pytest.mark.django_db

TICK = timedelta(microseconds=1)


def at(*args):
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def campaign():
    return Campaign.objects.get(year=2020)


@pytest.mark.parametrize(
    ("window", "last_day"),
    [
        (Window.REPORT, date(2020, 9, 25)),
        (Window.SUPPLEMENT, date(2020, 10, 9)),
        (Window.SUMMARY, date(2020, 10, 16)),
    ],
)
def test_a_window_is_open_through_its_last_day_and_closed_at_midnight(campaign, window, last_day):
    midnight = at(last_day.year, last_day.month, last_day.day) + timedelta(days=1)
    assert window_state(window, campaign=campaign, at=midnight - TICK).is_open
    closed = window_state(window, campaign=campaign, at=midnight)
    assert not closed.is_open and closed.is_closed
    assert closed.closes_at == midnight


def test_the_report_window_opens_at_midnight_of_its_first_day(campaign):
    opening = at(2020, 8, 3)
    before = window_state(Window.REPORT, campaign=campaign, at=opening - TICK)
    assert not before.is_open and before.not_yet_open
    assert window_state(Window.REPORT, campaign=campaign, at=opening).is_open


def test_the_edges_hold_in_utc_too(campaign):
    # 2020-09-25 24:00 in Shanghai is 16:00 UTC.
    from datetime import UTC

    assert window_state(
        Window.REPORT, campaign=campaign, at=datetime(2020, 9, 25, 15, 59, 59, 999999, UTC)
    ).is_open
    assert not window_state(
        Window.REPORT, campaign=campaign, at=datetime(2020, 9, 25, 16, 0, tzinfo=UTC)
    ).is_open


def test_the_clock_is_read_when_no_instant_is_given(campaign, time_machine):
    time_machine.move_to(at(2020, 9, 25, 23, 59, 59, 999999), tick=False)
    assert window_state(Window.REPORT, campaign=campaign).is_open
    time_machine.move_to(at(2020, 9, 26), tick=False)
    assert not window_state(Window.REPORT, campaign=campaign).is_open


def test_an_activity_window_opens_at_its_own_instant(campaign):
    submitted = at(2020, 9, 1, 10, 30)
    state = window_state(Window.SUPPLEMENT, campaign=campaign, at=submitted - TICK, opened_at=submitted)
    assert state.not_yet_open
    assert state.message == "补充活动信息将于2020年9月1日 10:30开放"
    assert window_state(Window.SUPPLEMENT, campaign=campaign, at=submitted, opened_at=submitted).is_open


def test_an_extension_moves_the_last_day(campaign):
    extended = date(2020, 10, 20)
    state = window_state(
        Window.SUPPLEMENT, campaign=campaign, at=at(2020, 10, 21) - TICK, extended_to=extended
    )
    assert state.is_open and state.extended
    assert state.message == "补充活动信息截止日期：2020年10月20日（已延期）"
    assert not window_state(
        Window.SUPPLEMENT, campaign=campaign, at=at(2020, 10, 21), extended_to=extended
    ).is_open


def test_an_earlier_extension_never_shortens_a_window(campaign):
    state = window_state(
        Window.SUMMARY, campaign=campaign, at=at(2020, 10, 16, 12), extended_to=date(2020, 10, 1)
    )
    assert state.is_open and not state.extended


def test_messages(campaign):
    assert (
        window_state(Window.REPORT, campaign=campaign, at=at(2020, 9, 1)).message
        == "活动填报截止日期：2020年9月25日"
    )
    assert (
        window_state(Window.REPORT, campaign=campaign, at=at(2020, 9, 26)).message
        == "活动填报已于2020年9月25日截止"
    )
    assert (
        window_state(Window.REPORT, campaign=campaign, at=at(2020, 8, 2)).message
        == "活动填报将于2020年8月3日开放"
    )


def test_short_messages_for_the_table(campaign):
    assert (
        window_state(Window.REPORT, campaign=campaign, at=at(2020, 9, 1)).short_message == "填报截止 9月25日"
    )
    assert window_state(Window.REPORT, campaign=campaign, at=at(2020, 9, 26)).short_message == "填报已截止"
    opened = at(2020, 9, 15, 9, 30)
    state = window_state(Window.SUMMARY, campaign=campaign, at=at(2020, 9, 1), opened_at=opened)
    assert state.short_message == "总结 9月15日 09:30 起"
