"""Playwright against the live server, in Debian's Chromium.

A missing browser fails every browser test with the way to install it; it is
never skipped. Any Content-Security-Policy violation fails the test.
"""

import os
from pathlib import Path

import pytest

from tests.factories import PASSWORD

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium is not at {CHROMIUM}. Install it with `sudo apt-get install -y chromium` "
            "(scripts/test.sh does so), or point CHROMIUM_PATH at a Chromium binary."
        )
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


@pytest.fixture
def page(page):
    """The page, failing the test on any CSP violation or uncaught script error."""
    problems = []
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    page.set_default_timeout(10_000)
    yield page
    assert problems == []


@pytest.fixture
def screenshot(page):
    """Save a screenshot under $SCREENSHOT_DIR (docs/screenshots when taking them for the docs)."""
    target = os.environ.get("SCREENSHOT_DIR")

    def take(name):
        if target:
            Path(target).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(target) / f"{name}.png"), full_page=True)

    return take


def log_in(page, live_server, phone, path="/"):
    """Sign in through the login form as ``phone`` (the factories' password), then go to ``path``."""
    page.goto(f"{live_server.url}/accounts/login/?next={path}")
    page.get_by_label("手机号码").fill(phone)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
