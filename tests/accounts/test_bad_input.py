"""Whatever is typed into the account forms, the answer is a message, never a 500.

The values are the catalogue's (tests/hardening/catalogue.py) and a few of the phone's own.
"""

import pytest
from django.utils.html import escape

import sms
from accounts.models import User
from tests.hardening.catalogue import INVISIBLE, TEXT

pytestmark = pytest.mark.django_db

BAD_VALUES = {**TEXT, "number and NUL": "13800138000\x00", "number behind an override": "\u202e13800138000"}
FORMS = {
    "/accounts/register/": ("phone", "code", "password", "agree"),
    "/accounts/login/": ("phone", "password"),
    "/accounts/password/forgot/": ("phone", "code", "new_password1", "new_password2"),
    "/accounts/sms-code/": ("phone", "purpose"),
}


@pytest.mark.parametrize("name", BAD_VALUES)
@pytest.mark.parametrize("url", FORMS)
def test_bad_values_are_answered_with_a_message(client, url, name):
    value = BAD_VALUES[name]
    data = dict.fromkeys(FORMS[url], value)
    for extra in ({}, {"send_code": "1"}):
        response = client.post(url, {**data, **extra})
        assert response.status_code in (200, 400), response.status_code
        assert TEXT["HTML"].encode() not in response.content
        if name in INVISIBLE and url != "/accounts/sms-code/":
            assert "含有不可见的控制字符" in response.content.decode()
    assert not User.objects.exists() and not sms.outbox


@pytest.mark.parametrize("name", ["HTML", "emoji", "SQL"])
def test_what_was_typed_comes_back_escaped(client, name):
    value = BAD_VALUES[name]
    response = client.post("/accounts/register/", {"phone": value, "code": "1234"})
    assert escape(value) in response.content.decode()
