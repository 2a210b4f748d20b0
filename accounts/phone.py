"""Mainland mobile numbers: one canonical form, 11 ASCII digits.

Input is NFKC-normalised first (full-width digits become ASCII digits), trimmed,
then validated with an ASCII-only pattern, so that other scripts' digits that
``\\d`` would accept are refused. Only the canonical form is stored.
"""

import re
import unicodedata

import phonenumbers
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


CONTACT_PHONE_MESSAGE = "请输入手机号码，或带区号的固定电话（如 0971-6123456，分机可写作 0971-6123456转8012）"
_EXTENSION_RE = re.compile(r"(?P<main>.+?)(?:(?:转|分机|ext\.?|x|#)\s*(?P<ext>[0-9]{1,6}))?", re.ASCII | re.I)
_LANDLINE_DIGITS_RE = re.compile(r"0[0-9]{9,11}", re.ASCII)


def canonical_contact_phone(value: str) -> str:
    """A contact number: a mobile (11 digits) or a landline with its area code.

    Landlines are checked against the real area codes by the phonenumbers
    library and written ``0AREA-NUMBER`` (``转EXT`` when an extension was given, as the
    help text shows it, so that the stored form is taken again when the form is sent
    back), whatever separators the user typed: ``(0971) 612 3456`` → ``0971-6123456``.
    """
    text = normalize_phone(value)
    if is_valid_phone(text):
        return text
    match = _EXTENSION_RE.fullmatch(text)
    digits = re.sub(r"[\s()\-]", "", match["main"]) if match else ""
    if not _LANDLINE_DIGITS_RE.fullmatch(digits):
        raise ValidationError(CONTACT_PHONE_MESSAGE, code="invalid_contact_phone")
    number = phonenumbers.parse(digits, "CN")
    if not phonenumbers.is_valid_number(number) or phonenumbers.number_type(number) not in (
        phonenumbers.PhoneNumberType.FIXED_LINE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        raise ValidationError(CONTACT_PHONE_MESSAGE, code="invalid_contact_phone")
    national = str(number.national_number)
    area = phonenumbers.length_of_geographical_area_code(number)
    canonical = f"0{national[:area]}-{national[area:]}"
    return f"{canonical}转{match['ext']}" if match["ext"] else canonical
