"""Every main page at phone width (390×844) and on a laptop (1366×900): no horizontal scrolling
of the page itself (a wide table may scroll inside its own box), axe-core clean, a screenshot of
each under ``test-artifacts/<page>-<width>.png``. Each page is seen by someone who uses it (the
admin for the admin pages), on a history where every page has something to show, including a
case whose title is one very long word.
"""

from __future__ import annotations

import pytest
from browser_kit import ARTIFACTS, sign_in
from conftest import open_case, set_password
from playwright.sync_api import Page
from test_accessibility import WCAG, _violations, history  # noqa: F401  (history: a fixture)

try:
    from axe_playwright_python.sync_playwright import Axe
except ImportError:  # pragma: no cover - the test extra installs it
    Axe = None

pytestmark = pytest.mark.browser
SIZES = [(390, 844), (1366, 900)]


# name, who looks (None: nobody signed in), path ({decided}/{open}: the history's cases)
PAGES = [
    pytest.param("login", None, "/login", id="login"),
    pytest.param("my-work", "legal", "/", id="my-work"),
    pytest.param("cases", "legal", "/cases", id="cases"),
    pytest.param("new-case", "triager", "/cases/new", id="new-case"),
    pytest.param("search", "legal", "/search?q=posts+governor", id="search"),
    pytest.param("reports", "exec", "/reports", id="reports"),
    pytest.param("organisations", "rights", "/organisations", id="organisations"),
    pytest.param("notices", "admin", "/admin/notices", id="notices"),
    pytest.param("audit", "admin", "/admin/audit", id="audit"),
    pytest.param("sessions", "legal", "/sessions", id="sessions"),
    pytest.param("account-tokens", "legal", "/account/tokens", id="account-tokens"),
    pytest.param("account-password", "legal", "/account/password", id="account-password"),
    pytest.param("sources", "admin", "/sources", id="sources"),
    # The case page and triage are laid out by their own owners; these rules keep them fitting.
    pytest.param("case", "legal", "/cases/{decided}", id="case"),
    pytest.param("triage", "triager", "/triage", id="triage"),
]


@pytest.fixture
def scene(app, api, people, history) -> dict:  # noqa: F811  (history: the imported fixture)
    """The accessibility history, plus what makes rows wide: a case titled by one long word,
    followed by the legal lead so it shows on My work too."""
    long = open_case(api, title="Telecommunications" * 8 + " order")
    assert api("legal").post(f"/cases/{long['ref']}/follow").status_code == 200
    return history


def _fits(page: Page) -> tuple[int, int]:
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


def _sticking_out(page: Page) -> list[str]:
    """The innermost elements whose right edge is past the window (to say what to fix)."""
    return page.evaluate(
        """() => {
          const out = el => el.getBoundingClientRect().right > window.innerWidth + 1;
          return [...document.querySelectorAll('body *')]
          .filter(el => out(el) && ![...el.children].some(out))
          .slice(0, 5)
          .map(el => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')}#${el.id}`
                     + ` (${Math.round(el.getBoundingClientRect().right)} px)`);
        }"""
    )


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}" for w, _ in SIZES])
@pytest.mark.parametrize(("name", "person", "path"), PAGES)
def test_main_page_fits_the_screen_and_passes_axe(
    app, people, scene, page: Page, name, person, path, size
):
    if Axe is None:
        pytest.fail("axe-playwright-python is not installed (the test extra installs it)")
    width, height = size
    page.set_viewport_size({"width": width, "height": height})
    if person is not None:
        sign_in(page, people[person].email, set_password(app, people[person].email))
    response = page.goto(path.format(**scene))
    assert response and response.status == 200, (path, response and response.status)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
    scroll_width, inner_width = _fits(page)
    assert scroll_width <= inner_width, (
        f"{name} is {scroll_width} px wide at {inner_width} px: {_sticking_out(page)}"
    )
    failures = _violations(Axe(), page, f"{name}-{width}")
    assert not failures, "\n".join(failures)
