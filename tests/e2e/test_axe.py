"""axe-core on every page of the site, for every role that may see it (issue 21).

The pages are the GET rows of the permission matrix that answer 200 for the approved
activity's world (tests/hardening/matrix.py); each role opens its own in Chromium, in one
browser context, and axe-core (judges/node_modules, pinned in judges/package-lock.json and
installed by scripts/test.sh) checks each as it loaded. Any violation of impact serious or
critical fails, and so does a heading that skips a level (``heading-order``: axe rates it
moderate, the issue asks for headings in order); the failure lists page, role, rule and the
elements. axe's script is evaluated in the page through the DevTools protocol: a
``<script>`` tag would be refused by our Content-Security-Policy.

axe measures each control as it rests. The main pages' controls are measured again hovered,
focused and pressed (states forced through the DevTools protocol), and their disabled
controls, which axe leaves out, by the same WCAG formula here: 4.5:1 in every state.
"""

import json
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.e2e.test_csp_every_page import NOT_PAGES, log_in
from tests.hardening.matrix import ROLES, url_names, url_of, world
from tests.hardening.test_permission_matrix import EXPECTED
from tests.support import require

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[2] / "judges" / "node_modules" / "axe-core" / "axe.min.js"
GATED_IMPACTS = {"serious", "critical"}
GATED_RULES = {"heading-order"}
# axe's own rule sets: WCAG 2.0/2.1 A and AA, and its best practices (heading order among them).
RUN_ONLY = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def pages_for(role: str) -> list[str]:
    """The URL names of the pages ``role`` may open (200 to a GET in the approved world)."""
    index = ROLES.index(role)
    return sorted(
        name
        for (name, method), answers in EXPECTED.items()
        if method == "GET" and answers["approved"][index] == "o" and name not in NOT_PAGES
    )


@pytest.fixture(scope="module")
def axe_source() -> str:
    require(
        AXE.exists(),
        f"axe-core is not installed at {AXE.relative_to(AXE.parents[3])}: "
        "run `scripts/judges.sh --install` (scripts/test.sh does so; it needs npm)",
    )
    return AXE.read_text()


def gated(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v["impact"] in GATED_IMPACTS or v["id"] in GATED_RULES]


def run_axe(page, source: str) -> list[dict]:
    """axe-core's violations on the page as it stands."""
    page.evaluate(source)
    return page.evaluate("options => axe.run(document, options).then(result => result.violations)", {
        "runOnly": {"type": "tag", "values": RUN_ONLY},
        "resultTypes": ["violations"],
    })  # fmt: skip


def describe(name: str, url: str, role: str, violation: dict) -> str:
    targets = "; ".join(" ".join(map(str, node["target"])) for node in violation["nodes"][:8])
    more = len(violation["nodes"]) - 8
    return (
        f"{name} {url} as {role}: {violation['id']} ({violation['impact']}) on {targets}"
        + (f" and {more} more" if more > 0 else "")
        + f" — {violation['help']}"
    )


@pytest.mark.parametrize("role", ROLES)
def test_no_serious_axe_violation_on_any_page(page, live_server, role, axe_source):
    page.emulate_media(reduced_motion="reduce")  # colours measured as they settle, not mid-fade
    here = world("approved", export=True)
    if role != "visitor":
        log_in(page.context, live_server, here["users"][role])
    patterns = url_names()
    found, opened = [], []
    for name in pages_for(role):
        url = url_of(name, patterns[name], here["args"], here["message"])
        response = page.goto(live_server.url + url)
        assert response.status == 200, (name, role, response.status)
        if not response.headers["content-type"].startswith("text/html"):
            continue  # a progress bar's JSON, not a page
        page.wait_for_load_state("load")
        found += [describe(name, url, role, v) for v in gated(run_axe(page, axe_source))]
        opened.append(name)
    assert len(opened) >= 5, opened
    assert found == [], "\n" + "\n".join(found)


# The pages whose controls are measured in each state, by who opens them.
STATE_PAGES = {
    "visitor": ("home", "public:list", "public:activity", "accounts:login", "accounts:register"),
    "user": ("public:activity", "public:personal_center"),
    "owner": ("activities:user_center", "notifications:inbox", "organizations:detail"),
    "decider": ("reviews:queue", "reviews:activity", "reviews:statistics"),
}
CONTROLS = "a, button, .btn, .page-link, .nav-link, .list-group-item-action, input, select, textarea"
STATES = (["hover"], ["focus", "focus-visible"], ["active"])
DISABLED = (".btn:disabled, .btn.disabled, .page-item.disabled .page-link, .nav-link.disabled, "
            ".form-control:disabled, .form-select:disabled, .form-check-input:disabled ~ .form-check-label")  # fmt: skip

# WCAG 2.1's contrast ratio of each disabled control's text (and what is inside it) against what
# shows behind it: backgrounds and opacity composed from the page down to the element.
DISABLED_CONTRAST = """selector => {
  const rgba = (text) => {
    const parts = (text.match(/rgba?\\(([^)]*)\\)/) || [, "0 0 0 0"])[1].split(/[\\s,\\/]+/).filter(Boolean);
    return [0, 1, 2].map((i) => Number(parts[i])).concat(parts.length > 3 ? Number(parts[3]) : 1);
  };
  const over = (top, alpha, under) => [0, 1, 2].map((i) => top[i] * alpha + under[i] * (1 - alpha));
  const luminance = (rgb) => {
    const [r, g, b] = rgb.map((v) => { v /= 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (a, b) => {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  const measure = (element) => {
    const chain = [];
    for (let node = element; node; node = node.parentElement) chain.unshift(node);
    let back = [255, 255, 255], opacity = 1;
    for (const node of chain) {
      const style = getComputedStyle(node);
      opacity *= Number(style.opacity);
      const colour = rgba(style.backgroundColor);
      if (colour[3] > 0) back = over(colour, colour[3] * opacity, back);
    }
    const text = rgba(getComputedStyle(element).color);
    return ratio(over(text, text[3] * opacity, back), back);
  };
  const ownText = (node) => [...node.childNodes].some((child) => child.nodeType === 3 && child.textContent.trim());
  const found = [];
  for (const control of document.querySelectorAll(selector)) {
    if (!control.getClientRects().length) continue;
    for (const node of [control, ...control.querySelectorAll("*")]) {
      if (!ownText(node)) continue;
      const value = measure(node);
      if (value < 4.5) found.push(`${node.tagName.toLowerCase()}.${[...node.classList].join(".")} “${node.textContent.trim().slice(0, 20)}” ${value.toFixed(2)}:1`);
    }
  }
  return found;
}"""


def force(cdp, node: int, state: list[str]) -> bool:
    """Force ``state`` on a control; False when the page's script has replaced it meanwhile (the
    reader's header filled in from /a/<code>/me): its replacement is judged in its own state by axe."""
    try:
        cdp.send("CSS.forcePseudoState", {"nodeId": node, "forcedPseudoClasses": state})
    except PlaywrightError as error:
        if "Could not find node" not in str(error):
            raise
        return False
    return True


def contrast_in_each_state(page, source: str) -> list[str]:
    """color-contrast violations with every control hovered, then focused, then pressed."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    controls = cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": CONTROLS})["nodeIds"]
    page.evaluate(source)
    found = []
    for state in STATES:
        controls = [node for node in controls if force(cdp, node, state)]
        violations = page.evaluate(
            "options => axe.run(document, options).then(result => result.violations)",
            {"runOnly": {"type": "rule", "values": ["color-contrast"]}, "resultTypes": ["violations"]},
        )
        found += [
            f":{state[0]} {' '.join(map(str, node['target']))}: {node['any'][0]['message'] if node['any'] else ''}"
            for violation in violations
            for node in violation["nodes"]
        ]
    for node in controls:
        force(cdp, node, [])
    cdp.detach()
    return found


@pytest.mark.parametrize("role", sorted(STATE_PAGES))
def test_controls_keep_their_contrast_in_every_state(page, live_server, role, axe_source):
    page.emulate_media(reduced_motion="reduce")
    here = world("approved", export=True)
    if role != "visitor":
        log_in(page.context, live_server, here["users"][role])
    patterns = url_names()
    found, disabled = [], 0
    for name in STATE_PAGES[role]:
        url = url_of(name, patterns[name], here["args"], here["message"])
        assert page.goto(live_server.url + url).status == 200, (name, role)
        page.wait_for_load_state("networkidle")  # the page's own script has filled it in
        found += [f"{name} as {role} {problem}" for problem in contrast_in_each_state(page, axe_source)]
        found += [
            f"{name} as {role} disabled {problem}" for problem in page.evaluate(DISABLED_CONTRAST, DISABLED)
        ]
        disabled += page.locator(DISABLED).count()
    if role == "visitor":
        assert disabled > 0  # 打卡 on the activity page, its check-in closed: the disabled look is measured
    assert found == [], "\n" + "\n".join(found)


def test_the_disabled_measure_sees_faded_text(page, live_server):
    """Bootstrap's own disabled button (faded to 65 %) is below 4.5:1 by this measure; ours is not."""
    page.goto(live_server.url + "/agreement/")
    page.evaluate("""() => {
        document.querySelector("main").insertAdjacentHTML("beforeend",
            '<button id="ours" class="btn btn-primary" disabled>提交</button><button id="faded" class="btn btn-primary" disabled>提交</button>');
        document.getElementById("faded").style.opacity = "0.65";
        document.getElementById("faded").style.backgroundColor = "#0d6efd";
        document.getElementById("faded").style.color = "#fff";
    }""")  # fmt: skip
    assert page.evaluate(DISABLED_CONTRAST, "#ours") == []
    (faded,) = page.evaluate(DISABLED_CONTRAST, "#faded")
    assert faded.startswith("button.btn.btn-primary “提交” ")
    assert float(faded.split(" ")[-1].removesuffix(":1")) < 4.5


def test_axe_finds_what_it_should(page, live_server, axe_source):
    """The check itself: light grey text on white and a skipped heading level are caught."""
    page.goto(live_server.url + "/agreement/")
    page.evaluate("""() => {
        const main = document.querySelector("main");
        main.insertAdjacentHTML("beforeend", '<h5 id="skipped">跳级标题</h5><p id="faint">看不清的字</p>');
        document.getElementById("faint").style.color = "#bbbbbb";
    }""")  # fmt: skip
    ids = {
        (v["id"], json.dumps(node["target"])) for v in gated(run_axe(page, axe_source)) for node in v["nodes"]
    }
    assert ("color-contrast", '["#faint"]') in ids
    assert ("heading-order", '["#skipped"]') in ids
