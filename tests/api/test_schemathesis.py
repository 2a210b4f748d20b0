"""The API against its own OpenAPI schema, live: schemathesis sends what the schema allows and more.

The schema is read from the live server (``/api/v1/schema/``) as a client reads
it. Every operation gets schemathesis's examples, coverage and fuzzing phases
(valid and invalid input, its own probes of missing and forged tokens), built by
the same function its ``@schema.parametrize()`` uses, and sent anonymously and
with the bearer token of an organiser who owns the activities; the account's own
operations also as a member without 单位信息, 审核's also as a reviewer. Then a
few probes the generation does not make: a forged token, a NUL in the query, a
body of a type the API does not read, a conditional GET. No answer may be a 5xx,
and each must be one the schema documents: its status, its content type and its
body. The 科普中国 provider is configured (``provider``), as in production.

A world stands behind it, made anew for each operation (one may delete what the
next needs): an approved activity under way with comments, a draft, one waiting
for review, another organiser's, a message. Path parameters name real things two
times in three, so the run sees more than the 404 of a random code.

It is one test on purpose: its last check, that every status the schema documents
was answered in the run or is explained (``GENERIC``, ``NO_BODY``, ``EXPLAINED``),
needs the whole run, and pytest-xdist would put two tests on two workers. Each
operation and client is a subtest, so a failure names them. The run is
deterministic (``derandomize``, no example database; the same cases every run)
and bounded (``MAX_EXAMPLES``): about 1.5 minutes on SQLite, 2.5 on PostgreSQL
here. Its summary line is printed (``-s`` shows it) and recorded as the test's
``schemathesis`` property in the JUnit XML (.ci/junit.xml in CI).
"""

import re
import time
from collections import Counter, defaultdict
from datetime import datetime

import hypothesis
import pytest
import schemathesis
from hypothesis import strategies as st
from schemathesis.generation.feedback import FeedbackSources
from schemathesis.generation.meta import TestPhase
from schemathesis.pytest._test_builder import build_operation_test

from accounts import tokens
from activities.models import Activity
from directory.models import SupervisingUnit
from notifications.models import Message
from public import services as public_services
from reviews.models import ReviewerRole
from tests.factories import UserFactory, make_activity, make_organiser
from tests.support import SHANGHAI

pytestmark = pytest.mark.django_db(transaction=True)

# The 2020 campaign: reports open, the approved activity under way (打卡 open).
NOW = datetime(2020, 9, 15, 10, 0, tzinfo=SHANGHAI)
MAX_EXAMPLES = 12  # fuzzed cases per operation and client, besides the examples and coverage phases
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
)
CONFIG = {
    "generation": {
        "max-examples": MAX_EXAMPLES,
        "deterministic": True,
        "no-shrink": True,
        "database": "none",
    },
    "phases": {"stateful": {"enabled": False}},
    "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
    "request-timeout": 30,
}
SETTINGS = hypothesis.settings(deadline=None, suppress_health_check=list(hypothesis.HealthCheck))
WRITES = {"POST", "PUT", "PATCH", "DELETE"}

# Machine codes api.schema documents for every operation that the run does not provoke.
GENERIC = {
    "rate_limited": "the run lifts the per-minute limits, or every operation would answer only 429",
    "unavailable": "the database and the media disk stay up in the run (tests/test_unavailable.py)",
}
# Codes api.schema documents for every write that one without a request body never gives.
NO_BODY = {"invalid", "unsupported_media_type"}

# Why a documented status is not answered in the run (each is answered in the focused tests named).
SECRET = "needs a password or SMS code the run cannot know (tests/api/test_auth.py)"
FORM = "needs input the site's form accepts, rare in fuzzed values (tests/api/test_my_activities.py)"
WINDOW = "window_closed / window_not_open: the run's clock stands inside the 2020 windows (tests/api/test_my_activities.py)"
STATE = (
    "a state refusal (not_submitted, locked …): the fuzzed cases reach it only when they name the "
    "organiser's draft or an already supplemented activity (tests/api/test_my_activities.py)"
)
OVER = "the view's error_codes for its writes, documented on this method too; it never gives them"
EXPLAINED: dict[tuple[str, str], dict[str, str]] = {
    ("PUT", "/api/v1/activities/{code}/checkin/"): {"403": WINDOW},
    ("POST", "/api/v1/activities/{code}/comments/"): {
        "201": "needs text the site's checks accept, on a public activity (tests/api/test_public.py)"
    },
    **{
        (method, "/api/v1/activities/{code}/comments/{id}/hidden/"): {
            "403": "permission_denied: a signed-in reader who neither organises nor reviews the activity "
            "(tests/api/test_public.py)"
        }
        for method in ("PUT", "DELETE")
    },
    ("POST", "/api/v1/auth/password/reset/"): {"204": SECRET, "409": SECRET},
    ("POST", "/api/v1/auth/register/"): {"201": SECRET, "409": SECRET},
    ("POST", "/api/v1/auth/sms-code/"): {
        "409": "a phone of an existing account, never drawn (tests/api/test_auth.py)",
        "503": "sms_unavailable: the SMS service is up in the run (tests/api/test_auth.py)",
    },
    ("POST", "/api/v1/auth/token/"): {
        "200": SECRET,
        "403": "account_disabled: a disabled account's right password",
        "409": "phone_taken: a 科普中国 sign-in binding a taken phone, with its SMS code",
        "429": "login_locked: five failed logins of one registered phone (tests/api/test_auth.py)",
        "503": "sso_unavailable: the 科普中国 provider is up in the run (tests/api/test_auth.py)",
    },
    ("POST", "/api/v1/auth/token/refresh/"): {
        "200": "needs a refresh token, never handed to the generator (tests/api/test_auth.py)",
        "403": "account_disabled: a disabled account's refresh token",
    },
    ("GET", "/api/v1/directory/units/"): {
        "422": "documented for any query; the view clips its input, never refuses"
    },
    ("POST", "/api/v1/me/delete/"): {
        "204": SECRET,
        "403": "permission_denied: a reviewer's or an admin's account, with its password",
    },
    ("PUT", "/api/v1/me/organization/"): {
        "200": "needs 单位信息 the site's form accepts (tests/api/test_walk.py)",
        "404": "not_found: the view's for GET before 单位信息 is filled in; PUT fills it in",
    },
    ("POST", "/api/v1/me/password/"): {"200": SECRET},
    ("POST", "/api/v1/me/phone/"): {"200": SECRET, "409": SECRET},
    ("GET", "/api/v1/my/activities/"): {"403": OVER, "409": OVER},
    ("POST", "/api/v1/my/activities/"): {"201": FORM, "403": WINDOW},
    ("GET", "/api/v1/my/activities/{code}/"): {"403": OVER, "409": OVER, "422": OVER},
    ("PUT", "/api/v1/my/activities/{code}/"): {"200": FORM, "403": WINDOW},
    ("PATCH", "/api/v1/my/activities/{code}/"): {"200": FORM, "403": WINDOW},
    ("DELETE", "/api/v1/my/activities/{code}/"): {"403": OVER, "409": OVER, "422": OVER},
    ("POST", "/api/v1/my/activities/{code}/submit/"): {
        "403": WINDOW,
        "422": "incomplete: the run's draft is complete (tests/api/test_my_activities.py)",
    },
    ("POST", "/api/v1/my/activities/{code}/summary/"): {"200": FORM, "403": WINDOW},
    ("POST", "/api/v1/my/activities/{code}/supplement/"): {"200": FORM, "403": WINDOW, "409": STATE},
    ("POST", "/api/v1/my/activities/{code}/supplement/skip/"): {"403": WINDOW, "409": STATE},
}


def _people() -> dict:
    organiser = make_organiser()
    reviewer = UserFactory()
    ReviewerRole.objects.create(user=reviewer, unit=SupervisingUnit.objects.get(short_name="保定市科协"))
    stranger = make_organiser(name="另一个单位")
    return {"organiser": organiser, "stranger": stranger, "reviewer": reviewer, "member": UserFactory()}


def _things(people: dict) -> dict[tuple[str, ...], list[dict]]:
    """The organiser's activities in each state, a stranger's, comments by both, a message: the
    path parameters that name them, by the names of an operation's path parameters."""
    organiser, stranger = people["organiser"], people["stranger"]
    approved = make_activity(organiser, status=Activity.Status.APPROVED, decided_at=NOW)
    draft = make_activity(organiser, name="节水科普草稿")
    pending = make_activity(organiser, status=Activity.Status.PENDING, name="待审核的活动")
    others = make_activity(stranger, status=Activity.Status.APPROVED, name="别人的活动", decided_at=NOW)
    comments = [
        public_services.add_comment(user=organiser, activity=approved, text="很有意思"),
        public_services.add_comment(user=stranger, activity=approved, text="想参加"),
    ]
    message = Message.objects.create(
        recipient=organiser, kind="decision", key=f"k{approved.pk}", channel="site", title="审核结果", body=""
    )
    codes = [a.public_code for a in (approved, draft, pending, others)]
    return {
        ("code",): [{"code": code} for code in codes],
        ("code", "id"): [{"code": approved.public_code, "id": comment.pk} for comment in comments],
        ("code", "kind"): [{"code": code, "kind": kind} for code in codes for kind in ("png", "svg")],
        ("id",): [{"id": message.pk}],
    }


def _often_real(real: dict[tuple[str, ...], list[dict]]):
    """schemathesis's hook: path parameters as generated or, twice as often, naming real things."""

    def before_generate_path_parameters(context, strategy):
        def with_real(values):
            names = tuple(sorted(values)) if isinstance(values, dict) else ()
            if names not in real:
                return st.just(values)
            return st.sampled_from(real[names]).map(lambda chosen: {**values, **chosen})

        return st.one_of(strategy, strategy.flatmap(with_real), strategy.flatmap(with_real))

    return before_generate_path_parameters


def _clients(operation) -> tuple[str, ...]:
    """Anonymous and the organiser everywhere; a member (no 单位信息) on the account's own operations,
    a reviewer on 审核's."""
    if operation.path.startswith(("/api/v1/me/", "/api/v1/my/")):
        return ("anonymous", "organiser", "member")
    if operation.path.startswith("/api/v1/review/"):
        return ("anonymous", "organiser", "reviewer")
    return ("anonymous", "organiser")


def _authorize(case, token: str | None) -> None:
    """A client's token, or none at all; schemathesis's own probes of missing and forged tokens stay."""
    if token is None and case.meta is not None and case.meta.phase.name == TestPhase.COVERAGE:
        return
    for name in [name for name in case.headers or {} if name.lower() == "authorization"]:
        del case.headers[name]
    if token is not None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}


def _path_parameters(operation, real) -> dict:
    names = tuple(sorted(re.findall(r"{(\w+)}", operation.path)))
    return real[names][0] if names else {}


def _probes(operation, real, token: str) -> list:
    """Cases the generation does not make: a forged token, a NUL in the query, a body of a type the
    API does not read, a conditional GET (its ``If-None-Match`` is the ETag of the one before)."""
    path_parameters = _path_parameters(operation, real)
    probes = [
        operation.Case(path_parameters=path_parameters, headers={"Authorization": "Bearer kpa_forged"}),
        operation.Case(path_parameters=path_parameters, query={"q": "\x00"}),
    ]
    mine = {"Authorization": f"Bearer {token}"}
    if "requestBody" in operation.definition.raw:
        probes.append(
            operation.Case(path_parameters=path_parameters, headers=mine, body="x", media_type="text/plain")
        )
    if "304" in operation.definition.raw["responses"]:
        probes.append(operation.Case(path_parameters=path_parameters, headers=mine))
        probes.append(operation.Case(path_parameters=path_parameters, headers={**mine, "If-None-Match": ""}))
    return probes


def _header(response, name: str) -> str | None:
    return next((values[0] for key, values in response.headers.items() if key.lower() == name.lower()), None)


def _codes(operation, status: str) -> set[str]:
    """The machine codes api.schema names (as `code`) in a status's description."""
    return set(re.findall(r"`(\w+)`", operation.definition.raw["responses"][status].get("description", "")))


def _accounted(operation, observed: set[str]) -> dict[str, list[str]]:
    """Each documented status of ``operation``, as answered, generic, explained or left unexplained;
    and the explanations that are stale (the status is no longer documented)."""
    key = (operation.method.upper(), operation.path)
    responses = operation.definition.raw["responses"]
    generic = set(GENERIC) | (
        NO_BODY if key[0] in WRITES and "requestBody" not in operation.definition.raw else set()
    )
    explained = EXPLAINED.get(key, {})
    sorted_out = defaultdict(list)
    for status in responses:
        codes = _codes(operation, status)
        if status in observed:
            sorted_out["answered"].append(status)
        elif status in explained:
            sorted_out["explained"].append(status)
        elif codes and codes <= generic:
            sorted_out["generic"].append(status)
        else:
            sorted_out["unexplained"].append(f"{key[0]} {key[1]} {status} {sorted(codes)}")
    for status in explained:  # answered now and then is fine: the database's ids move what is drawn
        if status not in responses:
            sorted_out["stale"].append(f"{key[0]} {key[1]} {status}: {explained[status]}")
    return sorted_out


def test_the_live_api_holds_to_its_schema(
    live_server, provider, settings, time_machine, subtests, record_property
):
    settings.API_RATE_PER_ACCOUNT = settings.API_RATE_PER_ADDRESS = 1_000_000
    time_machine.move_to(NOW, tick=True)
    people = _people()
    real: dict[tuple[str, ...], list[dict]] = {}
    schema = schemathesis.openapi.from_url(
        f"{live_server.url}/api/v1/schema/", config=schemathesis.Config.from_dict(CONFIG)
    )
    schema.hook(_often_real(real))
    operations = [result.ok() for result in schema.get_all_operations()]

    observed: dict[tuple[str, str], set[str]] = defaultdict(set)
    failing: list[str] = []
    cases = Counter()
    started = time.monotonic()
    feedback = FeedbackSources()

    def checker(key, token):
        def check(case):
            _authorize(case, token)
            cases[key] += 1
            response = case.call_and_validate(base_url=live_server.url)
            if case.method.upper() == key[0]:  # not one of the coverage phase's unexpected methods
                observed[key].add(str(response.status_code))

        return check

    for operation in operations:
        key = (operation.method.upper(), operation.path)
        real.update(_things(people))
        for who in _clients(operation):
            token = None if who == "anonymous" else tokens.issue(people[who]).access
            test = build_operation_test(
                config=schema.config,
                operation=operation,
                test_func=checker(key, token),
                given_kwargs={},
                feedback=feedback,
                explicit_settings=SETTINGS,
            )
            with subtests.test(f"{operation.label} ({who})"):
                try:
                    test()
                except Exception:
                    failing.append(f"{operation.label} ({who})")
                    raise
        with subtests.test(f"{operation.label} (probes)"):
            etag = None
            for case in _probes(operation, real, tokens.issue(people["organiser"]).access):
                if "If-None-Match" in case.headers:
                    case.headers["If-None-Match"] = etag or ""
                cases[key] += 1
                try:
                    response = case.call_and_validate(base_url=live_server.url)
                except Exception:
                    failing.append(f"{operation.label} (probes)")
                    raise
                observed[key].add(str(response.status_code))
                etag = _header(response, "ETag")

    accounted = defaultdict(list)
    for operation in operations:
        for kind, items in _accounted(
            operation, observed[(operation.method.upper(), operation.path)]
        ).items():
            accounted[kind].extend(items)
    summary = (
        f"schemathesis {schemathesis.__version__}: {len(operations)} operations, {sum(cases.values())} cases, "
        f"{len(failing)} failing; documented statuses: {len(accounted['answered'])} answered, "
        f"{len(accounted['explained']) + len(accounted['generic'])} explained, "
        f"{len(accounted['unexplained'])} unexplained; {time.monotonic() - started:.0f}s"
    )
    print(summary)
    record_property("schemathesis", summary)

    with subtests.test("every documented status was answered or is explained"):
        assert accounted["unexplained"] == [], "\n".join(accounted["unexplained"])
        assert accounted["stale"] == [], "stale explanations:\n" + "\n".join(accounted["stale"])
