"""``search.matching``: a rare keyword's few matches looked up by id, a common one's as words;
the same activities either way, at the limit and one past it."""

import pytest

from activities import search
from activities.models import Activity
from tests.factories import make_activity

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("few", [3, 2])
def test_the_same_activities_by_ids_or_by_words(organiser, monkeypatch, few):
    for n in range(3):
        make_activity(organiser, status="approved", name=f"节水讲座{n}")
    make_activity(organiser, status="approved", name="天文夜")
    monkeypatch.setattr(search, "FEW", few)
    condition = search.matching("节水")
    as_ids = few == 3  # three matches: within the limit at 3, one past it at 2
    assert ("pk__in" in str(condition)) is as_ids
    assert sorted(Activity.objects.filter(condition).values_list("name", flat=True)) == [
        "节水讲座0",
        "节水讲座1",
        "节水讲座2",
    ]
