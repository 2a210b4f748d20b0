"""The API docs page (/api/v1/docs/) in Chromium: Swagger UI renders every operation under the strict CSP.

The page is drf-spectacular's SwaggerSplit view with our template (api/templates/api/docs.html):
Swagger UI's bundle and CSS from drf-spectacular-sidecar (our own static files), its settings as
a script file of its own (the split view's ``?script``), and what the stock page sets inline moved
to static/css/api-docs.css. So no override is needed: the page gets the site-wide policy
(``script-src 'self'; style-src 'self'``, no nonce, no hash, no 'unsafe-inline'), which this test
checks in the response. Swagger UI's React sets styles through the CSSOM, which the policy allows.

A violation fails the test three ways: the ``page`` fixture (a CSP console error or an uncaught
script error), a ``securitypolicyviolation`` listener installed before the page's own scripts,
and any console error at all. With ``SCREENSHOT_DIR`` set, the top of the page is saved as
api-docs.png (the whole page is 12,000 px of operations).
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OPERATIONS = 49  # as the schema lists them (tests/api/test_schemathesis.py runs each)
LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""


def directives(header: str) -> dict[str, str]:
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


def test_the_api_docs_render_every_operation_under_the_csp(page, live_server):
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.add_init_script(LISTEN)
    response = page.goto(f"{live_server.url}/api/v1/docs/")
    policy = directives(response.headers["content-security-policy"])
    assert policy["script-src"] == policy["style-src"] == "'self'"  # the site's, not loosened here

    expect(page.locator(".opblock-tag", has_text="认证")).to_be_visible()
    expect(page.locator(".opblock-summary-description", has_text="发布活动")).to_be_visible()
    expect(page.locator(".opblock")).to_have_count(OPERATIONS)
    if target := os.environ.get("SCREENSHOT_DIR"):
        page.set_viewport_size({"width": 1280, "height": 1400})
        Path(target).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(target) / "api-docs.png"))
    # An operation opens (more of Swagger UI's scripts run): its responses show.
    page.locator(".opblock-summary", has_text="发布活动").click()
    expect(page.locator(".opblock.is-open .responses-wrapper")).to_be_visible()

    assert page.evaluate("window.__violations") == []
    assert errors == []
