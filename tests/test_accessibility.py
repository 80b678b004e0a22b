"""Accessibility of the main pages in a real browser, and keyboard-only use.

axe-core (the engine behind most accessibility checkers; bundled by axe-playwright-python) runs
the WCAG 2.0/2.1 A and AA rules — form labels, heading order, colour contrast, landmarks, link
names, ARIA — on every main page, signed in as the person who would use it, with a case that
has analyses, a decision and every section filled. Any violation fails, naming the rule and
the elements. A keyboard-only walk then signs in, reaches a case and files an analysis with
Tab, Shift+Tab, Enter and Space alone, checking that focus is always visible.

Screenshots of each page go to ``test-artifacts/`` (git-ignored).
"""

from __future__ import annotations

import pytest
from browser_kit import shot, sign_in
from conftest import analysis_body, open_case, set_password
from playwright.sync_api import Page, expect

try:
    from axe_playwright_python.sync_playwright import Axe
except ImportError:  # pragma: no cover - the test extra installs it
    Axe = None

pytestmark = pytest.mark.browser
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


@pytest.fixture
def history(app, api, feeds, runner) -> dict:
    """A decided case, an open case, and a flagged alert reported by two feeds: every page has
    something to show."""
    from feedserver import rss

    story = {
        "title": "Regulator orders ISPs to block messaging apps during protests",
        "description": "A shutdown order under the telecoms law.", "guid": "a11y-1",
        "link": "https://news.example/2026/block-messaging-apps",
    }  # fmt: skip
    copy = dict(story, guid="a11y-2", link=f"{story['link']}?utm_source=rss")
    for key, title, entry in (("a11y", "Laws", story), ("wire", "Wire", copy)):
        url = feeds.serve(f"/{key}.xml", rss([entry]))
        body = {"key": key, "title": title, "url": url}
        assert api("admin").post("/sources", json=body).status_code == 201
        assert runner.invoke(["poll", "--source", key]).exit_code == 0
    decided = open_case(api, title="Order to remove 40 posts criticising the governor")
    body = analysis_body(app, decided, "legal")
    assert api("legal").post(f"/cases/{decided['ref']}/analyses", json=body).status_code == 201
    choice = {"option": "comply-narrowly", "rationale": "Narrowly, in TR only.", "override": True}
    assert api("exec").post(f"/cases/{decided['ref']}/decision", json=choice).status_code == 201
    pending = open_case(api, title="Data localisation bill, second reading")
    return {"decided": decided["ref"], "open": pending["ref"]}


def pages(refs: dict) -> dict[str, list[tuple[str, str]]]:
    """Who looks at which page: person -> [(name, path)]."""
    decided, pending = refs["decided"], refs["open"]
    return {
        "triager": [
            ("my-work", "/"),
            ("triage", "/triage"),
            ("cases", "/cases"),
            ("new-case", "/cases/new"),
            ("case-decided", f"/cases/{decided}"),
            ("search", "/search?q=posts+governor"),
            ("reports", "/reports"),
            ("organisations", "/organisations"),
        ],
        "legal": [("analysis-form", f"/cases/{pending}/analysis/legal")],
        "rights": [("assessment-form", f"/cases/{decided}/assessment")],
        "exec": [("decision-form", f"/cases/{pending}/decision")],
        "admin": [
            ("audit", "/admin/audit"),
            ("notices", "/admin/notices"),
            ("sources", "/sources"),
        ],
    }


def test_main_pages_pass_axe(app, people, backend, history, live_server, page: Page):
    if Axe is None:
        pytest.fail("axe-playwright-python is not installed (the test extra installs it)")
    axe, failures = Axe(), []
    anonymous = page.goto("/login")
    assert anonymous and anonymous.ok
    failures += _violations(axe, page, "login")
    for person, visits in pages(history).items():
        sign_in(page, people[person].email, set_password(app, people[person].email))
        for name, path in visits:
            response = page.goto(path)
            assert response and response.status == 200, (path, response and response.status)
            shot(page, backend["name"], name, "page")
            failures += _violations(axe, page, name)
        page.get_by_role("button", name="Sign out").click()
    assert not failures, "\n".join(failures)


def _violations(axe, page: Page, name: str) -> list[str]:  # noqa: ANN001
    results = axe.run(page, options=WCAG)
    out = []
    for violation in results.response["violations"]:
        targets = [", ".join(node["target"]) for node in violation["nodes"]][:5]
        out.append(f"{name}: {violation['id']} ({violation['impact']}): {targets}")
    return out


def _focus_is_visible(page: Page) -> bool:
    return page.evaluate(
        """() => {
          const el = document.activeElement;
          if (!el || el === document.body) return false;
          const style = getComputedStyle(el);
          return style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
        }"""
    )


def _tab_to(page: Page, accessible_name: str, limit: int = 60) -> None:
    """Press Tab until the focused element is named ``accessible_name``."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        label = page.evaluate(
            """() => { const el = document.activeElement;
                 return (el.getAttribute('aria-label') || el.labels?.[0]?.innerText
                         || el.innerText || el.value || '').trim(); }"""
        )
        if label.startswith(accessible_name):
            assert _focus_is_visible(page), f"focus on {accessible_name!r} is not visible"
            return
    raise AssertionError(f"{accessible_name!r} not reachable with Tab in {limit} presses")


def test_keyboard_only_sign_in_reach_a_case_and_file(app, people, history, live_server, page):
    email = people["legal"].email
    password = set_password(app, email)
    page.goto("/login")
    page.keyboard.press("Tab")  # the first stop is the skip link, and it shows itself
    assert page.evaluate("document.activeElement.innerText") == "Skip to content"
    assert _focus_is_visible(page)
    _tab_to(page, "Email")
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="My work", level=1)).to_be_visible()

    _tab_to(page, history["open"])  # the analysis owed, listed on My work
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/cases/{history['open']}")
    expect(
        page.get_by_role("heading", name="Data localisation bill, second reading")
    ).to_be_visible()
    _tab_to(page, "File analysis")
    page.keyboard.press("Enter")
    page.wait_for_url("**/analysis/legal")
    expect(page.get_by_role("heading", level=1)).to_contain_text("analysis")
    legal = app.extensions["incident_hub.playbooks"].get("content-takedown").function("legal")
    for question in (q for q in legal.questions if q.required):  # else the filing is a draft
        _tab_to(page, question.text)
        page.keyboard.type("Answered with the keyboard alone.")
    _tab_to(page, "Analysis")  # skips past the other questions, typing into the main field
    page.keyboard.type("Filed with the keyboard alone.")
    _tab_to(page, "Comply narrowly")
    page.keyboard.press("Space")
    _tab_to(page, "File analysis")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text("Legal / product counsel analysis filed.")
