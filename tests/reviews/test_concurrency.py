"""Two reviewers deciding the same activity at the same moment: exactly one decision (PostgreSQL)."""

import pytest

from activities import transitions
from activities.models import Activity, ReviewDecision
from activities.services import ActivityError
from notifications.models import Message
from tests.support import race

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("repeat", range(5))
def test_two_reviewers_at_once_make_one_decision(postgres, activity, roles, repeat):
    results = race(
        lambda: transitions.approve(activity=activity, by=roles["unit"]),
        lambda: transitions.reject(activity=activity, by=roles["parent"], reason="同时审核"),
        expect=ActivityError,
    )
    decisions = [r for r in results if isinstance(r, ReviewDecision)]
    refusals = [r for r in results if isinstance(r, ActivityError)]
    assert len(decisions) == 1 and len(refusals) == 1
    assert "没有待审核的内容" in refusals[0].message
    assert ReviewDecision.objects.count() == 1
    assert Activity.objects.get().status == decisions[0].to_status
    assert Message.objects.filter(kind="decision").count() == 2  # one decision: its site and SMS rows
