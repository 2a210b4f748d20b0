"""A member of the public in front of a poster, on a phone (390×844)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from activities import qr
from public.models import CheckIn, Comment, Favorite, Like
from tests.factories import PASSWORD, UserFactory, make_activity
from tests.support import last_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = "13700137000"


@pytest.fixture
def happening_now(settings, live_server):
    """An approved activity running right now (the browser keeps real time)."""
    settings.SITE_URL = live_server.url
    now = timezone.now()
    return make_activity(
        UserFactory(phone="13800138000"),
        status="approved",
        name="节水科普进社区",
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=2),
    )


@pytest.mark.browser_context_args(java_script_enabled=False)
def test_without_javascript_scan_like_register_come_back_like_comment_check_in(page, happening_now):
    """No script: no sign-in sheet; the buttons lead to 登录 (and 注册) and back, and work as forms."""
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(qr.public_url(happening_now))  # the address the QR code holds
    expect(page.get_by_role("heading", name="节水科普进社区")).to_be_visible()
    expect(page.locator("form[data-join]")).to_have_count(0)

    # A visitor taps 点赞: to 登录, on to 注册, and back to the activity.
    page.get_by_role("button", name=re.compile("点赞")).click()
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    page.get_by_role("link", name="立即注册").click()
    page.get_by_label("手机号码").fill(PHONE)
    page.get_by_role("button", name="获取验证码").click()
    expect(page.get_by_text("验证码已发送")).to_be_visible()
    page.get_by_label("验证码").fill(last_code(PHONE))
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_label("同意并遵守").check()
    page.get_by_role("button", name="立即注册").click()
    expect(page).to_have_url(re.compile(rf"/a/{happening_now.public_code}/\?do=like"))
    expect(page.get_by_text("已登录，点击下方按钮即可点赞")).to_be_visible()

    # 点赞, 评论 (a script shows as text), 打卡 — without leaving the page.
    page.get_by_role("button", name=re.compile("点赞")).click()
    expect(page.get_by_role("button", name=re.compile("已点赞"))).to_be_visible()
    page.get_by_label("写评论").fill("<script>alert('x')</script>讲得真好")
    page.get_by_role("button", name="发表评论").click()
    expect(page.get_by_text("<script>alert('x')</script>讲得真好")).to_be_visible()
    page.get_by_role("button", name=re.compile("^收藏")).click()
    expect(page.get_by_role("button", name=re.compile("已收藏"))).to_be_visible()
    page.get_by_role("button", name=re.compile("^打卡")).click()
    expect(page.get_by_role("button", name=re.compile("已打卡"))).to_be_disabled()
    assert (Like.objects.count(), Comment.objects.count(), CheckIn.objects.count()) == (1, 1, 1)
    assert Favorite.objects.count() == 1

    # 个人中心 shows the three.
    page.goto(qr.public_url(happening_now).split("/a/")[0] + "/accounts/me/")
    for tab in ("已参与", "点赞", "收藏"):
        page.get_by_role("link", name=tab, exact=True).click()
        expect(page.get_by_role("link", name="节水科普进社区")).to_be_visible()


def test_a_signed_in_reader_gets_the_shared_page_made_their_own(page, happening_now, live_server):
    """The visitors' page from the cache; /a/<code>/me fills in the reader's like, header and tools."""
    from django.test import Client

    from public import services

    member = UserFactory(phone=PHONE)
    services.set_like(user=member, activity=happening_now, on=True)
    own = services.add_comment(user=member, activity=happening_now, text="我的评论")
    services.add_comment(user=UserFactory(), activity=happening_now, text="别人的评论")
    url = qr.public_url(happening_now)
    Client().get(url.replace(live_server.url, ""))  # cached by a visitor first

    client = Client()
    client.force_login(member)
    page.context.add_cookies(
        [
            {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url},
            {"name": "kepuri_reader", "value": "1", "url": live_server.url},
        ]
    )
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(url)
    expect(page.get_by_role("button", name=re.compile("已点赞"))).to_be_visible()
    expect(page.locator("header").get_by_text("137****7000")).to_be_attached()
    own_item = page.locator(f'[data-comment="{own.pk}"]')
    expect(own_item.get_by_role("button", name="删除")).to_be_visible()
    expect(page.locator("[data-comment]").filter(has_text="别人的评论").get_by_role("button")).to_have_count(
        0
    )

    page.get_by_role("button", name=re.compile("已点赞")).click()  # takes it back, on the page
    expect(page.get_by_role("button", name=re.compile("^点赞"))).to_be_visible()
    assert not Like.objects.filter(user=member).exists()
    page.get_by_label("写评论").fill("第二条评论")
    page.get_by_role("button", name="发表评论").click()
    expect(page.get_by_text("第二条评论")).to_be_visible()
    own_item.get_by_role("button", name="删除").click()
    expect(own_item).to_have_count(0)
    assert Comment.objects.get(pk=own.pk).deleted_at is not None


def test_from_the_qr_code_to_checked_in_in_four_interactions(page, happening_now, screenshot):
    """A person who has never been here: phone, 获取验证码, the code, 同意协议并打卡 — and it is done."""
    from accounts.models import User

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(qr.public_url(happening_now))
    sheet = page.locator("form[data-join]")
    expect(sheet.get_by_role("button", name="同意协议并打卡")).to_be_visible()
    screenshot("join-sheet-phone")

    interactions = 0
    sheet.get_by_label("手机号码").fill(PHONE)
    interactions += 1
    sheet.get_by_role("button", name="获取验证码").click()
    interactions += 1
    expect(sheet.get_by_text("验证码已发送")).to_be_visible()
    sheet.get_by_label("验证码").fill(last_code(PHONE))
    interactions += 1
    screenshot("join-sheet-phone-filled")
    sheet.get_by_role("button", name="同意协议并打卡").click()
    interactions += 1

    expect(page.get_by_role("link", name=re.compile("已打卡"))).to_be_visible()
    expect(page.locator("header").get_by_text("137****7000")).to_be_attached()
    assert interactions == 4
    user = User.objects.get(phone=PHONE)
    assert not user.has_usable_password() and user.terms_accepted_at is not None
    assert CheckIn.objects.get().user == user
    screenshot("join-sheet-phone-done")


@pytest.mark.parametrize("action", ["like", "favorite", "comment"])
def test_the_sheet_does_the_action_that_was_tapped(page, happening_now, action):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(qr.public_url(happening_now))
    label = {"like": "点赞", "favorite": "收藏", "comment": "登录后发表评论"}[action]
    role = "link" if action == "comment" else "button"  # 点赞 and 收藏 toggle (role="button")
    page.get_by_role(role, name=re.compile(f"^{label}")).click()  # chooses it in the sheet
    sheet = page.locator("form[data-join]")
    verb = {"like": "点赞", "favorite": "收藏", "comment": "评论"}[action]
    expect(sheet.get_by_role("button", name=f"同意协议并{verb}")).to_be_visible()
    sheet.get_by_label("手机号码").fill(PHONE)
    sheet.get_by_role("button", name="获取验证码").click()
    expect(sheet.get_by_text("验证码已发送")).to_be_visible()
    sheet.get_by_label("验证码").fill(last_code(PHONE))
    if action == "comment":
        sheet.get_by_label("评论内容").fill("扫码就能评论，真方便")
    sheet.get_by_role("button", name=f"同意协议并{verb}").click()
    if action == "comment":
        expect(page.get_by_text("扫码就能评论，真方便")).to_be_visible()
        assert Comment.objects.get().text == "扫码就能评论，真方便"
    else:
        expect(page.get_by_role("button", name=re.compile(f"已{verb}"))).to_be_visible()
        model = Like if action == "like" else Favorite
        assert model.objects.count() == 1


def test_a_tap_after_another_answer_renewed_the_csrf_cookie_still_counts(page, happening_now, live_server):
    """A signed-in page answered meanwhile (a missing image's 404, say) may give the browser a new CSRF
    secret after /a/<code>/me gave its token: the taps send the cookie's, so they still count."""
    from django.test import Client

    member = UserFactory(phone=PHONE)
    client = Client()
    client.force_login(member)
    page.context.add_cookies(
        [
            {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url},
            {"name": "kepuri_reader", "value": "1", "url": live_server.url},
        ]
    )
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(qr.public_url(happening_now))
    expect(page.locator("header").get_by_text("137****7000")).to_be_attached()  # me has answered
    page.context.add_cookies([{"name": "csrftoken", "value": "b" * 32, "url": live_server.url}])
    page.get_by_role("button", name=re.compile("^点赞")).click()
    expect(page.get_by_role("button", name=re.compile("已点赞"))).to_be_visible()
    assert Like.objects.filter(user=member, activity=happening_now).exists()
