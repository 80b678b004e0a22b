"""The main flow in a real browser: triager opens a case → two leads file → executive decides.

Debian's Chromium, driven by Playwright, clicks and types against a live server of the app on
127.0.0.1 (a werkzeug server in a background thread, bound to the per-test database of the
``app`` fixture, so the test runs once per backend). The content-takedown playbook has five
required functions; Legal and Human rights file through the browser, the other three file
through the JSON API of the same live server (as their leads' tooling would), so the last
browser filing moves the case to "Awaiting decision" on its own.

Screenshots of the main pages go to ``test-artifacts/`` (git-ignored).

Without /usr/bin/chromium the test is skipped, unless INCIDENT_HUB_REQUIRE_BROWSER=1 (CI), in
which case it fails.
"""

from __future__ import annotations

import re

import pytest
from browser_kit import (
    ARTIFACTS,
    case_status,
    file_through_api,
    shot,
    sign_in,
    sign_out,
    starts_with,
    table_row,
)
from conftest import Person, analysis_body, lead_for, set_password
from playwright.sync_api import Page, expect

PLAYBOOK = "content-takedown"
TITLE = "Order to remove 40 posts criticising the governor"
# Who files what in the browser, and what each recommends (function key, person, option title).
BROWSER_LEADS = [
    ("legal", "legal", "Comply narrowly"),
    ("human-rights", "rights", "Challenge in court"),
]

pytestmark = pytest.mark.browser


# --- the test -------------------------------------------------------------------------------


def test_triager_opens_two_leads_file_and_the_executive_decides(
    app, people, backend, live_server, page
):
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"browser-flow-{backend['name']}-failure.png").unlink(missing_ok=True)
    try:
        _walk_the_flow(app, people, backend["name"], live_server, page)
    except Exception:
        shot(page, backend["name"], "failure")
        raise


def _walk_the_flow(app, people: dict[str, Person], backend: str, base_url: str, page: Page):
    playbook = app.extensions["incident_hub.playbooks"].get(PLAYBOOK)
    titles = app.extensions["incident_hub.playbooks"].function_title
    passwords = {name: set_password(app, people[name].email) for name in
                 ("triager", "legal", "rights", "exec")}  # fmt: skip

    # 1. The triager opens the case from the "New case" form.
    sign_in(page, people["triager"].email, passwords["triager"])
    page.get_by_role("navigation", name="Main").get_by_role("link", name="New case").click()
    expect(page.get_by_role("heading", name="Open a case", level=1)).to_be_visible()
    page.get_by_label("Title", exact=True).fill(TITLE)
    page.get_by_label("Playbook", exact=True).select_option(value=PLAYBOOK)
    page.get_by_label("Jurisdiction").fill("TR")
    page.get_by_role("button", name="Open case").click()

    expect(page).to_have_url(re.compile(r"/cases/INC-\d{4}-\d{4}$"))
    ref = page.url.rsplit("/", 1)[-1]
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    expect(page.locator("header.case-head .ref")).to_contain_text(ref)
    expect(case_status(page)).to_have_text("Status: Open")
    expect(page.get_by_role("status")).to_contain_text(f"{ref} opened")
    functions = page.get_by_role("region", name="Functions")
    for function in playbook.functions:
        expect(table_row(functions, titles(function.key))).to_contain_text("Pending")
    shot(page, backend, "1-case-opened")
    sign_out(page)

    # The required functions not filed in the browser file through the live server's API.
    in_browser = {key for key, _, _ in BROWSER_LEADS}
    others = [f.key for f in playbook.functions if f.required and f.key not in in_browser]
    assert others, "the playbook should have required functions beyond the browser's two"
    case = {"ref": ref, "playbook": PLAYBOOK}
    for function in others:
        filed = file_through_api(base_url, people[lead_for(function)], ref,
                                 analysis_body(app, case, function))  # fmt: skip
        assert filed["status"] == "open", "two required functions are still pending"

    # 2. Two leads file through the browser, each from the case page.
    for index, (function, name, option) in enumerate(BROWSER_LEADS):
        title = titles(function)
        sign_in(page, people[name].email, passwords[name])
        owed = page.get_by_role("main").get_by_role("row").filter(has_text=f"Analysis: {title}")
        expect(owed).to_contain_text(ref)
        owed.get_by_role("link", name=ref, exact=True).click()
        expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
        functions = page.get_by_role("region", name="Functions")
        table_row(functions, title).get_by_role("link", name=f"File analysis for {title}").click()

        expect(page.get_by_role("heading", name=f"{title} analysis", level=1)).to_be_visible()
        # the first question, and every required one (one left open keeps the filing a draft)
        question, *rest = playbook.function(function).questions
        for asked in [question, *(q for q in rest if q.required)]:
            page.get_by_label(asked.text, exact=True).fill(f"{title}: answer on {asked.key}.")
        page.get_by_label("Analysis", exact=True).fill(f"{title} view: recommend {option}.")
        page.get_by_role("radio", name=starts_with(option)).check()
        shot(page, backend, f"2-analysis-form-{function}")
        page.get_by_role("button", name="File analysis").click()

        expect(page.get_by_role("status")).to_have_text(f"{title} analysis filed.")
        functions = page.get_by_role("region", name="Functions")
        expect(table_row(functions, title)).to_contain_text("Filed")
        card = page.get_by_role("region", name="Recommendations side by side").get_by_role(
            "article", name=title
        )
        expect(card).to_contain_text(f"Recommends: {option}")
        expect(card).to_contain_text(f"{title}: answer on {question.key}.")
        last = index == len(BROWSER_LEADS) - 1
        expect(case_status(page)).to_have_text(
            "Status: Awaiting decision" if last else "Status: Open"
        )
        shot(page, backend, f"3-case-after-{function}")
        sign_out(page)

    # 3. The executive finds the case on My work, compares the recommendations and decides.
    sign_in(page, people["exec"].email, passwords["exec"])
    awaiting = page.get_by_role("main").get_by_role("row").filter(has_text=ref)
    expect(awaiting.filter(has_text="Decision")).to_contain_text("Record decision")
    awaiting.get_by_role("link", name=ref, exact=True).click()
    expect(case_status(page)).to_have_text("Status: Awaiting decision")
    page.get_by_role("region", name="Decision").get_by_role("link", name="Record decision").click()

    expect(page.get_by_role("heading", name="Record the decision", level=1)).to_be_visible()
    recommendations = page.get_by_role("region", name="What the functions recommend")
    for function, _, option in BROWSER_LEADS:
        row = table_row(recommendations, titles(function))
        expect(row.get_by_role("cell").nth(1)).to_have_text(option)
        expect(row.get_by_role("cell").nth(2)).to_contain_text(f"recommend {option}.")
    expect(page.get_by_label("Decide now, before every function has filed")).to_have_count(0)
    decided_option = BROWSER_LEADS[1][2]
    page.get_by_role("radio", name=starts_with(decided_option)).check()
    rationale = "The order is overbroad and lacks a legal basis; we challenge it in court."
    page.get_by_label("Rationale", exact=True).fill(rationale)
    shot(page, backend, "4-decision-form")
    page.get_by_role("button", name="Record decision").click()

    expect(page.get_by_role("status")).to_have_text(f"Decision recorded on {ref}.")
    expect(case_status(page)).to_have_text("Status: Decided")
    decision = page.get_by_role("region", name="Decision")
    expect(decision).to_contain_text(decided_option)
    expect(decision).to_contain_text("decided by Exec")
    expect(decision).to_contain_text(rationale)

    entries = page.get_by_role("region", name="Timeline").get_by_role("listitem")
    expected = [
        "Triager case opened",  # people by name, as everywhere else
        *(f"analysis filed ({titles(f)})" for f in others),
        *(f"{n.title()} analysis filed ({titles(f)})" for f, n, _ in BROWSER_LEADS),
        "case awaiting decision",
        "Exec decision recorded",
        "case decided",
    ]
    texts = entries.all_inner_texts()
    assert not [t for t in texts if "@example.org" in t], texts
    positions = [next((i for i, t in enumerate(texts) if want in t), -1) for want in expected]
    assert -1 not in positions and positions == sorted(positions), (expected, texts)
    shot(page, backend, "5-case-decided")
    sign_out(page)
