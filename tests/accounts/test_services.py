"""The account services where the views cannot reach an edge."""

from datetime import timedelta

import pytest
from django.utils import timezone

import sms
from accounts import services
from accounts.models import SmsCode
from accounts.tasks import purge_expired_sms_codes
from tests.support import last_code

pytestmark = pytest.mark.django_db

PHONE = "13800138000"


def send(purpose=SmsCode.Purpose.REGISTER, phone=PHONE):
    return services.request_sms_code(phone=phone, purpose=purpose, ip="10.0.0.1")


def test_a_code_is_bound_to_its_purpose():
    send(SmsCode.Purpose.REGISTER)
    code = last_code(PHONE)
    with pytest.raises(services.AccountError, match="请先获取验证码"):
        services.check_sms_code(phone=PHONE, purpose=SmsCode.Purpose.CHANGE_PHONE, code=code)
    assert services.check_sms_code(phone=PHONE, purpose=SmsCode.Purpose.REGISTER, code=code)


def test_a_code_is_bound_to_its_phone():
    send()
    with pytest.raises(services.AccountError, match="请先获取验证码"):
        services.check_sms_code(phone="13900000000", purpose=SmsCode.Purpose.REGISTER, code=last_code(PHONE))


def test_a_code_is_used_once_even_when_two_requests_race():
    sms_code = send()
    checked = services.check_sms_code(phone=PHONE, purpose=SmsCode.Purpose.REGISTER, code=last_code(PHONE))
    services.use_sms_code(checked)
    with pytest.raises(services.AccountError, match="验证码已失效"):
        services.use_sms_code(sms_code)  # the slower request, holding the same row


def test_registration_racing_for_one_phone_creates_one_account():
    first = send()
    checked = services.check_sms_code(phone=PHONE, purpose=SmsCode.Purpose.REGISTER, code=last_code(PHONE))
    services.register_user(sms_code=checked, password="kepuri-Pass-2020")
    with pytest.raises(services.AccountError):
        services.register_user(sms_code=first, password="kepuri-Pass-2020")


class ProviderDownBackend:
    """A carrier that times out (the outside world, faked)."""

    def send_messages(self, messages):
        raise sms.SmsSendError("provider timeout")


def test_a_failed_send_keeps_no_code_and_says_so(settings):
    settings.SMS_BACKEND = f"{__name__}.ProviderDownBackend"
    with pytest.raises(services.AccountError, match="短信发送失败，请稍后再试"):
        send()
    assert not SmsCode.objects.exists()


def test_purge_task_drops_codes_expired_a_day_ago(time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    send(phone="13800000001")
    time_machine.shift(timedelta(days=1, minutes=6))
    send(phone="13800000002")
    assert purge_expired_sms_codes.delay().get() == 1
    assert list(SmsCode.objects.values_list("phone", flat=True)) == ["13800000002"]
    assert SmsCode.objects.get().expires_at > timezone.now()
