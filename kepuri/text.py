"""What a text field takes: printable text, never invisible control characters.

PostgreSQL cannot store NUL; the other C0 and C1 control characters show as
nothing or as boxes; the bidirectional embeddings, overrides and isolates
(U+202A–U+202E, U+2066–U+2069) are invisible and make a name read backwards on
the page (a known spoofing trick). Line breaks and tabs are text. Emoji, full-
width characters and the zero-width joiner that emoji sequences need are text.
"""

import unicodedata

from django import forms

ALLOWED_CONTROLS = frozenset("\t\n\r")
BIDI_CONTROLS = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))


def invisible_character(value: str) -> str | None:
    """The first control character in ``value`` that has no place in text, or None."""
    for char in value:
        if char in BIDI_CONTROLS or (unicodedata.category(char) == "Cc" and char not in ALLOWED_CONTROLS):
            return char
    return None


def _named(char: str) -> str:
    return f"含有不可见的控制字符（U+{ord(char):04X}）"


def problem_of(value: str) -> str | None:
    """The message for a text with an invisible control character, or None when it is fine."""
    char = invisible_character(value or "")
    return None if char is None else f"{_named(char)}，请删除后重新输入"


def without_invisible(value: str) -> str:
    """``value`` without the characters ``invisible_character`` finds."""
    return "".join(char for char in value if invisible_character(char) is None)


class TextChecks:
    """Form mixin: a value typed with a control character is refused with our message, whatever the field.

    The characters are taken out before any field sees the data (a NUL would reach
    PostgreSQL in a choice's lookup), and the form says which it found; shown again,
    the form holds the text without them, so checking and sending it again is enough.
    Passwords are left as they are: never shown, only hashed, and a login must simply fail.
    """

    def full_clean(self):
        found = {}
        if self.is_bound:
            passwords = {
                self.add_prefix(name)
                for name, field in self.fields.items()
                if isinstance(field.widget, forms.PasswordInput)
            }
            data = self.data.copy()
            for key in list(data):
                values = data.getlist(key) if hasattr(data, "getlist") else [data[key]]
                bad = next((v for v in values if isinstance(v, str) and invisible_character(v)), None)
                if key in passwords or bad is None:
                    continue
                found[key] = f"{_named(invisible_character(bad))}，已为您删除，请检查后重新提交"
                cleaned = [without_invisible(v) if isinstance(v, str) else v for v in values]
                if hasattr(data, "setlist"):
                    data.setlist(key, cleaned)
                else:
                    data[key] = cleaned if isinstance(data[key], list | tuple) else cleaned[0]
            if found:
                self.data = data
        super().full_clean()
        for name in self.fields:
            key = self.add_prefix(name)
            message = found.get(key) or next((m for k, m in found.items() if k.startswith(f"{key}_")), None)
            if message:
                self.cleaned_data.pop(name, None)
                self._errors[name] = self.error_class([message, *self._errors.get(name, [])])
