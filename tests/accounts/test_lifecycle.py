"""The account life cycle (issue 10): 更换手机号, 注销账号, and the admin's 停用 / 启用."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.test import Client

import sms
from accounts import services
from accounts.models import ExternalLogin, SmsCode, User
from activities import transitions
from activities.models import ReviewDecision
from activities.services import record_decision
from directory.models import SupervisingUnit
from notifications.models import Message
from notifications.services import notify
from organizations.models import Organization
from public import services as public_services
from public.models import CheckIn, Comment, Favorite, Like
from reviews.models import ReviewerRole
from tests.factories import PASSWORD, UserFactory, make_activity, make_organiser
from tests.support import CLOCK_START, last_code, race, request_code, text_of

pytestmark = pytest.mark.django_db

PHONE = "13800138000"
NEW = "13700137000"
OTHER = "13600136000"
CHANGE_URL = "/accounts/phone/change/"
DELETE_URL = "/accounts/delete/"


def log_in(client, phone=PHONE, password=PASSWORD):
    return client.post("/accounts/login/", {"phone": phone, "password": password})


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def sent_to(phone: str) -> list[sms.SmsMessage]:
    return [message for message in sms.outbox if message.phone == phone]


@pytest.fixture
def user():
    return UserFactory(phone=PHONE)


@pytest.fixture
def me(client, user):
    """The user, logged in through the login page."""
    assert log_in(client).status_code == 302
    return client


def send_both_codes(client, new=NEW):
    """Press the two 获取验证码 buttons as the page's script does."""
    assert request_code(client, "", purpose="change_phone_old").status_code == 200
    assert request_code(client, new, purpose="change_phone").status_code == 200


def change(client, *, old_code=None, new_phone=NEW, new_code=None, password=PASSWORD):
    data = {
        "old_code": old_code if old_code is not None else last_code(PHONE),
        "new_phone": new_phone,
        "new_code": new_code if new_code is not None else last_code(new_phone),
        "password": password,
    }
    return client.post(CHANGE_URL, data)


def unused_codes():
    return SmsCode.objects.filter(used_at__isnull=True).count()


# --- 更换手机号 ---------------------------------------------------------------------------------


def test_personal_center_links_both_pages(me):
    html = me.get("/accounts/me/").content.decode()
    assert f'href="{CHANGE_URL}">更换手机号</a>' in html
    assert f'href="{DELETE_URL}">注销账号</a>' in html
    page = text_of(me.get(CHANGE_URL))
    for label in ("更换手机号", "当前手机号： 138****8000", "原手机号验证码", "新手机号码", "新手机号验证码",
                  "登录密码", "获取验证码", "确认更换"):  # fmt: skip
        assert label in page, label


def test_change_phone_moves_the_login_keeps_this_session_and_ends_the_others(
    me, user, clock, django_capture_on_commit_callbacks
):
    elsewhere = Client()
    assert log_in(elsewhere).status_code == 302

    send_both_codes(me)
    assert [m.params["purpose"] for m in sent_to(PHONE)] == ["更换手机号（原号码）"]
    assert [m.params["purpose"] for m in sent_to(NEW)] == ["更换手机号（新号码）"]
    with django_capture_on_commit_callbacks(execute=True):
        response = change(me)

    assert response.status_code == 302
    assert response.url == "/accounts/me/"
    user.refresh_from_db()
    assert user.phone == NEW
    assert unused_codes() == 0
    assert "手机号已更换为137****7000，请使用新手机号登录" in text_of(me.get(response.url))
    assert me.get("/accounts/me/").status_code == 200  # this session stays
    assert elsewhere.get("/accounts/me/").url == "/accounts/login/?next=/accounts/me/"  # the other ends
    notice = sms.outbox[-1]
    assert notice.phone == PHONE
    assert notice.template == "phone_changed"
    assert notice.text == (
        "【云上科普日】您的云上科普日账号已将登录手机号更换为137****7000，"
        "本号码不能再用于登录。如非本人操作，请立即联系管理员。"
    )

    # Only the new number logs in now.
    fresh = Client()
    refused = log_in(fresh, PHONE)
    assert refused.status_code == 200
    assert "手机号码或密码错误" in text_of(refused)
    assert log_in(fresh, NEW).status_code == 302
    assert int(fresh.session["_auth_user_id"]) == user.pk


def test_the_old_number_code_goes_to_the_users_own_number_only(me, clock):
    response = request_code(me, OTHER, purpose="change_phone_old")
    assert response.status_code == 200
    assert [m.phone for m in sms.outbox] == [PHONE]


def test_visitors_get_no_change_codes(client, user):
    for phone, purpose in ((PHONE, "change_phone_old"), (NEW, "change_phone")):
        assert request_code(client, phone, purpose=purpose).status_code == 400
    assert sms.outbox == []
    assert client.get(CHANGE_URL).url == f"/accounts/login/?next={CHANGE_URL}"


def test_change_codes_have_the_same_limits_as_the_others(me, clock):
    send_both_codes(me)
    again = request_code(me, "", purpose="change_phone_old")
    assert again.status_code == 429
    assert again.json()["message"] == "验证码发送过于频繁，请 60 秒后再试"
    clock.shift(timedelta(seconds=61))
    assert request_code(me, NEW, purpose="change_phone").status_code == 200


WRONG = {
    "old_code": lambda: wrong(last_code(PHONE)),
    "new_code": lambda: wrong(last_code(NEW)),
    "password": lambda: "not-my-password",
}


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("old_code", "验证码错误，还可尝试4次"),
        ("new_code", "验证码错误，还可尝试4次"),
        ("password", "密码错误"),
    ],
)
def test_one_wrong_entry_changes_nothing_and_spends_no_code(me, user, clock, field, message):
    send_both_codes(me)
    response = change(me, **{field: WRONG[field]()})
    assert response.status_code == 200
    assert message in text_of(response)
    user.refresh_from_db()
    assert user.phone == PHONE
    assert unused_codes() == 2  # the right codes are not spent: the next try may use them
    assert change(me).status_code == 302


def test_a_number_of_another_account_is_refused(me, user, clock):
    UserFactory(phone=OTHER)
    response = request_code(me, OTHER, purpose="change_phone")
    assert response.status_code == 400
    assert response.json()["message"] == "该手机号已被其他账号使用"
    assert sent_to(OTHER) == []

    # Registered by someone else between the code and the submit.
    send_both_codes(me)
    UserFactory(phone=NEW)
    response = change(me)
    assert response.status_code == 200
    assert "该手机号已被其他账号使用" in text_of(response)
    user.refresh_from_db()
    assert user.phone == PHONE
    assert unused_codes() == 2


def test_the_current_number_is_no_new_number(me, clock):
    response = request_code(me, PHONE, purpose="change_phone")
    assert response.status_code == 400
    assert response.json()["message"] == "新手机号与当前手机号相同"
    assert sms.outbox == []


def test_codes_for_another_purpose_do_not_count(me, user, clock):
    # A 注册 code for the new number, a 找回密码 code for the old one: neither proves a change.
    assert request_code(Client(), NEW, purpose="register").status_code == 200
    assert request_code(Client(), PHONE, purpose="reset").status_code == 200
    response = change(me)
    assert response.status_code == 200
    assert text_of(response).count("请先获取验证码") == 2
    user.refresh_from_db()
    assert user.phone == PHONE


def test_the_buttons_work_without_javascript(me, clock):
    response = me.post(CHANGE_URL, {"send_code": "change_phone_old", "new_phone": NEW})
    assert "验证码已发送，5分钟内有效" in text_of(response)
    assert [m.phone for m in sms.outbox] == [PHONE]
    response = me.post(CHANGE_URL, {"send_code": "change_phone", "new_phone": NEW, "old_code": "123456"})
    assert "验证码已发送，5分钟内有效" in text_of(response)
    assert [m.phone for m in sms.outbox] == [PHONE, NEW]
    html = response.content.decode()
    assert f'value="{NEW}"' in html and 'value="123456"' in html  # what was typed stays


def test_both_codes_are_spent_in_one_transaction(me, user, clock):
    """A new-number code spent by a racing request leaves the old-number code unspent and the phone as it was."""
    send_both_codes(me)
    old_code = SmsCode.objects.get(purpose="change_phone_old")
    new_code = SmsCode.objects.get(purpose="change_phone")
    SmsCode.objects.filter(pk=new_code.pk).update(used_at=CLOCK_START)
    with pytest.raises(services.AccountError, match="验证码已失效，请重新获取"):
        services.change_phone(user=user, old_code=old_code, new_code=new_code)
    old_code.refresh_from_db()
    user.refresh_from_db()
    assert old_code.used_at is None
    assert user.phone == PHONE


def test_a_user_without_a_password_is_sent_to_set_one(client):
    sso_user = User.objects.create_user(phone=PHONE, password=None)
    client.force_login(sso_user)
    for url in (CHANGE_URL, DELETE_URL):
        page = text_of(client.get(url))
        assert "您的账号尚未设置密码。请先在 修改密码 中通过短信验证码设置密码" in page
        assert "登录密码" not in page
        assert 'href="/accounts/password/change/"' in client.get(url).content.decode()


# --- 注销账号 -----------------------------------------------------------------------------------


def unit(short_name):
    return SupervisingUnit.objects.get(short_name=short_name)


@pytest.fixture
def organiser_world(user):
    """The user as an organiser: an organisation, an approved activity with its review log, a comment,
    a like, a favourite, a check-in, a 科普中国 link, a message, and another user's comment."""
    make_organiser(user)
    reviewer = UserFactory()
    ReviewerRole.objects.create(user=reviewer, unit=unit("河北省科协"))
    activity = make_activity(user, status="pending", owner_unit=unit("河北省科协"))
    record_decision(activity, actor=user, at=activity.submitted_at, from_status="draft", to_status="pending")
    transitions.approve(activity=activity, by=reviewer)
    activity.refresh_from_db()
    public_services.add_comment(user=user, activity=activity, text="欢迎大家来参加")
    public_services.set_like(user=user, activity=activity, on=True)
    public_services.set_favorite(user=user, activity=activity, on=True)
    CheckIn.objects.create(user=user, activity=activity)
    ExternalLogin.objects.create(user=user, issuer="https://kepu.example.org", subject="abc")
    return {"activity": activity, "reviewer": reviewer}


def public_counts(activity):
    return (activity.like_count, activity.favorite_count, activity.checkin_count, activity.comment_count)


def review_log(activity):
    return list(ReviewDecision.objects.filter(activity=activity).values_list("pk", "actor_id", "to_status"))


def delete(client, password=PASSWORD, understood=True):
    data = {"password": password}
    if understood:
        data["understood"] = "on"
    return client.post(DELETE_URL, data)


def test_the_page_says_plainly_what_happens(me):
    page = text_of(me.get(DELETE_URL))
    for said in ("注销账号", "无法恢复", "您发布的活动及其审核记录将保留，仍属于您的单位",
                 "作者显示为“已注销用户”", "该手机号可以重新注册新账号", "登录密码", "确认注销"):  # fmt: skip
        assert said in page, said


def test_deletion_anonymises_and_keeps_what_the_organisation_and_the_log_need(
    me, user, organiser_world, clock, django_capture_on_commit_callbacks
):
    activity = organiser_world["activity"]
    log = review_log(activity)
    assert len(log) == 2  # submitted by the organiser, approved by the reviewer
    assert Message.objects.filter(recipient=user).exists()  # the decision notice
    page_before = text_of(Client().get(f"/a/{activity.public_code}/"))
    assert "138****8000" in page_before  # the comment's author, on the page the cache keeps
    counts = public_counts(activity)

    with django_capture_on_commit_callbacks(execute=True):
        response = delete(me)

    assert response.status_code == 302
    assert response.url == "/"
    assert not logged_in(me)
    assert "您的账号已注销，个人信息已删除。感谢您对云上科普日的支持！" in text_of(me.get("/"))

    user.refresh_from_db()
    assert user.phone == f"deleted-{user.pk}"
    assert user.name == ""
    assert not user.has_usable_password()
    assert not user.is_active
    assert user.deleted_at == CLOCK_START
    assert user.last_login is None
    assert str(user) == "已注销用户"
    # Removed: the 科普中国 link, the messages, the codes sent to the number.
    assert not ExternalLogin.objects.exists()
    assert not Message.objects.filter(recipient=user).exists()
    assert not SmsCode.objects.filter(phone=PHONE).exists()
    # Kept: the organisation, its activity (public, listed), the review log, the comment, the counts.
    organization = Organization.objects.get(owner=user)
    assert (organization.name, organization.contact_phone) == ("保定市示范科技馆", "0312-5123456")
    activity.refresh_from_db()
    assert activity.owner_id == user.pk
    assert public_counts(activity) == counts
    assert review_log(activity) == log
    public_page = Client().get(f"/a/{activity.public_code}/")
    assert public_page.status_code == 200
    page = text_of(public_page)
    assert "节水科普进社区" in page and "欢迎大家来参加" in page
    assert "已注销用户" in page and "138****8000" not in page
    listed = text_of(Client().get("/activities/"))
    assert "节水科普进社区" in listed and "保定市示范科技馆" in listed
    assert Comment.objects.get().author_id == user.pk
    assert Like.objects.filter(user=user).exists() and Favorite.objects.filter(user=user).exists()


def test_deletion_ends_every_session_and_the_old_phone_registers_afresh(me, user, clock):
    elsewhere = Client()
    log_in(elsewhere)
    assert delete(me).status_code == 302
    assert elsewhere.get("/accounts/me/").url == "/accounts/login/?next=/accounts/me/"
    refused = log_in(Client())
    assert "手机号码或密码错误" in text_of(refused)

    visitor = Client()
    assert request_code(visitor, PHONE).status_code == 200
    data = {"phone": PHONE, "code": last_code(PHONE), "password": "kepuri-Again-2020", "agree": "on"}
    assert visitor.post("/accounts/register/", data).status_code == 302
    again = User.objects.get(phone=PHONE)
    assert again.pk != user.pk
    assert int(visitor.session["_auth_user_id"]) == again.pk


def test_a_deleted_account_is_sent_nothing(me, user, organiser_world, django_capture_on_commit_callbacks):
    delete(me)
    sms.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        notify(user, kind="decision", key="after-deletion", title="审核结果", body="您的活动已审核通过")
    assert not Message.objects.filter(recipient=user).exists()
    assert sms.outbox == []


@pytest.mark.parametrize(
    ("password", "understood", "message"),
    [("not-my-password", True, "密码错误"), (PASSWORD, False, "请勾选确认您已了解注销的后果")],
)
def test_deletion_needs_the_password_and_the_tick(me, user, password, understood, message):
    response = delete(me, password=password, understood=understood)
    assert response.status_code == 200
    assert message in text_of(response)
    user.refresh_from_db()
    assert user.phone == PHONE and user.is_active and user.deleted_at is None
    assert logged_in(me)


@pytest.mark.parametrize(
    ("role", "refusal"),
    [
        ("reviewer", "审核员账号不能自行注销，请联系管理员撤销审核员授权后再注销"),
        ("superuser", "管理员账号不能自行注销，请联系其他管理员处理"),
    ],
)
def test_reviewers_and_admins_ask_an_admin(me, user, role, refusal):
    if role == "reviewer":
        ReviewerRole.objects.create(user=user, unit=unit("河北省科协"))
    else:
        User.objects.filter(pk=user.pk).update(is_superuser=True, is_staff=True)
    page = text_of(me.get(DELETE_URL))
    assert refusal in page
    assert "确认注销" not in page
    response = delete(me)
    assert response.status_code == 200
    assert refusal in text_of(response)
    user.refresh_from_db()
    assert user.phone == PHONE and user.is_active and user.deleted_at is None
    assert logged_in(me)


def test_a_former_reviewer_can_delete(me, user):
    ReviewerRole.objects.create(user=user, unit=unit("河北省科协"), revoked_at=CLOCK_START)
    assert delete(me).status_code == 302
    assert User.objects.get(pk=user.pk).deleted_at is not None


# --- 停用 (admin) ------------------------------------------------------------------------------


@pytest.fixture
def admin():
    return UserFactory(phone="13900000009", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(admin):
    client = Client()
    client.force_login(admin)
    return client


def act(admin_client, action, *users):
    return admin_client.post(
        "/admin/accounts/user/", {"action": action, "_selected_action": [u.pk for u in users]}, follow=True
    )


def test_a_deactivated_account_is_told_so_only_with_its_password(client):
    UserFactory(phone=PHONE, is_active=False)
    response = log_in(client)
    assert response.status_code == 200
    assert "该账号已停用，请联系管理员" in text_of(response)
    assert not logged_in(client)
    wrong_password = text_of(log_in(client, password="guess"))
    assert "手机号码或密码错误，还可尝试4次" in wrong_password
    assert "停用" not in wrong_password


def test_the_admin_deactivates_and_logs_it_and_open_sessions_end(me, user, admin, admin_client):
    other = UserFactory()
    response = act(admin_client, "deactivate", user, other)
    assert "已停用 2 个账号" in text_of(response)
    assert not User.objects.filter(pk__in=[user.pk, other.pk], is_active=True).exists()
    entries = LogEntry.objects.filter(user=admin, change_message="停用账号")
    assert sorted(int(e.object_id) for e in entries) == sorted([user.pk, other.pk])

    assert me.get("/accounts/me/").url == "/accounts/login/?next=/accounts/me/"
    assert "该账号已停用，请联系管理员" in text_of(log_in(Client()))

    response = act(admin_client, "reactivate", user)
    assert "已启用 1 个账号" in text_of(response)
    assert LogEntry.objects.filter(user=admin, change_message="启用账号", object_id=str(user.pk)).exists()
    assert log_in(Client()).status_code == 302


def test_the_admin_cannot_deactivate_itself_nor_revive_a_deleted_account(me, user, admin, admin_client):
    response = act(admin_client, "deactivate", admin)
    assert "不能停用自己的账号" in text_of(response)
    assert User.objects.get(pk=admin.pk).is_active

    delete(me)
    response = act(admin_client, "reactivate", user)
    assert "已注销的账号不能启用" in text_of(response)
    assert not User.objects.get(pk=user.pk).is_active
    page = admin_client.get(f"/admin/accounts/user/{user.pk}/change/")
    assert page.status_code == 200
    assert 'name="phone"' not in page.content.decode()  # a deleted account is read only
    assert f"deleted-{user.pk}" in text_of(page)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_change_and_a_registration_racing_for_one_number_give_it_to_one(postgres, clock):
    """On PostgreSQL: the loser is told, and a lost change spends neither of its codes."""
    user = UserFactory(phone=PHONE)
    changer, visitor = Client(), Client()
    changer.force_login(user)
    send_both_codes(changer)
    clock.shift(timedelta(seconds=61))  # one code per number per minute, whatever it is for
    assert request_code(visitor, NEW, purpose="register").status_code == 200
    register_code = last_code(NEW)
    change_data = {
        "old_code": last_code(PHONE),
        "new_phone": NEW,
        "new_code": sent_to(NEW)[0].params["code"],
        "password": PASSWORD,
    }
    register_data = {"phone": NEW, "code": register_code, "password": "kepuri-Racer-2020", "agree": "on"}

    changed, registered = race(
        lambda: changer.post(CHANGE_URL, change_data),
        lambda: visitor.post("/accounts/register/", register_data),
    )

    assert sorted([changed.status_code, registered.status_code]) == [200, 302]
    owner = User.objects.get(phone=NEW)
    user.refresh_from_db()
    if changed.status_code == 302:
        assert owner.pk == user.pk
        assert "该手机号已注册" in text_of(registered)
    else:
        assert owner.pk != user.pk and user.phone == PHONE
        assert "该手机号已被其他账号使用" in text_of(changed)
        assert SmsCode.objects.filter(purpose__startswith="change_phone", used_at__isnull=True).count() == 2
