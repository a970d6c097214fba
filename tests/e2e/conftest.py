"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

Playwright's own browser download does not work on these machines, so the system
Chromium is used (CHROMIUM env var to point elsewhere). Without it the tests skip,
saying why. Screenshots go to var/e2e-artifacts/ (not committed).
"""

import os
import shutil
from pathlib import Path

import pytest
from django.test import Client

from tests.conftest import load_demo_club

# Playwright's sync API runs an event loop in this thread; the test itself still talks to
# the database synchronously (setting up data), which Django would otherwise refuse.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "e2e-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):  # CI installs it (.ci/run): a missing browser there is a failure
            pytest.fail(f"no Chromium at {CHROMIUM} in CI")
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install -y chromium)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# What the browser refused under the Content-Security-Policy during a test (every page of a
# watched context reports it on its console): the pages must work with the policy enforced.
_refused: list[str] = []


def watch(context):
    """Collect the context's Content-Security-Policy refusals for csp_enforced to check."""

    def on_console(message):
        if "Content Security Policy" in message.text:
            _refused.append(message.text)

    context.on("page", lambda page: page.on("console", on_console))
    return context


@pytest.fixture(autouse=True)
def csp_enforced():
    _refused.clear()
    yield
    assert _refused == [], "the page broke the Content-Security-Policy"


@pytest.fixture
def artifacts():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def logged_in(browser, live_server):
    """Make browser contexts carrying a session of a user (no login form to drive); they are
    closed after the test, so no keep-alive connection outlives it in the live server."""
    contexts = []

    def make(user, **options):
        client = Client()
        client.force_login(user)
        context = watch(browser.new_context(base_url=live_server.url, locale="nb-NO", **options))
        context.add_cookies(
            [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
        )
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def demo_club(transactional_db):
    """The demo club, committed: the live server's threads read it through their own
    connections (the shared, rolled-back copy of tests/conftest.py is for in-process tests)."""
    load_demo_club()
