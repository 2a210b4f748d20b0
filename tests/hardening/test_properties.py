"""Property-based tests (hypothesis) of the parsers and form cleaners that take what users type.

Whatever the text, each either gives its canonical value or a ValidationError with
a message — never another exception — and what it gives keeps its promises.
"""

import re
import unicodedata
from urllib.parse import urlsplit

import pytest
from django.core.exceptions import ValidationError
from hypothesis import example, given, settings
from hypothesis import strategies as st

from accounts.forms import PhoneField
from accounts.phone import canonical_contact_phone, is_valid_phone, normalize_phone
from activities.forms import LinksField, NamesField, http_url
from activities.reports import join_names, split_names
from activities.search import pairs
from kepuri.logs import mask_phone
from kepuri.text import invisible_character
from reviews.forms import DecisionForm
from summaries.forms import SummaryForm

pytestmark = pytest.mark.django_db  # the session's reference data needs the test database

settings.register_profile("kepuri", max_examples=300, deadline=None)
settings.load_profile("kepuri")

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
mobile = st.from_regex(r"\A1[3-9][0-9]{9}\Z")
# Any text, with the characters forms meet most: separators, controls, full-width, emoji.
typed = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from("，,、 \u3000\t\n\x00\x1b\u202e\u2066０１２３🔬-()转#:/"),
    ),
    max_size=80,
)


# --- phone numbers ------------------------------------------------------------------------


@given(mobile, st.booleans(), st.sampled_from(["", " ", "\u3000", "\t"]))
def test_a_mobile_number_however_typed_is_its_canonical_form(number, full_width, space):
    typed_number = space + (number.translate(FULL_WIDTH) if full_width else number) + space
    assert normalize_phone(typed_number) == number
    assert PhoneField().clean(typed_number) == number


@given(typed)
@example("１３８００１３８０００")
@example("١٣٨٠٠١٣٨٠٠٠")  # Arabic-Indic digits: \d would take them
def test_the_phone_field_gives_eleven_ascii_digits_or_a_message(text):
    try:
        phone = PhoneField().clean(text)
    except ValidationError as exc:
        assert exc.messages and all(exc.messages)
        return
    assert re.fullmatch(r"1[3-9][0-9]{9}", phone, re.ASCII)


@given(mobile)
def test_a_masked_number_shows_three_and_four_digits(number):
    masked = mask_phone(number)
    assert masked == f"{number[:3]}****{number[-4:]}"
    assert number not in masked


@given(typed)
@example("(0971) 612 3456")
@example("0971-6123456转8012")
@example("0971-6123456转")
def test_a_contact_number_is_a_mobile_or_area_code_and_number(text):
    try:
        phone = canonical_contact_phone(text)
    except ValidationError as exc:
        assert exc.messages and all(exc.messages)
        return
    assert is_valid_phone(phone) or re.fullmatch(r"0[0-9]{2,3}-[0-9]{5,8}(转[0-9]{1,6})?", phone)
    assert canonical_contact_phone(phone) == phone  # canonical: the same once more


# --- 主办单位 / 承办单位: names separated by "，" --------------------------------------------


@given(typed)
def test_names_are_trimmed_distinct_and_without_separators(text):
    names = split_names(text)
    assert all(name and name == name.strip() for name in names)
    assert len(set(names)) == len(names)
    assert not any(sep in name for name in names for sep in "，,、")
    assert split_names(join_names(names)) == names


@given(typed)
def test_the_names_field_gives_names_of_at_most_100_characters_or_a_message(text):
    try:
        names = NamesField(required=False).clean(text)
    except ValidationError:
        return
    assert names == split_names(text)
    assert all(len(name) <= 100 for name in names)


# --- URLs ------------------------------------------------------------------------------------


schemes = st.sampled_from(
    [
        "http",
        "https",
        "javascript",
        "JavaScript",
        "data",
        "vbscript",
        "file",
        "ftp",
        " javascript",
        "java\tscript",
    ]
)
urlish = st.builds(lambda scheme, rest: f"{scheme}:{rest}", schemes, st.text(max_size=40))


@given(st.one_of(urlish, typed))
@example("javascript://example.org/%0Aalert(1)")
@example("https://example.org/\x00")
def test_only_http_and_https_urls_are_taken(text):
    try:
        http_url(text)
    except ValidationError:
        return
    parts = urlsplit(text)
    assert parts.scheme in ("http", "https") and parts.netloc
    assert invisible_character(text) is None and not any(ch.isspace() for ch in text)


@given(st.lists(st.one_of(urlish, st.just("https://v.example.org/a")), max_size=12))
def test_the_links_field_gives_at_most_ten_http_links_or_a_message(lines):
    try:
        links = LinksField(required=False).clean("\n".join(lines))
    except ValidationError as exc:
        assert exc.messages
        return
    assert len(links) <= 10
    assert all(urlsplit(link).scheme in ("http", "https") for link in links)


# --- the forms' cleaners -------------------------------------------------------------------


@given(typed, st.one_of(st.integers(-10, 10**9).map(str), typed))
def test_a_summary_form_takes_printable_text_and_a_count_in_range(text, participants):
    form = SummaryForm({"text": text, "participants": participants})
    if not form.is_valid():
        assert all(messages for messages in form.errors.values())
        return
    cleaned = form.cleaned_data
    assert cleaned["text"] and cleaned["text"] == cleaned["text"].strip() and len(cleaned["text"]) <= 5000
    assert invisible_character(cleaned["text"]) is None
    assert 0 <= cleaned["participants"] <= 100_000_000


@given(typed)
@example("\x00")
@example("理由\u202e")
def test_a_control_character_is_named_taken_out_and_the_text_kept(text):
    form = DecisionForm({"decision": "reject", "reason": text})
    bad = invisible_character(text)
    assert form.is_valid() is (bad is None and bool(text.strip()) and len(text.strip()) <= 1000)
    if bad is not None:
        assert f"U+{ord(bad):04X}" in form.errors["reason"][0]
        shown = form["reason"].value()
        assert invisible_character(shown) is None
        assert shown == "".join(ch for ch in text if invisible_character(ch) is None)


@given(typed)
def test_search_pairs_are_single_words_of_at_most_two_characters(text):
    for pair in pairs(text):
        assert 1 <= len(pair) <= 2 and not any(ch.isspace() for ch in pair)
        assert pair == unicodedata.normalize("NFKC", pair).lower()
