"""Mainland mobile numbers: one canonical form, 11 ASCII digits.

Input is NFKC-normalised first (full-width digits become ASCII digits), trimmed,
then validated with an ASCII-only pattern, so that other scripts' digits that
``\\d`` would accept are refused. Only the canonical form is stored.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError

PHONE_PATTERN = r"1[3-9][0-9]{9}"
_PHONE_RE = re.compile(PHONE_PATTERN, re.ASCII)

INVALID_PHONE_MESSAGE = "请输入正确的11位中国大陆手机号码"


def normalize_phone(value: str) -> str:
    """The canonical form of what the user typed (not yet validated)."""
    return unicodedata.normalize("NFKC", value or "").strip()


def is_valid_phone(value: str) -> bool:
    return _PHONE_RE.fullmatch(value) is not None


def validate_phone(value: str) -> None:
    """Validator for an already-normalised number."""
    if not is_valid_phone(value):
        raise ValidationError(INVALID_PHONE_MESSAGE, code="invalid_phone")


def mask_phone(phone: str) -> str:
    """138****8000, for places where the full number need not show."""
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) == 11 else phone
