"""Logs never carry a whole mobile number: 13812345678 is written 138****5678.

The formatter masks the finished line (message, arguments, traceback), so a
number in a URL, an exception or a third party's message is masked as well.
The SMS console backend, whose output is the message itself, does not log.
"""

import logging
import re

from accounts.phone import mask_phone

MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def mask_mobiles(text: str) -> str:
    """Every mobile number in ``text``, masked as everywhere else (``accounts.phone.mask_phone``)."""
    return MOBILE.sub(lambda match: mask_phone(match.group()), text)


class MaskingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return mask_mobiles(super().format(record))
