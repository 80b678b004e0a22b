"""The assessment's pages pass axe-core's WCAG 2.0/2.1 A and AA rules in a real browser: the
human-rights analysis form and the edit page (radio groups in fieldsets with legends, guidance
tied to each choice), and the case list and case page showing salience badges (contrast)."""

from __future__ import annotations

import pytest
from browser_kit import sign_in
from conftest import open_case, set_password
from playwright.sync_api import Page

try:
    from axe_playwright_python.sync_playwright import Axe
except ImportError:  # pragma: no cover - the test extra installs it
    Axe = None

pytestmark = pytest.mark.browser
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
SCORES = {"scale": 5, "scope": 3, "irremediability": 5, "likelihood": 4}


def test_assessment_pages_pass_axe(app, api, people, live_server, page: Page):
    if Axe is None:
        pytest.fail("axe-playwright-python is not installed (the test extra installs it)")
    ref = open_case(api)["ref"]
    second = open_case(api, title="Second order")["ref"]
    body = SCORES | {"rights": ["expression"], "involvement": "cause"}
    body |= {"tests": {"legal-basis": {"answer": "no", "note": "No published decree"}}}
    for case, values in ((ref, body), (second, SCORES | {"scale": 1, "scope": 1, "likelihood": 2})):
        put = api("rights").client.put(
            f"/api/v1/cases/{case}/assessment", json=values, headers=api("rights")._headers()
        )
        assert put.status_code == 200, put.get_json()
    visits = {
        "rights": [f"/cases/{ref}/analysis/human-rights", f"/cases/{ref}/assessment"],
        "legal": [f"/cases/{ref}/assessment", "/cases", f"/cases/{ref}"],
    }
    axe, failures = Axe(), []
    for person, paths in visits.items():
        sign_in(page, people[person].email, set_password(app, people[person].email))
        for path in paths:
            response = page.goto(path)
            assert response and response.status == 200, (path, response and response.status)
            for violation in axe.run(page, options=WCAG).response["violations"]:
                targets = [", ".join(node["target"]) for node in violation["nodes"]][:5]
                failures.append(f"{path}: {violation['id']} ({violation['impact']}): {targets}")
        page.get_by_role("button", name="Sign out").click()
    assert not failures, "\n".join(failures)
