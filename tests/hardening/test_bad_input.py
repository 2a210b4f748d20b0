"""Every form and JSON endpoint × the catalogue of bad input (issue 9).

Each text field gets each value of ``catalogue.TEXT`` with the rest of the form
valid. A value the field must refuse gets a message on the page, every other
field as typed, and a database exactly as before; a value it may take is
stored trimmed and shown escaped. Never a 500 (the test client re-raises).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.test import Client
from django.utils.html import escape

from activities.reports import split_names
from tests.activities.conftest import REPORT_OPEN, report_data
from tests.factories import PASSWORD, UserFactory, make_activity
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
from tests.hardening.matrix import _organiser, _reviewer, _unit
from tests.support import SHANGHAI, text_of

pytestmark = pytest.mark.django_db

XHR = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}
SUMMARY_OPEN = REPORT_OPEN.replace(month=10)
HTML_TAG = '<script>alert("x")</script>'


@dataclass
class Form:
    """One form: who fills it, where, a valid filling, and the kind of each text field."""

    setup: Callable[[], tuple[Client, str, dict, dict]]  # → client, url, valid data, context
    fields: dict[str, str]
    shown_at: Callable[[dict], tuple[Client, str]] | None = None  # where a taken value is shown
    json: bool = False
    when: object = REPORT_OPEN
    extra: dict = field(default_factory=dict)


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _superuser_page(path):
    return lambda ctx: (_client(UserFactory(is_superuser=True, is_staff=True)), path.format(**ctx))


def organisation():
    owner = _organiser("保定市示范科技馆")
    data = {
        "name": "保定市示范科技馆",
        "contact_name": "李老师",
        "contact_phone": "0312-5123456",
        "address": "保定市",
        "description": "国家级科普教育基地",
    }
    return _client(owner), "/center/organization/edit/", data, {"owner": owner}


def report(*, draft=False):
    def setup():
        owner = _organiser("保定市示范科技馆")
        activity = make_activity(owner, status="draft")
        data = report_data()
        if draft:
            data = {**data, "save_draft": "1"}
            del data["submit"]
        return (
            _client(owner),
            f"/activities/{activity.public_code}/edit/",
            data,
            {"code": activity.public_code},
        )

    return setup


def _owner_form(status, path, data):
    """A form of the organiser's own activity in ``status``."""

    def setup():
        owner = _organiser("保定市示范科技馆")
        activity = make_activity(owner, status=status)
        return _client(owner), path.format(code=activity.public_code), data, {"code": activity.public_code}

    return setup


supplement = _owner_form(
    "pending",
    "/activities/{code}/supplement/",
    {"video_links": "https://v.example.org/1", "news_links": "https://news.example.org/a"},
)
summary = _owner_form(
    "approved", "/activities/{code}/summary/", {"text": "活动顺利举行。", "participants": "120"}
)


def reviewer_form(path, data, status="pending"):
    def setup():
        activity = make_activity(
            _organiser("保定市示范科技馆"), status=status, owner_unit=_unit("河北省科协")
        )
        client = _client(_reviewer("河北省科协"))
        return client, path.format(code=activity.public_code), data, {"code": activity.public_code}

    return setup


def comment():
    activity = make_activity(_organiser("保定市示范科技馆"), status="approved")
    return (
        _client(UserFactory()),
        f"/a/{activity.public_code}/comments/",
        {"text": "讲得很好"},
        {"code": activity.public_code},
    )


FORMS = {
    "单位信息": Form(
        organisation,
        {
            "name": REQUIRED,
            "contact_name": REQUIRED,
            "contact_phone": PHONE,
            "address": REQUIRED,
            "description": OPTIONAL,
        },
        shown_at=lambda ctx: (_client(ctx["owner"]), "/center/organization/"),
    ),
    "活动填报": Form(
        report(),
        {
            "name": REQUIRED,
            "description": REQUIRED,
            "address": REQUIRED,
            "url": URL,
            "hosts": NAMES,
            "organizers": SOME_NAMES,
        },
        shown_at=_superuser_page("/review/activities/{code}/"),
    ),
    "活动填报（暂存）": Form(
        report(draft=True),
        {
            "name": REQUIRED,
            "description": OPTIONAL,
            "address": OPTIONAL,
            "hosts": SOME_NAMES,
            "organizers": SOME_NAMES,
        },
    ),
    "补充活动信息": Form(
        supplement,
        {"video_links": LINKS, "news_links": LINKS},
        shown_at=_superuser_page("/review/activities/{code}/"),
    ),
    "编辑总结": Form(
        summary,
        {"text": REQUIRED},
        shown_at=_superuser_page("/review/activities/{code}/"),
        when=SUMMARY_OPEN,
    ),
    "审核未通过": Form(
        reviewer_form(
            "/review/activities/{code}/decide/", {"decision": "reject", "reason": "活动简介过于简单"}
        ),
        {"reason": REQUIRED},
        shown_at=_superuser_page("/review/activities/{code}/"),
    ),
    "延期": Form(
        reviewer_form(
            "/review/activities/{code}/extend/",
            {"window": "supplement", "last_day": "2020-10-20", "reason": "疫情"},
        ),
        {"reason": REQUIRED},
        shown_at=_superuser_page("/review/activities/{code}/"),
    ),
    "推荐给上级": Form(
        reviewer_form(
            "/review/activities/{code}/recommend/",
            {"kind": "activity", "note": "特色鲜明"},
            status="approved",
        ),
        {"note": REQUIRED},
        shown_at=lambda ctx: (_client(_reviewer("中国科协")), "/review/recommendations/"),
    ),
    "评论": Form(
        comment, {"text": REQUIRED}, shown_at=lambda ctx: (Client(), f"/a/{ctx['code']}/"), json=True
    ),
}

CASES = [(form, name, value) for form in FORMS for name in FORMS[form].fields for value in TEXT]


def _post(client, url, data, form):
    return client.post(url, data, **(XHR if form.json else {}))


def _shown_errors(response, form) -> str:
    if form.json:
        assert response.status_code == 400, response.status_code
        return response.json()["message"]
    assert response.status_code == 200, (response.status_code, response.get("Location"))
    html = response.content.decode()
    assert "is-invalid" in html or "alert-danger" in html or "invalid-feedback" in html, text_of(response)
    return text_of(response)


@pytest.mark.parametrize(("form_name", "field_name", "value_name"), CASES)
def test_bad_text(form_name, field_name, value_name, time_machine):
    form = FORMS[form_name]
    time_machine.move_to(form.when, tick=False)
    client, url, data, ctx = form.setup()
    kind = form.fields[field_name]
    value = TEXT[value_name]
    before = database_state()

    response = _post(client, url, {**data, field_name: value}, form)

    if refused(kind, value_name):
        message = _shown_errors(response, form)
        if value_name in INVISIBLE:
            assert "含有不可见的控制字符" in message
        assert database_state() == before, "a refused form stored something"
        if not form.json:
            html = response.content.decode()
            for other, typed in data.items():
                if other != field_name and other in form.fields:
                    assert escape(typed) in html, f"{other} was not kept"
        return
    assert response.status_code in (200, 302), response.status_code
    if response.status_code == 200:
        assert response.json()["ok"] if form.json else False, text_of(response)
    kept = split_names(value) if kind in (NAMES, SOME_NAMES) else [value.strip()]
    if value_name not in EMPTY:
        stored = stored_text()
        assert all(part in stored for part in kept), f"{value_name!r} was not stored as typed"
    if form.shown_at and value_name == "HTML":
        reader, page = form.shown_at(ctx)
        html = reader.get(page).content.decode()
        assert HTML_TAG not in html
        assert escape(HTML_TAG) in html, f"the text does not show on {page}"


# --- numbers, dates and choices ---------------------------------------------------------------


@pytest.mark.parametrize("case", NUMBERS)
def test_bad_participant_counts(case, time_machine):
    from summaries.models import ActivitySummary

    time_machine.move_to(SUMMARY_OPEN, tick=False)
    client, url, data, _ = summary()
    typed, expected = NUMBERS[case]
    before = database_state()
    response = client.post(url, {**data, "participants": typed})
    if expected is None:
        assert response.status_code == 200
        assert "活动顺利举行。" in response.content.decode()
        assert database_state() == before
    else:
        assert response.status_code == 302, text_of(response)
        assert ActivitySummary.objects.get().participants == expected


DATES = {  # starts_at, ends_at → the message shown
    "reversed": ("2020-09-15T11:30", "2020-09-15T09:30", "结束时间"),
    "before the campaign": ("2019-09-15T09:30", "2019-09-15T11:30", "活动时间须在"),
    "after the campaign": ("2021-09-15T09:30", "2021-09-15T11:30", "活动时间须在"),
    "no such day": ("2020-02-30T09:30", "2020-09-15T11:30", "请输入"),
    "year zero": ("0000-01-01T00:00", "2020-09-15T11:30", "请输入"),
    "the last year": ("9999-12-31T23:59", "9999-12-31T23:59", "活动时间须在"),
    "25 o'clock": ("2020-09-15T25:00", "2020-09-15T11:30", "请输入"),
    "words": ("下周一", "2020-09-15T11:30", "请输入"),
    "NUL": ("2020-09-15T09:30\x00", "2020-09-15T11:30", "含有不可见的控制字符"),
}


@pytest.mark.parametrize("draft", [False, True], ids=["保存并下一步", "暂存"])
@pytest.mark.parametrize("case", DATES)
def test_bad_activity_times(case, draft, time_machine):
    time_machine.move_to(REPORT_OPEN, tick=False)
    client, url, data, _ = report(draft=draft)()
    starts, ends, message = DATES[case]
    before = database_state()
    response = client.post(url, {**data, "starts_at": starts, "ends_at": ends})
    assert response.status_code == 200
    assert message in text_of(response)
    assert 'value="节水科普进社区"' in response.content.decode()
    assert database_state() == before


EXTENSION_DAYS = {
    "no such day": "2020-02-30",
    "words": "十月底",
    "before the deadline it extends": "2020-01-01",
    "the last year": "9999-12-31",
    "empty": "",
}


@pytest.mark.parametrize("case", EXTENSION_DAYS)
def test_bad_extension_days(case, time_machine):
    time_machine.move_to(REPORT_OPEN, tick=False)
    client, url, data, _ = FORMS["延期"].setup()
    before = database_state()
    response = client.post(url, {**data, "last_day": EXTENSION_DAYS[case]})
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode() or "alert-danger" in response.content.decode()
    assert "疫情" in response.content.decode()
    assert database_state() == before


CHOICES = {  # a form, a choice field → values nobody can pick on the page
    "活动填报": (
        "activity_type",
        "category",
        "province",
        "region",
        "supervisor_type",
        "supervisor",
        "is_public",
    ),
    "审核未通过": ("decision",),
    "延期": ("window",),
    "推荐给上级": ("kind",),
}
FORGED = ("", "'; --", "999999999", "-1", "<b>", "1.5", "\x00")


@pytest.mark.parametrize(
    ("form_name", "field_name", "value"),
    [(form, name, value) for form, names in CHOICES.items() for name in names for value in FORGED],
)
def test_forged_choices(form_name, field_name, value, time_machine):
    form = FORMS[form_name]
    time_machine.move_to(form.when, tick=False)
    client, url, data, _ = form.setup()
    before = database_state()
    response = _post(client, url, {**data, field_name: value}, form)
    assert response.status_code in (200, 302)
    if response.status_code == 302:  # taken only where an empty choice has a meaning
        assert value == "" and field_name in ("supervisor", "is_public"), response.url
    else:
        assert database_state() == before


# --- files ----------------------------------------------------------------------------------


def test_too_many_photos_are_refused_and_nothing_is_kept(time_machine):
    from tests.activities.conftest import image_file

    time_machine.move_to(REPORT_OPEN, tick=False)
    client, url, data, _ = supplement()
    before = database_state()
    photos = [image_file(f"{n}.png", size=(40, 30)) for n in range(10)]
    response = client.post(url, {**data, "photos": photos})
    assert "最多" in text_of(response) and "9" in text_of(response)
    assert "https://v.example.org/1" in response.content.decode()
    assert database_state() == before


# --- query strings: filters and lookups -------------------------------------------------------


QUERIES = {
    "/activities/": ("q", "category", "region", "province", "type", "sort", "page", "starts"),
    "/review/": ("q", "status", "region", "type", "category", "page", "sort", "unit", "waiting"),
    "/review/statistics/": ("unit", "campaign", "xlsx"),
    "/review/recommendations/": ("page", "kind"),
    "/directory/units/autocomplete/": ("q", "type", "region"),
    "/directory/": ("type", "region", "province"),
    "/messages/": ("page",),
    "/accounts/me/": ("tab", "page"),
    "/center/": ("page",),
}
QUERY_VALUES = [TEXT[name] for name in ("over-long", "NUL", "right-to-left override", "HTML", "SQL", "emoji")]
QUERY_VALUES += ["-1", "0", "99999999999999999999", "1e9", "１"]


@pytest.mark.parametrize("path", QUERIES)
def test_query_strings_never_fail(path, time_machine):
    time_machine.move_to(REPORT_OPEN, tick=False)
    make_activity(_organiser("保定市示范科技馆"), status="approved", owner_unit=_unit("河北省科协"))
    client = _client(_reviewer("河北省科协"))
    for name in QUERIES[path]:
        for value in QUERY_VALUES:
            response = client.get(path, {name: value})
            assert response.status_code in (200, 302, 400, 404), (name, value, response.status_code)
            assert HTML_TAG.encode() not in response.content, (name, value)


def test_the_stored_times_are_the_ones_typed(time_machine):
    """The happy path of the catalogue's report: what the other cases start from is taken."""
    from activities.models import Activity

    time_machine.move_to(REPORT_OPEN, tick=False)
    client, url, data, _ = report()()
    assert client.post(url, data).status_code == 302
    activity = Activity.objects.get()
    assert activity.status == "pending"
    assert activity.starts_at.astimezone(SHANGHAI).isoformat() == "2020-09-15T09:30:00+08:00"


# --- the rest of what is posted: forged lists, where to go next, passwords ------------------------


def test_forged_codes_in_bulk_approval_approve_only_what_may_be_decided(time_machine):
    from activities.models import Activity

    time_machine.move_to(REPORT_OPEN, tick=False)
    mine = make_activity(_organiser("保定市示范科技馆"), status="pending", owner_unit=_unit("河北省科协"))
    elsewhere = make_activity(_organiser("太原市科技馆"), status="pending", owner_unit=_unit("山西省科协"))
    codes = [mine.public_code, elsewhere.public_code, "\x00", "'; --", "x" * 5000, "１２３", *["zz"] * 500]
    response = _client(_reviewer("河北省科协")).post("/review/bulk-approve/", {"codes": codes})
    assert response.status_code == 302
    assert Activity.objects.get(pk=mine.pk).status == "approved"
    assert Activity.objects.get(pk=elsewhere.pk).status == "pending"


NEXT = [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example",
    "http:/evil.example",
    "javascript:alert(1)",
]


@pytest.mark.parametrize("target", NEXT)
def test_where_to_go_next_stays_on_the_site(target, time_machine):
    time_machine.move_to(REPORT_OPEN, tick=False)
    client, url, _, _ = FORMS["审核未通过"].setup()
    response = client.post(url, {"decision": "approve", "next": target})
    assert response.status_code == 302 and response.url == "/review/"
    user = UserFactory()
    response = Client().post(f"/accounts/login/?next={target}", {"phone": user.phone, "password": PASSWORD})
    assert response.status_code == 302 and response.url.startswith("/") and not response.url.startswith("//")


@pytest.mark.parametrize("name", ["empty", "over-long", "NUL", "emoji", "HTML", "SQL"])
def test_a_password_change_with_bad_input_changes_nothing(name):
    user = UserFactory()
    client = _client(user)
    value = TEXT[name]
    response = client.post(
        "/accounts/password/change/",
        {"old_password": value, "new_password1": value, "new_password2": value},
    )
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
