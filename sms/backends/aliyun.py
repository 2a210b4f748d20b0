"""Aliyun SMS (短信服务) through its official SDK, alibabacloud-dysmsapi20170525.

Configured by ``settings.ALIYUN_SMS`` (environment variables, see the README):
keys, sign name, endpoint, and the template code approved for each of our
message templates. Each message is one ``SendSms`` call with a timeout;
transient failures (a timeout, a 5xx, throttling) are retried with
exponential back-off, the rest fail at once with the provider's code.
"""

import json
import logging
import time

from alibabacloud_dysmsapi20170525 import models
from alibabacloud_dysmsapi20170525.client import Client
from alibabacloud_tea_openapi import models as openapi_models
from alibabacloud_tea_util import models as util_models
from django.conf import settings
from Tea.exceptions import TeaException, UnretryableException

from sms import SmsSendError

from .base import BaseSmsBackend

logger = logging.getLogger(__name__)

# Provider answers worth another try a moment later.
TRANSIENT_CODES = {"Throttling", "Throttling.User", "ServiceUnavailable", "InternalError", "isp.SYSTEM_ERROR"}


class SmsBackend(BaseSmsBackend):
    def __init__(self, config: dict | None = None):
        self.config = config or settings.ALIYUN_SMS
        timeout = self.config["timeout_ms"]
        self.client = Client(
            openapi_models.Config(
                access_key_id=self.config["access_key_id"],
                access_key_secret=self.config["access_key_secret"],
                endpoint=self.config["endpoint"],
                protocol=self.config["protocol"],
                read_timeout=timeout,
                connect_timeout=timeout,
            )
        )
        self.runtime = util_models.RuntimeOptions(
            read_timeout=timeout, connect_timeout=timeout, autoretry=False
        )

    def send_messages(self, messages) -> int:
        for message in messages:
            self._send(message)
        return len(messages)

    def _send(self, message) -> None:
        template_code = self.config["templates"].get(message.template)
        if not template_code:
            raise SmsSendError(f"no Aliyun template code for {message.template!r} (ALIYUN_SMS_TEMPLATES)")
        request = models.SendSmsRequest(
            phone_numbers=message.phone,
            sign_name=self.config["sign_name"],
            template_code=template_code,
            template_param=json.dumps(message.params, ensure_ascii=False),
        )
        attempts = self.config["retries"] + 1
        for attempt in range(attempts):
            try:
                body = self.client.send_sms_with_options(request, self.runtime).body
            except UnretryableException as exc:  # network: a timeout, a refused connection
                error = f"network: {exc}"
            except TeaException as exc:  # the provider answered with an error status
                status = getattr(exc, "status_code", None) or (exc.data or {}).get("statusCode") or 0
                if int(status) < 500 and exc.code not in TRANSIENT_CODES:
                    raise SmsSendError(f"{exc.code}: {exc.message}") from exc
                error = f"{exc.code}: {exc.message}"
            else:
                if body.code == "OK":
                    return
                if body.code not in TRANSIENT_CODES:
                    raise SmsSendError(f"{body.code}: {body.message}")
                error = f"{body.code}: {body.message}"
            if attempt + 1 < attempts:
                delay = self.config["backoff_seconds"] * 2**attempt
                logger.info("Aliyun SMS to %s: %s; retrying in %.1f s", message.phone, error, delay)
                time.sleep(delay)
        raise SmsSendError(f"gave up after {attempts} attempts: {error}")
