"""Pinyin initials, so that 保定市科协 is found by "bdskx" as well as by "保定"."""

from pypinyin import Style, lazy_pinyin


def initials(text: str) -> str:
    """The first letter of each syllable, lower case; Latin letters and digits kept as they are."""
    letters = lazy_pinyin(text, style=Style.FIRST_LETTER, errors=lambda chars: list(chars))
    return "".join(part for part in letters if part.isalnum()).lower()
