"""A double click on the wizard's buttons: the second click is answered as the first one was, never
with the refusal that running it again would meet (活动待审核、已提交、不存在)."""

import pytest

from activities.models import Activity
from tests.activities.conftest import image_file, report_data
from tests.double_click import double_click, form_token
from tests.factories import make_activity
from tests.support import text_of

pytestmark = pytest.mark.django_db


def start(client) -> str:
    page = client.get("/publish/")
    response = client.post(
        "/publish/",
        {
            "name": "保定市示范科技馆",
            "contact_name": "李老师",
            "contact_phone": "0312-5123456",
            "address": "保定",
            "form_token": form_token(page),
        },
    )
    return response.url


def test_submitting_a_report_twice_shows_its_success_once(organiser_client, open_clock):
    url = start(organiser_client)
    token = form_token(organiser_client.get(url))

    first, second = double_click(
        organiser_client, url, lambda: report_data(poster=image_file(), form_token=token)
    )

    activity = Activity.objects.get()
    assert activity.status == "pending"
    assert first.status_code == second.status_code == 302
    assert first.url == second.url == f"/activities/{activity.public_code}/supplement/"
    page = text_of(organiser_client.get(second.url))
    assert page.count("活动已提交，等待审核") == 1
    assert "请等审核结果出来后再编辑" not in page


def test_without_the_token_the_second_click_meets_the_refusal(organiser_client, open_clock):
    """What the token is for: the same two posts without it (a form of before)."""
    url = start(organiser_client)

    first, second = double_click(organiser_client, url, lambda: report_data(poster=image_file()))

    assert first.status_code == 302 and Activity.objects.count() == 1
    page = text_of(organiser_client.get(second.url, follow=True))
    assert "活动待审核，请等审核结果出来后再编辑" in page


def test_a_new_page_is_a_new_submission(organiser_client, open_clock):
    """Saved as a draft, then submitted from the page that followed: both run."""
    url = start(organiser_client)
    page = organiser_client.get(url)
    draft = organiser_client.post(
        url, {"save_draft": "1", "name": "未写完的活动", "form_token": form_token(page)}
    )
    activity = Activity.objects.get()
    assert draft.url == f"/activities/{activity.public_code}/edit/"
    edit = organiser_client.get(draft.url)
    assert form_token(edit) != form_token(page)
    submitted = organiser_client.post(
        draft.url, report_data(poster=image_file(), form_token=form_token(edit))
    )
    assert submitted.url == f"/activities/{activity.public_code}/supplement/"
    activity.refresh_from_db()
    assert activity.status == "pending"


def test_deleting_twice_says_deleted(organiser_client, organiser):
    activity = make_activity(organiser, status="draft", name="要删除的活动")
    url = f"/activities/{activity.public_code}/delete/"
    token = form_token(organiser_client.get(url))

    first, second = double_click(organiser_client, url, {"form_token": token})

    assert first.status_code == second.status_code == 302 and second.url == "/center/"
    assert Activity.all_objects.get(pk=activity.pk).deleted_at is not None
    assert text_of(organiser_client.get(second.url)).count("活动“要删除的活动”已删除") == 1


def test_saving_the_supplement_twice_says_saved(organiser_client, organiser, open_clock):
    activity = make_activity(organiser, status="pending")
    url = f"/activities/{activity.public_code}/supplement/"
    token = form_token(organiser_client.get(url))

    first, second = double_click(
        organiser_client,
        url,
        lambda: {
            "photos": [image_file("a.png")],
            "news_links": "https://news.example.org/1",
            "form_token": token,
        },
    )

    assert first.status_code == second.status_code == 302
    assert second.url == f"/activities/{activity.public_code}/qrcode/"
    assert activity.photos.count() == 1 and activity.links.count() == 1
    page = text_of(organiser_client.get(second.url))
    assert page.count("补充活动信息已保存") == 1 and "不可修改" not in page
