import io

import pytest
from django.test import override_settings

import sms
from sms.backends.console import SmsBackend as ConsoleBackend
from sms.models import SentSms

MESSAGE = sms.SmsMessage(
    phone="13800138000",
    template="verification_code",
    text="【云上科普日】您的验证码为123456",
    params={"code": "123456"},
)


def test_console_prints_the_message():
    stream = io.StringIO()
    assert ConsoleBackend(stream=stream).send_messages([MESSAGE]) == 1
    assert stream.getvalue() == "[SMS] to 13800138000: 【云上科普日】您的验证码为123456\n"


def test_console_backend_writes_to_stdout(capsys):
    with override_settings(SMS_BACKEND="console"):
        sms.send_sms(MESSAGE)
    assert "[SMS] to 13800138000: 【云上科普日】您的验证码为123456" in capsys.readouterr().out


def test_locmem_keeps_an_outbox():
    with override_settings(SMS_BACKEND="locmem"):
        sms.send_sms(MESSAGE)
    assert sms.outbox == [MESSAGE]


@pytest.mark.django_db
def test_database_backend_writes_a_row():
    with override_settings(SMS_BACKEND="database"):
        sms.send_sms(MESSAGE)
    row = SentSms.objects.get()
    assert (row.phone, row.template, row.params, row.text) == (
        "13800138000",
        "verification_code",
        {"code": "123456"},
        MESSAGE.text,
    )


def test_a_dotted_path_names_any_backend():
    backend = sms.get_backend("sms.backends.locmem.SmsBackend")
    assert backend.__class__.__module__ == "sms.backends.locmem"
