"""The same comment sent twice from the activity page's script: stored once, shown once."""

import pytest
from playwright.sync_api import expect

from public.models import Comment
from tests.e2e.conftest import log_in
from tests.factories import UserFactory, make_activity

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_same_comment_twice_shows_once(page, live_server):
    activity = make_activity(UserFactory(), status="approved", name="节水科普进社区")
    UserFactory(phone="13700137000")
    log_in(page, live_server, "13700137000", f"/a/{activity.public_code}/")
    box = page.get_by_label("写评论")
    for _ in range(2):  # typed and sent again once the first was shown
        box.fill("讲得真好")
        page.get_by_role("button", name="发表评论").click()
        expect(page.get_by_text("评论已发表")).to_be_visible()
        expect(box).to_have_value("")

    expect(page.locator("[data-comment]", has_text="讲得真好")).to_have_count(1)
    assert Comment.objects.count() == 1
