"""Whatever is typed into the account forms, the answer is a message, never a 500."""

import pytest

pytestmark = pytest.mark.django_db

BAD_VALUES = [
    "",
    " ",
    "\x00",
    "13800138000\x00",
    "😀" * 20,
    "1" * 5000,
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "\u202e13800138000",  # right-to-left override
]
FORMS = {
    "/accounts/register/": ("phone", "code", "password", "agree"),
    "/accounts/login/": ("phone", "password"),
    "/accounts/password/forgot/": ("phone", "code", "new_password1", "new_password2"),
    "/accounts/sms-code/": ("phone", "purpose"),
}


@pytest.mark.parametrize("value", BAD_VALUES)
@pytest.mark.parametrize("url", FORMS)
def test_bad_values_are_answered_with_a_message(client, url, value):
    data = dict.fromkeys(FORMS[url], value)
    for extra in ({}, {"send_code": "1"}):
        response = client.post(url, {**data, **extra})
        assert response.status_code in (200, 400), response.status_code
        assert b"<script>alert(1)</script>" not in response.content
