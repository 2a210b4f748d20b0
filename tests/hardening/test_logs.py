"""Logs carry no whole mobile number (issue 9: phone numbers masked in logs)."""

import logging
import logging.config

from django.conf import settings


def formatter():
    logging.config.dictConfig({**settings.LOGGING, "disable_existing_loggers": False})
    return logging.getLogger().handlers[0].formatter


def record(message, *args, exc_info=None):
    return logging.LogRecord("accounts.services", logging.WARNING, __file__, 1, message, args, exc_info)


def test_numbers_in_messages_arguments_and_tracebacks_are_masked():
    line = formatter().format(record("SMS code to %s not sent: %s", "13812345678", "timeout"))
    assert "138****5678" in line and "13812345678" not in line
    try:
        raise ValueError("no account for 15900001111")
    except ValueError:
        import sys

        line = formatter().format(record("failed", exc_info=sys.exc_info()))
    assert "159****1111" in line and "15900001111" not in line


def test_other_numbers_stay_as_they_are():
    line = formatter().format(
        record("activity %s, order %s, landline %s", 12345678901, "1700000000000", "03125123456")
    )
    assert "12345678901" in line and "1700000000000" in line and "03125123456" in line
