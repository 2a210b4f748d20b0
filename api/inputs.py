"""What a client sends, checked by the site's own forms.

An API endpoint has a serializer that states the request's shape for the
schema and checks its JSON types (a string where a string belongs); the values
then go to the same Django form the site's page uses, which holds the rules and
the Chinese messages (请输入手机号码, 活动名称 at most 100 characters…). So the
API and the site refuse the same input with the same words.

The shape's fields are lenient on purpose — never required, blank allowed — so
that a missing value reaches the form and gets the site's message, not REST
framework's.
"""

from django.core.validators import ProhibitNullCharactersValidator
from django.http import QueryDict
from django.utils import timezone
from rest_framework import serializers

from .errors import form_invalid


class TextField(serializers.CharField):
    """A string, as typed: control characters (a NUL included) are the form's to refuse, with the
    site's message (``kepuri.text.TextChecks``), not REST framework's."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators = [v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)]


def text(help_text: str = "", **kwargs) -> serializers.CharField:
    return TextField(
        required=False, allow_blank=True, trim_whitespace=False, default="", help_text=help_text, **kwargs
    )


def flag(help_text: str = "", default=False) -> serializers.BooleanField:
    return serializers.BooleanField(required=False, default=default, help_text=help_text)


def texts(help_text: str = "") -> serializers.ListField:
    return serializers.ListField(child=text(), required=False, default=list, help_text=help_text)


def files(help_text: str = "") -> serializers.ListField:
    return serializers.ListField(
        child=serializers.FileField(), required=False, default=list, help_text=help_text
    )


def shape(serializer_class, data) -> dict:
    """The request body checked against its shape (422 with REST framework's messages for a wrong type)."""
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def as_form_data(values: dict) -> QueryDict:
    """Values as a browser would post them: strings, a list as repeated values."""
    data = QueryDict(mutable=True)
    for key, value in values.items():
        if value is None:
            continue
        if isinstance(value, list | tuple):
            data.setlist(key, [str(item) for item in value])
        else:
            data[key] = str(value)
    return data


def checked(form, *, rename: dict[str, str] | None = None):
    """``form`` once valid; otherwise a 422 with its messages under the API's names."""
    if not form.is_valid():
        raise form_invalid(form, rename=rename)
    return form


class LocalDateTime(serializers.DateTimeField):
    """An instant as ISO 8601 in Asia/Shanghai (``2020-09-15T09:30:00+08:00``)."""

    def to_representation(self, value):
        if value is None:
            return None
        return timezone.localtime(value).isoformat()
