"""What the browser tests share: Debian's Chromium under Playwright, a live server of the app on
127.0.0.1, and the helpers a user's actions are written with.

Without /usr/bin/chromium the browser tests are skipped, unless INCIDENT_HUB_REQUIRE_BROWSER=1
(CI), in which case they fail. Screenshots go to ``test-artifacts/`` (git-ignored).
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import ROOT, Person
from werkzeug.serving import make_server

try:
    from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright
except ImportError:  # pragma: no cover - the test extra installs it
    sync_playwright = None

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = ROOT / "test-artifacts"
TIMEOUT_MS = 10_000


def _unavailable(reason: str) -> None:
    if os.environ.get("INCIDENT_HUB_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason}, and INCIDENT_HUB_REQUIRE_BROWSER=1 requires the browser test")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    """Debian's Chromium, headless, launched once for the module."""
    if sync_playwright is None:
        _unavailable("the Python 'playwright' package is not installed")
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        _unavailable(f"{CHROMIUM} is missing (install Debian's chromium package)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def live_server(app) -> Iterator[str]:
    """The app served on a free loopback port; each request gets its own app context."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture
def page(chromium, live_server) -> Iterator[Page]:
    """A fresh browser context (no cookies) on the live server; closed before the server stops."""
    context = chromium.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


# --- helpers: what a user does --------------------------------------------------------------


def sign_in(page: Page, email: str, password: str) -> None:
    page.goto("/login")
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="My work", level=1)).to_be_visible()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("You are signed out.")


def case_status(page: Page) -> Locator:
    """The status badge next to the reference at the top of the case page."""
    return page.locator("header.case-head .ref .badge")


def literal(text: str) -> str:
    """``text`` as a regex Playwright's selector engine accepts: it sends patterns as
    ``/source/``, so an unescaped slash (``re.escape`` leaves it) would end the pattern."""
    return re.sub(r"([.*+?^${}()|\[\]\\/])", r"\\\1", text)


def starts_with(text: str) -> re.Pattern[str]:
    return re.compile(rf"^{literal(text)}\b")


def table_row(scope: Locator, title: str) -> Locator:
    """The row of a table whose first cell is the function ``title`` (maybe "(advisory)")."""
    name = re.compile(rf"^{literal(title)}( \(advisory\))?$")
    return scope.get_by_role("row").filter(has=scope.page.get_by_role("cell", name=name))


def shot(page: Page, backend: str, name: str, prefix: str = "browser-flow") -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{prefix}-{backend}-{name}.png"), full_page=True)


def file_through_api(base_url: str, person: Person, ref: str, body: dict) -> dict:
    response = httpx.post(
        f"{base_url}/api/v1/cases/{ref}/analyses",
        json=body,
        headers=person.headers,
        timeout=10,
        trust_env=False,  # loopback only, never through a proxy
    )
    assert response.status_code == 201, response.text
    return response.json()
