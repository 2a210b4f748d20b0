"""The bad input every form is tried with (test_bad_input), and what the database holds.

A value is either refused (a message on the form, the other fields kept, nothing
stored) or taken (stored as typed, trimmed, and shown escaped). Which one depends
on the field's kind; ``refused`` says it.
"""

from django.apps import apps
from django.db import models

TEXT = {
    "empty": "",
    "blank": "  \t ",
    "ideographic blank": "\u3000\u3000",
    "over-long": "科" * 10001,
    "NUL": "科普\x00日",
    "escape sequence": "科普\x1b[31m日",
    "C1 control": "科普\x85日",
    "right-to-left override": "\u202e日普科",
    "isolate": "科普\u2066日",
    "emoji": "科普日🔬👩\u200d🔬",
    "full-width digits": "１２３４５",
    "HTML": '<script>alert("x")</script><i>',
    "SQL": "'; DROP TABLE activities_activity; --",
    "javascript URL": "javascript:alert(1)",
    "data URL": "data:text/html;base64,PHNjcmlwdD4=",
}
EMPTY = {"empty", "blank", "ideographic blank"}
INVISIBLE = {"NUL", "escape sequence", "C1 control", "right-to-left override", "isolate"}

# What each kind of field takes besides plain text.
REQUIRED, OPTIONAL, URL, LINKS, PHONE = "required", "optional", "url", "links", "phone"
NAMES, SOME_NAMES = "names", "names or none"  # 主办单位 / 承办单位: split at "，"


def refused(kind: str, value_name: str) -> bool:
    """Whether a field of ``kind`` must refuse ``TEXT[value_name]``."""
    if value_name in INVISIBLE or value_name == "over-long":
        return True
    if value_name in EMPTY:
        return kind in (REQUIRED, URL, PHONE, NAMES)
    return kind in (URL, LINKS, PHONE)


NUMBERS = {  # 参与人数: what is typed → the number stored, or None when it must be refused
    "negative": ("-1", None),
    "zero": ("0", 0),
    "the largest": ("100000000", 100_000_000),
    "one more": ("100000001", None),
    "huge": ("9" * 400, None),
    "fraction": ("12.5", None),
    "exponent": ("1e3", None),
    "hexadecimal": ("0x10", None),
    "not a number": ("NaN", None),
    "full-width": ("１２０", 120),
    "spaces around": (" 42 ", 42),
    "NUL": ("4\x002", None),
}

# Our apps' rows that users write; the reference data (regions, units, campaigns) does not change.
REFERENCE = {
    "directory.region",
    "directory.supervisingunit",
    "activities.campaign",
    "activities.activitycategory",
}
OUR_APPS = {
    "accounts",
    "organizations",
    "activities",
    "summaries",
    "reviews",
    "public",
    "notifications",
    "directory",
}


def _text_fields(model):
    return [
        f.attname
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField | models.JSONField | models.FileField)
    ]


def database_state() -> dict:
    """Every row users could have written, as comparable values: equal before and after = nothing stored."""
    state = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if model._meta.app_label not in OUR_APPS or label in REFERENCE:
            continue
        state[label] = sorted(
            (repr(row) for row in model._default_manager.all().values_list()),
        )
    return state


def stored_text() -> str:
    """All the text our rows hold, to look for what was typed."""
    parts = []
    for model in apps.get_models():
        label = model._meta.label_lower
        if model._meta.app_label not in OUR_APPS or label in REFERENCE:
            continue
        fields = _text_fields(model)
        if fields:
            for row in model._default_manager.values_list(*fields):
                for value in row:
                    parts.extend(value if isinstance(value, list) else [str(value)])
    return "\n".join(parts)
