"""Nothing typed is lost, in a real browser at 1366×900: a decision typed before the
re-authentication window passed, an analysis typed while the session went idle, and autosave.

Debian's Chromium under Playwright against a live server of the app (tests/browser_kit.py).
Time is moved in the database (the session row's sign-in and last-use times), never by
sleeping. axe-core checks each form page; screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from browser_kit import ARTIFACTS, shot, sign_in
from conftest import Person, analysis_body, open_case, set_password
from playwright.sync_api import Page, expect

from incident_hub.auth.models import User, WebSession
from incident_hub.cases.models import Decision
from incident_hub.extensions import db

try:
    from axe_playwright_python.sync_playwright import Axe
except ImportError:  # pragma: no cover - the test extra installs it
    Axe = None

pytestmark = pytest.mark.browser
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
RATIONALE = (
    "Comply only with the items a court has reviewed, and only in the issuing country. "
    "Publish the order in the next transparency report, tell the affected users where the "
    "law allows it, and challenge the rest of the order before the administrative court "
    "within the thirty days the law gives. Legal and human rights agree that narrowing the "
    "response this way is defensible under the UNGPs and the GNI principles."
)
ANALYSIS = (
    "The order names 40 posts; 31 are political speech protected by Article 10 ECHR. "
    "Article 8/A of Law 5651 allows blocking only after a judge's review within 24 hours."
)


@pytest.fixture
def wide(page: Page) -> Page:
    page.set_viewport_size({"width": 1366, "height": 900})
    return page


def age_sessions(app, email: str, *, signed_in: int = 0, idle: int = 0) -> None:  # noqa: ANN001
    """Move the user's sessions' sign-in and last use that many minutes into the past."""
    with app.app_context():
        user_id = db.session.execute(db.select(User.id).filter_by(email=email)).scalar_one()
        rows = db.session.execute(db.select(WebSession).filter_by(user_id=user_id)).scalars()
        for row in rows:
            row.auth_at -= timedelta(minutes=signed_in)
            row.seen_at -= timedelta(minutes=idle)
        db.session.commit()


def no_axe_violations(page: Page, name: str) -> None:
    if Axe is None:
        pytest.fail("axe-playwright-python is not installed (the test extra installs it)")
    results = Axe().run(page, options=WCAG)
    found = [
        f"{name}: {v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:5]}"
        for v in results.response["violations"]
    ]
    assert not found, "\n".join(found)


def screenshot(page: Page, backend: dict, name: str) -> None:
    shot(page, backend["name"], name, prefix="drafts-1366")


def sign_in_to(page: Page, email: str, password: str) -> None:
    """Fill the sign-in page the browser is on (it carries the return target)."""
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_a_decision_typed_survives_reauthentication_and_is_recorded(
    app, api, people: dict[str, Person], backend, wide: Page
):
    ARTIFACTS.mkdir(exist_ok=True)
    ref = open_case(api)["ref"]
    email = people["exec"].email
    password = set_password(app, email)
    sign_in(wide, email, password)
    wide.goto(f"/cases/{ref}/decision")
    expect(wide.get_by_role("heading", name="Record the decision", level=1)).to_be_visible()
    wide.get_by_label("Comply narrowly").check()
    wide.get_by_label("Rationale").fill(RATIONALE)
    wide.get_by_label("Decide now, before every function has filed").check()
    assert len(RATIONALE) >= 300
    age_sessions(app, email, signed_in=16)  # past REAUTH_FOR_DECISION_MIN (15)
    wide.get_by_role("button", name="Record decision").click()

    expect(wide.get_by_role("heading", name="Confirm it is you", level=1)).to_be_visible()
    expect(wide.get_by_text("what you typed is kept")).to_be_visible()
    screenshot(wide, backend, "reauth")
    wide.get_by_label("Password", exact=True).fill(password)
    wide.get_by_role("button", name="Confirm").click()

    expect(wide.get_by_role("heading", name="Record the decision", level=1)).to_be_visible()
    expect(wide.get_by_label("Rationale")).to_have_value(RATIONALE)
    expect(wide.get_by_label("Comply narrowly")).to_be_checked()
    expect(wide.get_by_label("Decide now, before every function has filed")).to_be_checked()
    expect(wide.get_by_text(re.compile(r"Draft restored from \d\d:\d\d UTC"))).to_be_visible()
    no_axe_violations(wide, "decision-form-restored")
    screenshot(wide, backend, "decision-restored")
    wide.get_by_role("button", name="Record decision").click()

    expect(wide.get_by_text(f"Decision recorded on {ref}.")).to_be_visible()
    with app.app_context():
        decision = db.session.execute(db.select(Decision)).scalar_one()
        assert (decision.option_key, decision.rationale) == ("comply-narrowly", RATIONALE)


def test_an_analysis_typed_while_the_session_went_idle_is_back_after_signing_in(
    app, api, people: dict[str, Person], backend, wide: Page
):
    ARTIFACTS.mkdir(exist_ok=True)
    ref = open_case(api)["ref"]
    email = people["legal"].email
    password = set_password(app, email)
    sign_in(wide, email, password)
    wide.goto(f"/cases/{ref}/analysis/legal")
    heading = wide.get_by_role("heading", name="Legal / product counsel analysis", level=1)
    expect(heading).to_be_visible()
    wide.get_by_label("Analysis", exact=True).fill(ANALYSIS)
    wide.get_by_label("Challenge in court").check()
    expect(wide.get_by_role("status").filter(has_text="Draft saved")).to_be_visible()
    age_sessions(app, email, signed_in=61, idle=61)  # past SESSION_IDLE_MIN (60)
    wide.get_by_role("button", name="File analysis").click()

    expect(
        wide.get_by_text("Your session expired; please sign in again: what you typed is kept.")
    ).to_be_visible()
    sign_in_to(wide, email, password)
    expect(wide).to_have_url(re.compile(rf"/cases/{ref}/analysis/legal$"))
    expect(wide.get_by_label("Analysis", exact=True)).to_have_value(ANALYSIS)
    expect(wide.get_by_label("Challenge in court")).to_be_checked()
    expect(wide.get_by_text(re.compile(r"Draft restored from \d\d:\d\d UTC"))).to_be_visible()
    no_axe_violations(wide, "analysis-form-restored")
    screenshot(wide, backend, "analysis-restored")


def test_autosave_says_draft_saved_and_the_draft_is_there_on_return(
    app, api, people: dict[str, Person], backend, wide: Page
):
    ARTIFACTS.mkdir(exist_ok=True)
    ref = open_case(api)["ref"]
    email = people["legal"].email
    sign_in(wide, email, set_password(app, email))
    form = f"/cases/{ref}/analysis/legal"
    wide.goto(form)
    wide.get_by_label("Analysis", exact=True).press_sequentially("Half a thought", delay=20)
    status = wide.get_by_role("status").filter(has_text="Draft saved")
    expect(status).to_have_text(re.compile(r"^Draft saved \d\d:\d\d UTC$"))
    no_axe_violations(wide, "analysis-form-autosaved")
    screenshot(wide, backend, "autosaved")

    wide.goto(f"/cases/{ref}")
    wide.goto(form)
    expect(wide.get_by_label("Analysis", exact=True)).to_have_value("Half a thought")
    wide.get_by_role("button", name="Discard draft").click()
    expect(wide.get_by_text("Draft discarded.")).to_be_visible()
    expect(wide.get_by_label("Analysis", exact=True)).to_have_value("")


def test_the_action_form_refused_at_a_field_stays_open_as_typed_with_the_field_focused(
    app, api, people: dict[str, Person], backend, wide: Page
):
    ARTIFACTS.mkdir(exist_ok=True)
    case = open_case(api)
    ref = case["ref"]
    body = analysis_body(app, case, "legal")
    assert api("legal").post(f"/cases/{ref}/analyses", json=body).status_code == 201
    choice = {"option": "comply-narrowly", "rationale": "Narrowly.", "override": True}
    assert api("exec").post(f"/cases/{ref}/decision", json=choice).status_code == 201
    email = people["exec"].email
    sign_in(wide, email, set_password(app, email))
    wide.goto(f"/cases/{ref}")
    form = wide.locator("#add-action")
    form.get_by_label("What is to be done").fill("Publish the order in the transparency report")
    form.get_by_label("Detail").fill("Section 4, with the court's review.")
    form.get_by_label("Owner").select_option(label="Legal (legal@example.org)")
    form.get_by_label("Due (UTC)").fill("2030-01-15T09:00")
    form.get_by_label("Review effectiveness on").fill("2030-01-01")  # before the due date
    form.get_by_role("button", name="Add action").click()

    expect(wide).to_have_url(re.compile(rf"/cases/{ref}$"))  # autofocus, not an anchor
    expect(form.get_by_label("What is to be done")).to_have_value(
        "Publish the order in the transparency report"
    )
    expect(form.get_by_label("Owner")).to_have_value(re.compile(r"^\d+$"))
    review = form.get_by_label("Review effectiveness on")
    expect(review).to_have_value("2030-01-01")
    expect(review).to_have_attribute("aria-invalid", "true")
    expect(review).to_be_focused()
    expect(form.locator("#review_on-error")).to_be_visible()
    expect(form.locator("#review_on-error")).to_be_in_viewport()
    screenshot(wide, backend, "action-refused")
