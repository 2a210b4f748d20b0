import pytest
from django.core.exceptions import ValidationError

from accounts.phone import canonical_contact_phone, is_valid_phone, normalize_phone
from kepuri.logs import mask_phone


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("13800138000", "13800138000"),
        ("１３８００１３８０００", "13800138000"),  # full-width digits fold to ASCII
        (" 13800138000 ", "13800138000"),
        ("13800138000\n", "13800138000"),
        ("\u300013912345678\u3000", "13912345678"),  # ideographic spaces around
        ("19999999999", "19999999999"),
    ],
)
def test_accepted_numbers_fold_to_one_canonical_form(typed, canonical):
    assert normalize_phone(typed) == canonical
    assert is_valid_phone(normalize_phone(typed))


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "12800138000",  # second digit 2
        "10800138000",
        "1380013800",  # 10 digits
        "138001380001",  # 12 digits
        "+8613800138000",
        "138 0013 8000",
        "138-0013-8000",
        "１３８abc３８０００",
        "١٣٨٠٠١٣٨٠٠٠",  # Arabic-Indic digits are digits, but not ASCII ones
        "1380013800\u200f0",  # a right-to-left mark inside
    ],
)
def test_everything_else_is_refused(typed):
    assert not is_valid_phone(normalize_phone(typed))


def test_mask_keeps_the_ends():
    assert mask_phone("13800138000") == "138****8000"


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("13800138000", "13800138000"),
        ("０９７１－６１２３４５６", "0971-6123456"),
        ("(0971)6123456", "0971-6123456"),
        ("（0971）612 3456", "0971-6123456"),
        ("010 1234 5678", "010-12345678"),
        ("02012345678", "020-12345678"),
        ("0971-6123456转8012", "0971-6123456转8012"),
        ("0971-6123456 ext. 8012", "0971-6123456转8012"),
        ("021-55556666 ext 12", "021-55556666转12"),
    ],
)
def test_contact_phones_fold_to_one_form(typed, canonical):
    assert canonical_contact_phone(typed) == canonical
    assert canonical_contact_phone(canonical) == canonical  # the edit form sends it back as it was shown


@pytest.mark.parametrize("typed", ["", "12345", "0971-612345", "0000-1234567", "0971-6123456-8012", "电话"])
def test_contact_phones_that_are_no_number_are_refused(typed):
    with pytest.raises(ValidationError):
        canonical_contact_phone(typed)
