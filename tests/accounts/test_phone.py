import pytest

from accounts.phone import is_valid_phone, mask_phone, normalize_phone


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
