"""Signing in through the API: SMS codes under the site's limits, 注册, tokens by password, by SMS code
and by a 科普中国 token, refresh rotation, and every way a token ends."""

import hashlib
from datetime import timedelta

import pytest
from django.test import Client
from rest_framework.test import APIClient

import sms
from accounts import services
from accounts.models import ApiToken, ExternalLogin, User
from tests.api.conftest import bearer
from tests.factories import PASSWORD, UserFactory
from tests.support import last_code, request_code

pytestmark = pytest.mark.django_db

PHONE = "13800138000"
NEW_PASSWORD = "kepuri-New-2021"


def code_request(api, phone=PHONE, purpose="register", ip="10.0.0.1"):
    return api.post("/api/v1/auth/sms-code/", {"phone": phone, "purpose": purpose}, REMOTE_ADDR=ip)


def sign_in(api, phone=PHONE, password=PASSWORD, ip="10.0.0.1"):
    return api.post(
        "/api/v1/auth/token/",
        {"grant_type": "password", "phone": phone, "password": password},
        REMOTE_ADDR=ip,
    )


def me(api, access):
    return api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {access}")


# --- SMS codes: the site's limits, the same counters -------------------------------------------


def test_a_code_is_sent_and_the_answer_says_when_to_ask_again(api, clock):
    response = code_request(api)
    assert response.status_code == 200
    assert response.json() == {"detail": "验证码已发送，5分钟内有效", "retry_after": 60}
    assert sms.outbox[-1].phone == PHONE and len(last_code(PHONE)) == 6


def test_the_60_second_limit_counts_the_site_and_the_api_together(api, client, clock):
    assert request_code(client, PHONE, REMOTE_ADDR="10.0.0.1").status_code == 200  # on the site
    clock.shift(timedelta(seconds=59))
    refused = code_request(api)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "1"
    assert refused.json() == {
        "code": "rate_limited",
        "detail": "验证码发送过于频繁，请 1 秒后再试",
        "fields": {},
        "retry_after": 1,
    }
    clock.shift(timedelta(seconds=1, microseconds=1))
    assert code_request(api).status_code == 200
    assert len(sms.outbox) == 2


def test_five_codes_an_hour_then_refused_through_either_door(api, client, clock):
    for n in range(5):
        sent = code_request(api) if n % 2 else request_code(client, PHONE, REMOTE_ADDR="10.0.0.1")
        assert sent.status_code == 200
        clock.shift(timedelta(seconds=61))
    refused = code_request(api)
    assert refused.status_code == 429
    assert refused.json()["detail"] == "该手机号1小时内获取验证码已达5次，请于 10:00 后再试"
    site = request_code(client, PHONE, REMOTE_ADDR="10.0.0.1")
    assert site.json()["message"] == refused.json()["detail"]


def test_twenty_codes_an_hour_per_address(api, clock):
    for n in range(20):
        assert code_request(api, phone=f"1390000{n:04d}").status_code == 200
    refused = code_request(api, phone="13900009999")
    assert refused.status_code == 429 and refused.json()["detail"].startswith(
        "当前网络1小时内获取验证码已达20次"
    )
    assert code_request(api, phone="13900009999", ip="10.0.0.2").status_code == 200


def test_a_bad_phone_or_purpose_is_refused_with_the_sites_message(api):
    bad = api.post("/api/v1/auth/sms-code/", {"phone": "12345", "purpose": "register"})
    assert bad.status_code == 422
    assert bad.json()["fields"] == {"phone": ["请输入正确的11位中国大陆手机号码"]}
    bad = api.post("/api/v1/auth/sms-code/", {"phone": PHONE, "purpose": "change_phone"})  # needs an account
    assert bad.status_code == 422 and "purpose" in bad.json()["fields"]
    assert sms.outbox == []


def test_registered_numbers_and_unknown_ones_are_told(api):
    UserFactory(phone=PHONE)
    taken = code_request(api)
    assert taken.status_code == 409
    assert (
        taken.json()["code"] == "already_registered"
        and taken.json()["detail"] == "该手机号已注册，请直接登录"
    )
    unknown = code_request(api, phone="13900000000", purpose="reset")
    assert unknown.status_code == 409 and unknown.json()["detail"] == "该手机号尚未注册"


def test_the_limit_store_down_refuses_sms_with_503(api, settings):
    settings.RATELIMIT_STORAGE_URI = "redis://127.0.0.1:1/0"
    refused = code_request(api)
    assert refused.status_code == 503
    assert (
        refused.json()["code"] == "sms_unavailable"
        and refused.json()["detail"] == "短信服务暂时不可用，请稍后再试"
    )
    assert sms.outbox == []


# --- 注册 ---------------------------------------------------------------------------------------


def test_register_answers_tokens_and_the_account(api):
    code_request(api)
    response = api.post(
        "/api/v1/auth/register/",
        {"phone": PHONE, "code": last_code(PHONE), "password": NEW_PASSWORD, "agree": True},
    )
    assert response.status_code == 201
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 900
    assert body["user"]["phone"] == PHONE and body["user"]["has_password"] is True
    user = User.objects.get(phone=PHONE)
    assert user.terms_accepted_at is not None and user.check_password(NEW_PASSWORD)
    assert response["Cache-Control"] == "no-store"
    assert me(api, body["access_token"]).json()["id"] == user.pk


def test_register_without_the_agreement_or_with_a_weak_password_is_refused(api):
    code_request(api)
    response = api.post(
        "/api/v1/auth/register/", {"phone": PHONE, "code": last_code(PHONE), "password": "12345678"}
    )
    assert response.status_code == 422
    fields = response.json()["fields"]
    assert fields["agree"] == ["请阅读并勾选同意《云上科普日网络服务使用协议》"]
    assert "password" in fields
    assert not User.objects.exists()


# --- 登录: password ------------------------------------------------------------------------------


def test_tokens_are_kept_only_as_digests(api):
    UserFactory(phone=PHONE)
    body = sign_in(api).json()
    stored = set(ApiToken.objects.values_list("digest", flat=True))
    assert stored == {hashlib.sha256(body[k].encode()).hexdigest() for k in ("access_token", "refresh_token")}
    assert body["access_token"].startswith("kpa_") and body["refresh_token"].startswith("kpr_")


def test_a_wrong_password_counts_down_then_locks_the_phone_for_15_minutes(api, client, clock):
    UserFactory(phone=PHONE)
    for left in (4, 3, 2, 1):
        wrong = sign_in(api, password="nope")
        assert wrong.status_code == 401
        assert wrong.json() == {
            "code": "invalid_credentials",
            "detail": f"手机号码或密码错误，还可尝试{left}次",
            "fields": {},
        }
    locked = sign_in(api, password="nope")  # the 5th
    assert locked.status_code == 429
    assert locked.json()["code"] == "login_locked"
    assert locked.json()["detail"].startswith("该手机号15分钟内连续登录失败5次，已锁定15分钟")
    assert locked["Retry-After"] == str(15 * 60)
    assert sign_in(api).status_code == 429  # the right password too, while locked
    site = client.post("/accounts/login/", {"phone": PHONE, "password": PASSWORD})  # the site agrees
    assert "已锁定15分钟" in site.content.decode()
    clock.shift(timedelta(minutes=15, seconds=1))
    assert sign_in(api).status_code == 200


def test_failures_on_the_site_count_toward_the_apis_lock(api, client, clock):
    UserFactory(phone=PHONE)
    for _ in range(4):
        client.post("/accounts/login/", {"phone": PHONE, "password": "nope"})
    assert sign_in(api, password="nope").status_code == 429


def test_a_deactivated_account_is_told_so_only_with_its_right_password(api):
    UserFactory(phone=PHONE, is_active=False)
    right = sign_in(api)
    assert right.status_code == 403 and right.json()["detail"] == "该账号已停用，请联系管理员"
    assert sign_in(api, password="nope").json()["code"] == "invalid_credentials"


def test_a_bad_grant_or_missing_fields_are_422(api):
    assert api.post("/api/v1/auth/token/", {"grant_type": "magic"}).status_code == 422
    empty = api.post("/api/v1/auth/token/", {"grant_type": "password"})
    assert empty.status_code == 422
    assert empty.json()["fields"] == {"phone": ["请输入手机号码"], "password": ["请输入密码"]}


# --- 登录: SMS code (验证码登录) ---------------------------------------------------------------------


def by_code(api, phone=PHONE, agree=False):
    code_request(api, phone=phone, purpose="login")
    return api.post(
        "/api/v1/auth/token/",
        {"grant_type": "sms_code", "phone": phone, "code": last_code(phone), "agree": agree},
    )


def test_a_code_signs_in_an_account(api):
    user = UserFactory(phone=PHONE)
    response = by_code(api)
    assert response.status_code == 200 and response.json()["user"]["id"] == user.pk


def test_a_new_phone_needs_the_agreement_and_then_gets_an_account_without_password(api, clock):
    refused = by_code(api)
    assert refused.status_code == 422 and refused.json()["code"] == "consent_required"
    assert refused.json()["detail"] == "该手机号尚未注册，请阅读并同意《云上科普日网络服务使用协议》后登录"
    assert not User.objects.exists()
    clock.shift(timedelta(seconds=61))
    created = by_code(api, agree=True)
    assert created.status_code == 200
    user = User.objects.get(phone=PHONE)
    assert not user.has_usable_password() and user.terms_accepted_at is not None
    assert created.json()["user"]["has_password"] is False


def test_a_code_is_used_once_and_a_wrong_one_counts_down(api):
    UserFactory(phone=PHONE)
    code_request(api, purpose="login")
    code = last_code(PHONE)
    wrong = api.post("/api/v1/auth/token/", {"grant_type": "sms_code", "phone": PHONE, "code": "000000"})
    if code == "000000":  # one draw in a million
        return
    assert wrong.status_code == 422 and wrong.json()["fields"]["code"] == ["验证码错误，还可尝试4次"]
    first = api.post("/api/v1/auth/token/", {"grant_type": "sms_code", "phone": PHONE, "code": code})
    again = api.post("/api/v1/auth/token/", {"grant_type": "sms_code", "phone": PHONE, "code": code})
    assert first.status_code == 200
    assert again.status_code == 422 and again.json()["fields"]["code"] == ["验证码已使用，请重新获取"]


# --- refresh, logout, revocation ----------------------------------------------------------------


def refresh(api, token):
    return api.post("/api/v1/auth/token/refresh/", {"refresh_token": token})


def test_a_refresh_token_gives_the_next_pair_once(api):
    UserFactory(phone=PHONE)
    first = sign_in(api).json()
    second = refresh(api, first["refresh_token"])
    assert second.status_code == 200
    pair = second.json()
    assert me(api, pair["access_token"]).status_code == 200
    assert me(api, first["access_token"]).status_code == 200  # the old access token lives out its minutes
    assert refresh(api, pair["refresh_token"]).status_code == 200


def test_a_refresh_token_used_twice_revokes_its_whole_sign_in(api):
    UserFactory(phone=PHONE)
    other_device = sign_in(api).json()
    first = sign_in(api).json()
    second = refresh(api, first["refresh_token"]).json()
    replayed = refresh(api, first["refresh_token"])
    assert replayed.status_code == 401 and replayed.json()["code"] == "token_reused"
    assert me(api, second["access_token"]).status_code == 401
    assert refresh(api, second["refresh_token"]).status_code == 401
    assert me(api, other_device["access_token"]).status_code == 200  # another sign-in is not touched


def test_tokens_expire(api, clock):
    UserFactory(phone=PHONE)
    pair = sign_in(api).json()
    clock.shift(timedelta(seconds=899))
    assert me(api, pair["access_token"]).status_code == 200
    clock.shift(timedelta(seconds=1))
    expired = me(api, pair["access_token"])
    assert expired.status_code == 401
    assert expired.json() == {"code": "token_invalid", "detail": "登录已过期，请重新登录", "fields": {}}
    assert expired["WWW-Authenticate"] == 'Bearer realm="api"'
    clock.shift(timedelta(days=30))
    assert refresh(api, pair["refresh_token"]).status_code == 401


def test_a_bad_token_is_refused_not_taken_as_anonymous(api):
    for header in ("Bearer nonsense", "Bearer kpa_forged", "Bearer", "Bearer a b"):
        response = api.get("/api/v1/activities/", HTTP_AUTHORIZATION=header)
        assert response.status_code == 401, header
    assert api.get("/api/v1/activities/").status_code == 200  # no header: a visitor


def test_no_cookie_is_read_and_none_is_set(api, client):
    user = UserFactory(phone=PHONE)
    client.force_login(user)
    api.cookies = client.cookies  # a logged-in browser's session cookie means nothing to the API
    assert api.get("/api/v1/me/").status_code == 401
    response = sign_in(api)
    assert response.status_code == 200 and not response.cookies


def test_logout_ends_every_token_of_the_account(api):
    user = UserFactory(phone=PHONE)
    phone_app, tablet = sign_in(api).json(), sign_in(api).json()
    assert (
        api.post("/api/v1/auth/logout/", HTTP_AUTHORIZATION=f"Bearer {phone_app['access_token']}").status_code
        == 204
    )
    for pair in (phone_app, tablet):
        assert me(api, pair["access_token"]).status_code == 401
        assert refresh(api, pair["refresh_token"]).status_code == 401
    assert not ApiToken.objects.filter(user=user, revoked_at__isnull=True).exists()


@pytest.mark.parametrize("how", ["site password change", "api password change", "reset", "admin password"])
def test_a_new_password_ends_every_token(api, how):
    user = UserFactory(phone=PHONE)
    pair = sign_in(api).json()
    if how == "site password change":
        client = Client()
        client.force_login(user)
        data = {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
        assert client.post("/accounts/password/change/", data).status_code == 302
    elif how == "api password change":
        other = sign_in(api).json()
        answer = api.post(
            "/api/v1/me/password/",
            {"old_password": PASSWORD, "new_password": NEW_PASSWORD},
            HTTP_AUTHORIZATION=f"Bearer {other['access_token']}",
        )
        assert answer.status_code == 200
        assert me(api, answer.json()["access_token"]).status_code == 200  # this client carries on
        assert me(api, other["access_token"]).status_code == 401
    elif how == "reset":
        code_request(api, purpose="reset")
        data = {"phone": PHONE, "code": last_code(PHONE), "new_password": NEW_PASSWORD}
        assert api.post("/api/v1/auth/password/reset/", data).status_code == 204
    else:  # an admin types a new password in the admin: no service is called, the token's binding ends it
        user.set_password(NEW_PASSWORD)
        user.save()
    assert me(api, pair["access_token"]).status_code == 401
    assert refresh(api, pair["refresh_token"]).status_code == 401
    assert sign_in(api, password=NEW_PASSWORD).status_code == 200


def test_a_changed_phone_ends_every_token_and_this_client_gets_a_new_pair(
    api, django_capture_on_commit_callbacks
):
    user = UserFactory(phone=PHONE)
    pair = sign_in(api).json()
    other = sign_in(api).json()
    signed = bearer(user)
    signed.post("/api/v1/auth/sms-code/", {"purpose": "change_phone_old"})
    old_code = last_code(PHONE)
    signed.post("/api/v1/auth/sms-code/", {"phone": "13900139000", "purpose": "change_phone"})
    data = {
        "old_code": old_code,
        "new_phone": "13900139000",
        "new_code": last_code("13900139000"),
        "password": PASSWORD,
    }
    with django_capture_on_commit_callbacks(execute=True):
        answer = api.post("/api/v1/me/phone/", data, HTTP_AUTHORIZATION=f"Bearer {pair['access_token']}")
    assert answer.status_code == 200
    assert answer.json()["user"]["phone"] == "13900139000"
    assert me(api, answer.json()["access_token"]).status_code == 200
    assert me(api, other["access_token"]).status_code == 401
    assert sms.outbox[-1].phone == PHONE and "139****9000" in sms.outbox[-1].text  # the old number is told


def test_deleting_the_account_removes_its_tokens(api):
    user = UserFactory(phone=PHONE)
    pair = sign_in(api).json()
    refused = api.post(
        "/api/v1/me/delete/", {"password": PASSWORD}, HTTP_AUTHORIZATION=f"Bearer {pair['access_token']}"
    )
    assert refused.status_code == 422 and refused.json()["fields"]["understood"] == [
        "请勾选确认您已了解注销的后果"
    ]
    done = api.post(
        "/api/v1/me/delete/",
        {"password": PASSWORD, "understood": True},
        HTTP_AUTHORIZATION=f"Bearer {pair['access_token']}",
    )
    assert done.status_code == 204
    user.refresh_from_db()
    assert user.is_deleted and not ApiToken.objects.filter(user=user).exists()
    assert me(api, pair["access_token"]).status_code == 401


def test_a_deactivated_account_loses_its_tokens_at_once(api):
    user = UserFactory(phone=PHONE)
    admin = UserFactory(is_superuser=True, is_staff=True)
    pair = sign_in(api).json()
    services.deactivate_account(user=user, by=admin)
    assert me(api, pair["access_token"]).status_code == 401
    assert refresh(api, pair["refresh_token"]).status_code == 401
    assert ApiToken.objects.filter(user=user, revoked_at__isnull=True).count() == 0


def test_an_account_made_inactive_in_the_admin_form_is_refused_too(api):
    user = UserFactory(phone=PHONE)
    pair = sign_in(api).json()
    User.objects.filter(pk=user.pk).update(is_active=False)  # the 有效 box, no service called
    assert me(api, pair["access_token"]).status_code == 401


def test_expired_tokens_are_purged(api, clock):
    from accounts import tokens

    UserFactory(phone=PHONE)
    sign_in(api)
    clock.shift(timedelta(days=31, seconds=1))
    assert tokens.purge_expired() == 2
    assert not ApiToken.objects.exists()


# --- 科普中国 (OpenID Connect) ---------------------------------------------------------------------


def oidc(api, provider, **extra):
    from tests.oidc_provider import CLIENT_ID  # noqa: F401  (the ID token's audience)

    access = "client-app-access"
    provider.tokens[access] = {}
    data = {"grant_type": "oidc", "id_token": provider.id_token(nonce="app"), "access_token": access, **extra}
    return api.post("/api/v1/auth/token/", data)


def test_a_kepu_china_token_with_a_verified_phone_signs_in_and_links(api, provider):
    user = UserFactory(phone=PHONE)
    response = oidc(api, provider)
    assert response.status_code == 200 and response.json()["user"]["id"] == user.pk
    assert ExternalLogin.objects.get().user == user


def test_a_kepu_china_token_for_a_new_phone_makes_an_account(api, provider):
    response = oidc(api, provider)
    assert response.status_code == 200
    user = User.objects.get(phone=PHONE)
    assert user.terms_accepted_at is not None and not user.has_usable_password()


def test_without_a_verified_phone_the_client_binds_one_with_a_code(api, provider):
    provider.person = {"sub": "kp-20002"}
    asked = oidc(api, provider)
    assert asked.status_code == 422 and asked.json()["fields"]["phone"][0].startswith(
        "首次使用科普中国账号登录"
    )
    code_request(api, purpose="bind")
    bound = oidc(api, provider, phone=PHONE, code=last_code(PHONE))
    assert bound.status_code == 200
    assert ExternalLogin.objects.get(subject="kp-20002").user.phone == PHONE


def test_a_forged_or_expired_or_foreign_token_is_refused(api, provider, settings):
    from cryptography.hazmat.primitives.asymmetric import rsa

    provider.signing_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = oidc(api, provider)
    assert forged.status_code == 401 and forged.json()["detail"] == "科普中国账号登录未完成，请重新登录"
    provider.signing_key, provider.expired = provider.key, True
    expired = oidc(api, provider)
    assert expired.status_code == 401 and expired.json()["detail"] == "科普中国账号登录已过期，请重新登录"
    provider.expired = False
    settings.OIDC_RP_CLIENT_ID = "another-site"  # the token was issued to the test client, not to us
    assert oidc(api, provider).status_code == 401
    settings.OIDC_API_AUDIENCES = ["kepuri-test"]  # … unless it is a client app we accept
    assert oidc(api, provider).status_code == 200
    assert not User.objects.exclude(phone=PHONE).exists()


def test_a_provider_that_is_down_answers_503(api, provider):
    token = provider.id_token(nonce="app")
    provider.stop()
    from django.core.cache import cache

    cache.clear()
    down = api.post("/api/v1/auth/token/", {"grant_type": "oidc", "id_token": token})
    assert down.status_code == 503 and down.json()["code"] == "sso_unavailable"


# --- the API's own limits ------------------------------------------------------------------------


def test_requests_per_account_are_limited_across_its_tokens(settings, clock):
    settings.API_RATE_PER_ACCOUNT = 3
    user = UserFactory(phone=PHONE)
    phone_app, tablet = bearer(user), bearer(user)
    for client in (phone_app, phone_app, tablet):
        assert client.get("/api/v1/me/").status_code == 200
    refused = tablet.get("/api/v1/me/")  # the 4th in this minute, from either token
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"
    assert refused.json()["detail"] == f"请求过于频繁，请 {refused.json()['retry_after']} 秒后再试"
    assert refused["Retry-After"] == str(refused.json()["retry_after"])
    assert bearer(UserFactory()).get("/api/v1/me/").status_code == 200  # another account is not counted
    clock.shift(timedelta(seconds=60))
    assert phone_app.get("/api/v1/me/").status_code == 200


def test_requests_per_address_are_limited_signed_in_or_not(api, settings, clock):
    settings.API_RATE_PER_ADDRESS = 2
    bad = {"refresh_token": "kpr_nothing"}
    assert api.post("/api/v1/auth/token/refresh/", bad, REMOTE_ADDR="10.0.0.7").status_code == 401
    assert bearer(UserFactory()).get("/api/v1/me/", REMOTE_ADDR="10.0.0.7").status_code == 200
    assert api.post("/api/v1/auth/token/refresh/", bad, REMOTE_ADDR="10.0.0.7").status_code == 429
    assert api.post("/api/v1/auth/token/refresh/", bad, REMOTE_ADDR="10.0.0.8").status_code == 401


def test_public_reads_count_no_visitor_as_the_pages_do(api, settings):
    settings.API_RATE_PER_ADDRESS = 1
    for _ in range(3):
        assert api.get("/api/v1/campaign/").status_code == 200
        assert api.get("/api/v1/activities/").status_code == 200


def test_the_limit_store_down_lets_requests_through(api, settings):
    settings.RATELIMIT_STORAGE_URI = "redis://127.0.0.1:1/0"
    assert api.get("/api/v1/campaign/").status_code == 200


def test_an_account_without_password_sets_one_through_the_api_by_code(api, clock):
    created = by_code(api, agree=True).json()
    signed = APIClient()
    signed.credentials(HTTP_AUTHORIZATION=f"Bearer {created['access_token']}")
    clock.shift(timedelta(seconds=61))
    assert signed.post("/api/v1/auth/sms-code/", {"purpose": "set_password"}).status_code == 200
    without_code = signed.post("/api/v1/me/password/", {"new_password": NEW_PASSWORD})
    assert without_code.status_code == 422 and without_code.json()["fields"]["code"] == ["请输入验证码"]
    answer = signed.post("/api/v1/me/password/", {"code": last_code(PHONE), "new_password": NEW_PASSWORD})
    assert answer.status_code == 200 and answer.json()["user"]["has_password"] is True
    assert sign_in(api, password=NEW_PASSWORD).status_code == 200
