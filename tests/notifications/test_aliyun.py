"""The Aliyun adapter against a local fake of the SMS endpoint: success, provider error, timeout, retry."""

import contextlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

import sms
from sms.backends.aliyun import SmsBackend

MESSAGE = sms.SmsMessage(phone="13800138000", template="verification_code", text="验证码123456",
                         params={"code": "123456"})  # fmt: skip


class FakeAliyun(BaseHTTPRequestHandler):
    """Answers SendSms as Aliyun does, following the script in ``server.answers``."""

    def do_POST(self):
        self.server.requests.append(parse_qs(urlparse(self.path).query))
        answer = self.server.answers.pop(0) if self.server.answers else "ok"
        if answer == "slow":
            time.sleep(1.5)
            answer = "ok"
        status, body = {
            "ok": (200, {"Code": "OK", "Message": "OK", "BizId": "1", "RequestId": "r"}),
            "bad_number": (
                200,
                {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号", "RequestId": "r"},
            ),
            "throttled": (200, {"Code": "Throttling.User", "Message": "请求过快", "RequestId": "r"}),
            "busy": (503, {"Code": "ServiceUnavailable", "Message": "busy", "RequestId": "r"}),
        }[answer]
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json;charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError):  # the client gave up (a timeout)
            self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def fake():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeAliyun)
    server.requests, server.answers = [], []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()


@pytest.fixture
def backend(fake):
    return SmsBackend(
        {
            "access_key_id": "test-id",
            "access_key_secret": "test-secret",
            "sign_name": "云上科普日",
            "endpoint": f"127.0.0.1:{fake.server_address[1]}",
            "protocol": "http",
            "templates": {"verification_code": "SMS_000001"},
            "timeout_ms": 500,
            "retries": 2,
            "backoff_seconds": 0.01,
        }
    )


def test_success_sends_the_template_and_its_parameters(backend, fake):
    assert backend.send_messages([MESSAGE]) == 1
    [request] = fake.requests
    assert request["PhoneNumbers"] == ["13800138000"]
    assert request["SignName"] == ["云上科普日"]
    assert request["TemplateCode"] == ["SMS_000001"]
    assert json.loads(request["TemplateParam"][0]) == {"code": "123456"}


def test_a_provider_error_fails_at_once(backend, fake):
    fake.answers = ["bad_number"]
    with pytest.raises(sms.SmsSendError, match=r"isv\.MOBILE_NUMBER_ILLEGAL"):
        backend.send_messages([MESSAGE])
    assert len(fake.requests) == 1


def test_a_timeout_is_retried_then_given_up(backend, fake):
    fake.answers = ["slow", "slow", "slow"]
    started = time.monotonic()
    with pytest.raises(sms.SmsSendError, match="gave up after 3 attempts: network"):
        backend.send_messages([MESSAGE])
    assert len(fake.requests) == 3
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("transient", ["busy", "throttled"])
def test_transient_errors_are_retried_with_back_off(backend, fake, transient):
    fake.answers = [transient, "ok"]
    assert backend.send_messages([MESSAGE]) == 1
    assert len(fake.requests) == 2


def test_a_template_without_a_code_is_refused(backend, fake):
    other = sms.SmsMessage(phone="13800138000", template="review_digest", text="x")
    with pytest.raises(sms.SmsSendError, match="ALIYUN_SMS_TEMPLATES"):
        backend.send_messages([other])
    assert fake.requests == []


def test_the_alias_names_it(settings):
    settings.ALIYUN_SMS = {**settings.ALIYUN_SMS, "access_key_id": "x", "access_key_secret": "y"}
    assert type(sms.get_backend("aliyun")) is SmsBackend
