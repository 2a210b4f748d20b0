"""Two reviewers deciding the same activity at the same moment: exactly one decision (PostgreSQL)."""

import threading

import pytest
from django.db import connections

from activities import transitions
from activities.models import Activity, ReviewDecision
from activities.services import ActivityError
from notifications.models import Message

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def race(*deciders):
    """Run the deciders in threads released together; return what each raised or returned."""
    barrier = threading.Barrier(len(deciders))
    results = [None] * len(deciders)

    def run(index, decide):
        try:
            barrier.wait()
            results[index] = decide()
        except ActivityError as exc:
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, d)) for i, d in enumerate(deciders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.mark.parametrize("repeat", range(5))
def test_two_reviewers_at_once_make_one_decision(postgres, activity, roles, repeat):
    results = race(
        lambda: transitions.approve(activity=activity, by=roles["unit"]),
        lambda: transitions.reject(activity=activity, by=roles["parent"], reason="同时审核"),
    )
    decisions = [r for r in results if isinstance(r, ReviewDecision)]
    refusals = [r for r in results if isinstance(r, ActivityError)]
    assert len(decisions) == 1 and len(refusals) == 1
    assert "没有待审核的内容" in refusals[0].message
    assert ReviewDecision.objects.count() == 1
    assert Activity.objects.get().status == decisions[0].to_status
    assert Message.objects.filter(kind="decision").count() == 2  # one decision: its site and SMS rows
