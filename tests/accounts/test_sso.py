"""科普中国账号登录 against a small OpenID Connect provider started on 127.0.0.1 (tests/oidc_provider.py)."""

import pytest
from django.core.cache import cache

from accounts.models import ExternalLogin, User
from tests.factories import PASSWORD, UserFactory
from tests.oidc_provider import CLIENT_ID, FakeProvider
from tests.support import last_code, request_code, text_of

pytestmark = pytest.mark.django_db

PHONE = "13800138000"


def sso_login(client, provider, start="/accounts/sso/start/"):
    """Press 科普中国账号登录 and come back from the provider; the response of the callback."""
    response = client.get(start)
    assert response.status_code == 302 and response.url.startswith(f"{provider.issuer}/authorize?"), (
        response.url
    )
    back = provider.authorize_url_answer(response.url)
    assert back.startswith("http://testserver/accounts/sso/callback/?")
    return client.get(back.removeprefix("http://testserver"))


def logged_in_as(client):
    pk = client.session.get("_auth_user_id")
    return User.objects.get(pk=pk) if pk else None


def test_the_login_and_register_pages_offer_it_only_when_configured(client, settings):
    settings.OIDC_ISSUER = ""
    assert "科普中国账号登录" not in text_of(client.get("/accounts/login/"))
    assert client.get("/accounts/sso/start/").status_code == 404
    settings.OIDC_ISSUER, settings.OIDC_RP_CLIENT_ID = "https://passport.example.org", CLIENT_ID
    for page in ("/accounts/login/", "/accounts/register/"):
        assert "科普中国账号登录" in text_of(client.get(page))


def test_a_verified_phone_logs_into_its_account_and_links_it(client, provider):
    user = UserFactory(phone=PHONE)
    response = sso_login(client, provider)
    assert response.status_code == 302 and response.url == "/accounts/me/"
    assert "已使用科普中国账号登录" in text_of(client.get("/accounts/me/"))
    assert logged_in_as(client) == user
    assert ExternalLogin.objects.get().user == user
    # Next time the link decides, whatever number the provider now gives.
    client.logout()
    provider.person = {**provider.person, "phone_number": "+8613900139000"}
    sso_login(client, provider)
    assert logged_in_as(client) == user and User.objects.count() == 1


def test_a_new_phone_makes_an_account_that_accepted_the_agreement(client, provider):
    sso_login(client, provider)
    user = User.objects.get()
    assert user.phone == PHONE and user.terms_accepted_at is not None and not user.has_usable_password()
    assert logged_in_as(client) == user


def test_the_next_page_is_where_it_lands(client, provider):
    response = sso_login(client, provider, start="/accounts/sso/start/?next=/center/")
    assert response.url == "/center/"


@pytest.mark.parametrize(
    "claims",
    [
        {"sub": "kp-2"},
        {"sub": "kp-2", "phone_number": "13800138000", "phone_number_verified": False},
        {"sub": "kp-2", "phone_number": "+1 202 555 0143", "phone_number_verified": True},
    ],
    ids=["no phone", "not verified", "not a mainland mobile"],
)
def test_without_a_verified_mobile_the_phone_is_asked_for_with_a_code(client, provider, claims):
    existing = UserFactory(phone=PHONE)
    provider.person = claims
    response = sso_login(client, provider)
    assert response.url == "/accounts/sso/phone/"
    assert not ExternalLogin.objects.exists()
    assert logged_in_as(client) is None
    page = client.get("/accounts/sso/phone/")
    assert "绑定手机号" in text_of(page) and "首次使用科普中国账号登录" in text_of(page)
    assert request_code(client, PHONE, purpose="bind").status_code == 200
    response = client.post("/accounts/sso/phone/", {"phone": PHONE, "code": "000000"})
    assert "验证码错误" in text_of(response)
    response = client.post("/accounts/sso/phone/", {"phone": PHONE, "code": last_code(PHONE)})
    assert response.status_code == 302 and response.url == "/accounts/me/"
    assert logged_in_as(client) == existing
    assert ExternalLogin.objects.get().subject == "kp-2"


def test_binding_needs_a_provider_login_first(client):
    assert client.get("/accounts/sso/phone/").url == "/accounts/login/"
    response = request_code(client, PHONE, purpose="bind")
    assert response.status_code == 400


def test_a_wrong_state_is_refused_with_a_message(client, provider):
    UserFactory(phone=PHONE)
    response = client.get("/accounts/sso/start/")
    back = provider.authorize_url_answer(response.url).removeprefix("http://testserver")
    forged = back.replace("state=", "state=x")
    response = client.get(forged, follow=True)
    assert "科普中国账号登录未完成，请重新登录" in text_of(response)
    assert not response.context["user"].is_authenticated
    assert not ExternalLogin.objects.exists()


def test_an_expired_id_token_is_refused_with_a_message(client, provider):
    UserFactory(phone=PHONE)
    provider.expired = True
    response = sso_login(client, provider)
    assert response.url == "/accounts/login/"
    page = client.get(response.url)
    assert "科普中国账号登录已过期，请重新登录" in text_of(page)
    assert not page.context["user"].is_authenticated


def test_an_id_token_signed_by_someone_else_is_refused(client, provider):
    impostor = FakeProvider()  # another key under the same kid: the signature does not hold
    provider.signing_key = impostor.key
    response = sso_login(client, provider)
    impostor.server.server_close()
    assert "科普中国账号登录未完成" in text_of(client.get(response.url))
    assert not ExternalLogin.objects.exists()


def test_a_provider_that_is_down_gets_a_message_and_the_phone_login_still_works(client, provider):
    user = UserFactory(phone=PHONE)
    provider.stop()
    cache.clear()  # the discovery document is asked for again
    response = client.get("/accounts/sso/start/", follow=True)
    assert "科普中国账号服务暂时无法访问，请稍后再试，或使用手机号登录" in text_of(response)
    response = client.post("/accounts/login/", {"phone": PHONE, "password": PASSWORD})
    assert response.status_code == 302 and logged_in_as(client) == user


def test_a_provider_that_goes_down_during_the_login_gets_a_message(client, provider):
    UserFactory(phone=PHONE)
    response = client.get("/accounts/sso/start/")  # the discovery document is cached now
    back = provider.authorize_url_answer(response.url).removeprefix("http://testserver")
    provider.stop()
    response = client.get(back, follow=True)
    assert "科普中国账号服务暂时无法访问" in text_of(response)
    assert not response.context["user"].is_authenticated


def test_a_deactivated_account_is_told_so(client, provider):
    UserFactory(phone=PHONE, is_active=False)
    response = sso_login(client, provider)
    assert "该账号已停用，请联系管理员" in text_of(client.get(response.url))


def test_the_link_is_shown_and_removed_in_the_personal_center(client, provider):
    user = UserFactory(phone=PHONE)
    sso_login(client, provider)
    page = client.get("/accounts/sso/")
    assert "已绑定科普中国账号" in text_of(page) and "解除绑定" in text_of(page)
    response = client.post("/accounts/sso/", follow=True)
    assert "已解除与科普中国账号的绑定" in text_of(response)
    assert not ExternalLogin.objects.filter(user=user).exists()
    assert "尚未绑定科普中国账号" in text_of(client.get("/accounts/sso/"))


def test_a_phone_linked_to_another_provider_account_is_not_taken_over(client, provider):
    user = UserFactory(phone=PHONE)
    ExternalLogin.objects.create(user=user, issuer=provider.issuer, subject="kp-other")
    response = sso_login(client, provider)
    assert "该手机号已绑定另一个科普中国账号" in text_of(client.get(response.url))
    assert ExternalLogin.objects.get().subject == "kp-other"
