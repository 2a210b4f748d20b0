"""The site's catalogue of bad input (tests/hardening/catalogue.py) through the API's writable fields.

Each text field of each writing endpoint gets each value of ``TEXT`` with the rest of a valid body.
A value the field must refuse is 422 with the site form's message under ``fields`` (or in ``detail``
where the service refuses it), and the database is exactly as before; a value it may take is
stored trimmed. Values of the wrong JSON type are 422 too; queries never fail. Never a 500 (the test
client re-raises server errors).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from activities.reports import split_names
from tests.activities.conftest import REPORT_OPEN
from tests.api.conftest import bearer
from tests.api.test_my_activities import report
from tests.factories import UserFactory, make_activity
from tests.hardening.catalogue import (
    EMPTY,
    INVISIBLE,
    LINKS,
    NAMES,
    NUMBERS,
    OPTIONAL,
    PHONE,
    REQUIRED,
    SOME_NAMES,
    TEXT,
    URL,
    database_state,
    refused,
    stored_text,
)
from tests.hardening.matrix import _organiser

pytestmark = pytest.mark.django_db

SUMMARY_OPEN = REPORT_OPEN.replace(month=10)
LISTS = {NAMES, SOME_NAMES, LINKS}  # sent as JSON lists of strings


@dataclass
class Endpoint:
    """One writing endpoint: who calls it with which valid body, and the kind of each text field."""

    setup: Callable[[], tuple]  # → client, method, url, valid body
    fields: dict[str, str]
    when: object = REPORT_OPEN
    extra: dict = field(default_factory=dict)


def organisation():
    body = {
        "name": "保定市示范科技馆",
        "contact_name": "李老师",
        "contact_phone": "0312-5123456",
        "address": "保定市",
        "description": "国家级科普教育基地",
    }
    return bearer(_organiser("保定市示范科技馆")), "put", "/api/v1/me/organization/", body


def report_edit(*, submit):
    def setup():
        owner = _organiser("保定市示范科技馆")
        draft = make_activity(owner, status="draft")
        body = report(submit=submit)
        return bearer(owner), "put", f"/api/v1/my/activities/{draft.public_code}/", body

    return setup


def supplement():
    owner = _organiser("保定市示范科技馆")
    activity = make_activity(owner, status="pending")
    body = {"video_links": ["https://v.example.org/1"], "news_links": ["https://news.example.org/a"]}
    return bearer(owner), "post", f"/api/v1/my/activities/{activity.public_code}/supplement/", body


def summary():
    owner = _organiser("保定市示范科技馆")
    activity = make_activity(owner, status="approved")
    body = {"text": "活动顺利举行。", "participants": "120"}
    return bearer(owner), "post", f"/api/v1/my/activities/{activity.public_code}/summary/", body


def comment():
    activity = make_activity(_organiser("保定市示范科技馆"), status="approved")
    return (
        bearer(UserFactory()),
        "post",
        f"/api/v1/activities/{activity.public_code}/comments/",
        {"text": "讲得很好"},
    )


ENDPOINTS = {
    "单位信息": Endpoint(
        organisation,
        {
            "name": REQUIRED,
            "contact_name": REQUIRED,
            "contact_phone": PHONE,
            "address": REQUIRED,
            "description": OPTIONAL,
        },
    ),
    "活动填报": Endpoint(
        report_edit(submit=True),
        {
            "name": REQUIRED,
            "description": REQUIRED,
            "address": REQUIRED,
            "url": URL,
            "hosts": NAMES,
            "organizers": SOME_NAMES,
        },
    ),
    "活动填报（暂存）": Endpoint(
        report_edit(submit=False),
        {
            "name": REQUIRED,
            "description": OPTIONAL,
            "address": OPTIONAL,
            "hosts": SOME_NAMES,
            "organizers": SOME_NAMES,
        },
    ),
    "补充活动信息": Endpoint(supplement, {"video_links": LINKS, "news_links": LINKS}),
    "编辑总结": Endpoint(summary, {"text": REQUIRED}, when=SUMMARY_OPEN),
    "评论": Endpoint(comment, {"text": REQUIRED}),
}

CASES = [
    (name, field_name, value) for name in ENDPOINTS for field_name in ENDPOINTS[name].fields for value in TEXT
]


def _send(client, method, url, body):
    return getattr(client, method)(url, body, format="json")


@pytest.mark.parametrize(("endpoint", "field_name", "value_name"), CASES)
def test_bad_text(endpoint, field_name, value_name, time_machine):
    spec = ENDPOINTS[endpoint]
    time_machine.move_to(spec.when, tick=False)
    client, method, url, body = spec.setup()
    kind = spec.fields[field_name]
    value = TEXT[value_name]
    before = database_state()

    response = _send(client, method, url, {**body, field_name: [value] if kind in LISTS else value})

    if refused(kind, value_name):
        assert response.status_code == 422, (response.status_code, response.json())
        answer = response.json()
        said = answer["detail"] + "".join("".join(messages) for messages in answer["fields"].values())
        if value_name in INVISIBLE:
            assert "含有不可见的控制字符" in said
        if answer["fields"]:
            assert field_name in answer["fields"], answer
        assert database_state() == before, "a refused request stored something"
        return
    assert response.status_code in (200, 201), (response.status_code, response.json())
    kept = split_names(value) if kind in (NAMES, SOME_NAMES) else [value.strip()]
    if value_name not in EMPTY:
        stored = stored_text()
        assert all(part in stored for part in kept), f"{value_name!r} was not stored as typed"


@pytest.mark.parametrize("case", NUMBERS)
def test_bad_participant_counts(case, time_machine):
    from summaries.models import ActivitySummary

    time_machine.move_to(SUMMARY_OPEN, tick=False)
    client, method, url, body = summary()
    typed, expected = NUMBERS[case]
    before = database_state()
    response = _send(client, method, url, {**body, "participants": typed})
    if expected is None:
        assert response.status_code == 422 and "participants" in response.json()["fields"]
        assert database_state() == before
    else:
        assert response.status_code == 200, response.json()
        assert ActivitySummary.objects.get().participants == expected


WRONG_TYPES = [
    ("单位信息", "name", {"a": 1}),
    ("单位信息", "contact_phone", ["13800138000"]),
    ("活动填报", "hosts", "保定市科学技术协会"),
    ("活动填报", "hosts", [["嵌套"]]),
    ("活动填报", "category", "节水"),
    ("活动填报", "supervisor", {"id": 1}),
    ("活动填报", "submit", "也许"),
    ("活动填报", "starts_at", {"at": "2020-09-15T09:30"}),
    ("补充活动信息", "video_links", "https://v.example.org/1"),
    ("编辑总结", "text", None),
    ("评论", "text", ["讲得很好"]),
]


@pytest.mark.parametrize(("endpoint", "field_name", "value"), WRONG_TYPES)
def test_a_value_of_the_wrong_type_is_422(endpoint, field_name, value, time_machine):
    spec = ENDPOINTS[endpoint]
    time_machine.move_to(spec.when, tick=False)
    client, method, url, body = spec.setup()
    before = database_state()
    response = _send(client, method, url, {**body, field_name: value})
    assert response.status_code == 422, response.json()
    assert field_name in response.json()["fields"] or response.json()["detail"]
    assert database_state() == before


@pytest.mark.parametrize("body", [b"{", b"[1, 2]", b"\xff\xfe", b'"text"', b"null"])
def test_a_body_that_is_no_json_object_is_refused_with_our_shape(body, time_machine):
    time_machine.move_to(REPORT_OPEN, tick=False)
    client, method, url, _ = organisation()
    before = database_state()
    response = client.generic(method.upper(), url, body, content_type="application/json")
    assert response.status_code in (400, 422)
    assert set(response.json()) >= {"code", "detail", "fields"}
    assert database_state() == before


QUERIES = {
    "/api/v1/activities/": (
        "q",
        "category",
        "region",
        "province",
        "activity_type",
        "sort",
        "cursor",
        "date_from",
    ),
    "/api/v1/review/activities/": (
        "q",
        "state",
        "region",
        "activity_type",
        "category",
        "cursor",
        "starts_from",
    ),
    "/api/v1/directory/units/": ("q", "type", "region"),
    "/api/v1/messages/": ("cursor", "page_size"),
    "/api/v1/my/activities/": ("cursor", "page_size"),
    "/api/v1/me/likes/": ("cursor",),
}
QUERY_VALUES = [TEXT[name] for name in ("over-long", "NUL", "right-to-left override", "HTML", "SQL", "emoji")]
QUERY_VALUES += ["-1", "0", "99999999999999999999", "1e9", "１"]


@pytest.mark.parametrize("path", QUERIES)
def test_query_strings_never_fail(path, time_machine):
    from directory.models import SupervisingUnit
    from reviews.models import ReviewerRole

    time_machine.move_to(REPORT_OPEN, tick=False)
    make_activity(_organiser("保定市示范科技馆"), status="approved")
    reviewer = UserFactory()
    ReviewerRole.objects.create(user=reviewer, unit=SupervisingUnit.objects.get(short_name="河北省科协"))
    client = bearer(reviewer)
    for name in QUERIES[path]:
        for value in QUERY_VALUES:
            response = client.get(path, {name: value})
            assert response.status_code in (200, 400, 422), (name, value, response.status_code)
            assert response["Content-Type"].startswith("application/json"), (name, value)
