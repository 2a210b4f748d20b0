"""QuickSelect writes the same markup as Django's Select, only faster."""

from html.parser import HTMLParser

import pytest
from django import forms

from kepuri.widgets import QuickSelect

pytestmark = pytest.mark.django_db  # the session's reference data needs the test database

CHOICES = [
    ("", "请选择城市"),
    ("河北省", [("130100", "石家庄市"), ("130600", "保定市")]),
    ("<北京>", [("110101", "东城区 & 西城区")]),
]


class Parts(HTMLParser):
    """Tags with their attributes in any order, and the text between them."""

    def __init__(self, html):
        super().__init__()
        self.parts = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.parts.append((tag, sorted(attrs, key=lambda pair: pair[0])))

    def handle_endtag(self, tag):
        self.parts.append(("/" + tag,))

    def handle_data(self, data):
        if data.strip():
            self.parts.append(data)


def squeezed(html: str) -> list:
    return Parts(html).parts


def test_the_markup_is_djangos_with_groups_selection_and_escaping():
    for value in ("", "130600", None):
        attrs = {"id": "id_region", "class": "form-select", "data-province-select": "id_province"}
        django = forms.Select(attrs=attrs, choices=CHOICES).render("region", value)
        quick = QuickSelect(attrs=attrs, choices=CHOICES).render("region", value)
        assert squeezed(quick) == squeezed(django)
    selected = QuickSelect(choices=CHOICES).render("region", "130600")
    assert '<option value="130600" selected>保定市</option>' in selected
    assert '<optgroup label="&lt;北京&gt;">' in selected and "东城区 &amp; 西城区" in selected
