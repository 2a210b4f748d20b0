"""The sign-in sheet of a visitor's activity page (issue 18): 验证码登录 and the chosen action in one
POST to /a/<code>/join/ — 同意协议并打卡 / 点赞 / 收藏 / 评论."""

import pytest

from accounts.models import SmsCode, User
from public.models import CheckIn, Comment, Favorite, Like
from tests.factories import PASSWORD, UserFactory, make_activity
from tests.support import last_code, request_code, text_of

pytestmark = pytest.mark.django_db

PHONE = "13700137000"
AJAX = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}
ROWS = {"checkin": CheckIn, "like": Like, "favorite": Favorite, "comment": Comment}
DONE = {"checkin": "打卡成功", "like": "已点赞", "favorite": "已收藏", "comment": "评论已发表"}


def join(client, activity, action, *, code=None, phone=PHONE, ajax=True, **extra):
    data = {"action": action, "phone": phone, "code": code or last_code(phone), **extra}
    return client.post(f"/a/{activity.public_code}/join/", data, **(AJAX if ajax else {}))


def signed_in(client):
    pk = client.session.get("_auth_user_id")
    return User.objects.get(pk=pk) if pk else None


def stored(activity):
    activity.refresh_from_db()
    rows = tuple(model.objects.filter(activity=activity).count() for model in ROWS.values())
    counters = (activity.checkin_count, activity.like_count, activity.favorite_count, activity.comment_count)
    return rows, counters


@pytest.mark.parametrize("action", ["checkin", "like", "favorite", "comment"])
def test_a_new_phone_joins_and_the_action_is_done_once(client, approved, during, action):
    assert request_code(client, PHONE, "login").json()["ok"] is True
    response = join(client, approved, action, text="扫码就能评论")
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True and body["message"] == DONE[action]
    user = User.objects.get(phone=PHONE)
    assert signed_in(client) == user
    assert not user.has_usable_password() and user.terms_accepted_at is not None
    if action != "comment":
        assert ROWS[action].objects.get(activity=approved).user == user
    expected = [1 if name == action else 0 for name in ROWS]
    assert stored(approved) == (tuple(expected), tuple(expected))
    assert body["counts"] == dict(zip(["checkins", "likes", "favorites", "comments"], expected, strict=True))
    if action == "comment":
        assert Comment.objects.get().author == user and Comment.objects.get().text == "扫码就能评论"
        assert "扫码就能评论" in body["html"]

    # The same submission again (a double tap): the code is used up, nothing more happens.
    again = join(client, approved, action, code=last_code(PHONE), text="扫码就能评论")
    assert again.status_code == 400
    assert again.json() == {
        "ok": False,
        "message": "验证码已使用，请重新获取",
        "errors": {"code": ["验证码已使用，请重新获取"]},
    }
    assert stored(approved) == (tuple(expected), tuple(expected))
    assert User.objects.filter(phone=PHONE).count() == 1


def test_an_existing_account_joins_with_its_own_account(client, approved, during):
    member = UserFactory(phone=PHONE)
    request_code(client, PHONE, "login")
    assert join(client, approved, "like").json()["ok"] is True
    assert signed_in(client) == member and member.check_password(PASSWORD)
    assert Like.objects.get().user == member
    assert User.objects.count() == 2  # the organiser and the member: nobody new


def test_a_wrong_code_signs_nobody_in_and_does_nothing(client, approved, during):
    request_code(client, PHONE, "login")
    right = last_code(PHONE)
    wrong = "000000" if right != "000000" else "111111"
    response = join(client, approved, "checkin", code=wrong)
    assert response.status_code == 400
    body = response.json()
    assert body["ok"] is False and "验证码错误" in body["message"] and list(body["errors"]) == ["code"]
    assert signed_in(client) is None
    assert not User.objects.filter(phone=PHONE).exists()
    assert stored(approved) == ((0, 0, 0, 0), (0, 0, 0, 0))
    # The right code still works afterwards.
    assert join(client, approved, "checkin", code=right).json()["ok"] is True


@pytest.mark.parametrize(
    ("phone", "message"),
    [
        ("", "请输入手机号码"),
        ("1380013800", "请输入正确的11位中国大陆手机号码"),
        ("12345678901", "请输入正确的11位中国大陆手机号码"),
    ],
)
def test_a_bad_phone_is_refused_with_the_sites_message(client, approved, during, phone, message):
    response = join(client, approved, "like", phone=phone, code="123456")
    assert response.status_code == 400
    assert message in response.json()["message"] and "phone" in response.json()["errors"]
    assert signed_in(client) is None and stored(approved) == ((0, 0, 0, 0), (0, 0, 0, 0))


def test_a_code_for_another_purpose_does_not_sign_in(client, approved, during):
    request_code(client, PHONE, "register")
    response = join(client, approved, "like")
    assert response.status_code == 400 and signed_in(client) is None
    assert SmsCode.objects.get(phone=PHONE).used_at is None


@pytest.mark.parametrize("action", ["", "delete", "checkin "])
def test_an_unknown_action_is_refused_before_the_code_is_used(client, approved, during, action):
    request_code(client, PHONE, "login")
    response = join(client, approved, action)
    assert response.status_code == 400
    assert response.json()["message"] == "请选择要进行的操作"
    assert signed_in(client) is None and SmsCode.objects.get(phone=PHONE).used_at is None


def test_a_deactivated_account_is_refused(client, approved, during):
    UserFactory(phone=PHONE, is_active=False)
    request_code(client, PHONE, "login")
    response = join(client, approved, "like")
    assert response.status_code == 400 and signed_in(client) is None
    assert Like.objects.count() == 0


def test_check_in_closed_signs_in_and_says_why(client, approved, time_machine):
    """Before the activity's day: the person is signed in (the code was right), 打卡 is refused."""
    from datetime import datetime

    from tests.support import SHANGHAI

    time_machine.move_to(datetime(2020, 9, 14, 10, 0, tzinfo=SHANGHAI), tick=False)
    request_code(client, PHONE, "login")
    response = join(client, approved, "checkin")
    assert response.status_code == 400
    assert response.json()["ok"] is False and "打卡" in response.json()["message"]
    assert signed_in(client) == User.objects.get(phone=PHONE)
    assert CheckIn.objects.count() == 0


def test_an_activity_not_public_answers_404_and_signs_nobody_in(client, organiser, during):
    pending = make_activity(organiser, status="pending")
    request_code(client, PHONE, "login")
    assert join(client, pending, "like").status_code == 404
    assert signed_in(client) is None and SmsCode.objects.get(phone=PHONE).used_at is None


def test_without_javascript_a_refusal_leads_to_code_login_and_back(client, approved, during):
    request_code(client, PHONE, "login")
    response = join(
        client, approved, "like", code="999999" if last_code(PHONE) != "999999" else "888888", ajax=False
    )
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/code/?next=")
    assert f"%2Fa%2F{approved.public_code}%2F%3Fdo%3Dlike" in response.url
    assert "验证码错误" in text_of(client.get(response.url))
    # Done without the script, a success lands on the page with the action done.
    done = join(client, approved, "like", ajax=False)
    assert done.status_code == 302 and done.url == f"/a/{approved.public_code}/#actions"
    assert "已点赞" in text_of(client.get(done.url))


def test_only_post_is_answered(client, approved):
    assert client.get(f"/a/{approved.public_code}/join/").status_code == 405
