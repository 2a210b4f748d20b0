"""审核通过 clicked twice: the second click goes where the first went, with its message once, never to
the refusal that deciding again would meet; one decision, one notice."""

import pytest

from activities.models import Activity, ReviewDecision
from notifications.models import Message
from tests.double_click import double_click, form_token
from tests.support import text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def hebei(client, roles):
    client.force_login(roles["unit"])
    return client


def test_approving_twice_goes_on_to_the_queue_once(hebei, activity):
    page = hebei.get(f"/review/activities/{activity.public_code}/")
    url = f"/review/activities/{activity.public_code}/decide/"

    first, second = double_click(hebei, url, {"decision": "approve", "form_token": form_token(page)})

    assert first.status_code == second.status_code == 302 and first.url == second.url
    assert Activity.objects.get(pk=activity.pk).status == "approved"
    assert ReviewDecision.objects.filter(activity=activity).count() == 1
    assert Message.objects.filter(channel="site").count() == 1
    shown = text_of(hebei.get(second.url))
    assert shown.count("“节水科普进社区”已审核通过") == 1 and "可能已被其他审核员处理" not in shown


def test_without_the_token_the_second_approval_is_refused(hebei, activity):
    url = f"/review/activities/{activity.public_code}/decide/"
    first, second = double_click(hebei, url, {"decision": "approve"})
    assert first.status_code == second.status_code == 302 and first.url != second.url
    assert "该活动没有待审核的内容，可能已被其他审核员处理" in text_of(hebei.get(second.url))


def test_the_page_of_another_activity_has_another_token(hebei, activity, organiser):
    from tests.factories import make_activity
    from tests.reviews.conftest import unit

    other = make_activity(organiser, status="pending", name="另一个活动", owner_unit=unit("河北省科协"))
    one = form_token(hebei.get(f"/review/activities/{activity.public_code}/"))
    two = form_token(hebei.get(f"/review/activities/{other.public_code}/"))
    assert one != two
