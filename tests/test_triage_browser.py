"""Keyboard-only triage of 50 new alerts in a real browser (Debian's Chromium), at desk and
phone width: j/k and the arrows move, d dismisses with a typed reason, l links to a case, x
selects, o opens a case; each triaged row leaves the table and the next one takes the focus.
Neither size scrolls sideways, axe-core finds nothing, and screenshots of both go to
``test-artifacts/``."""

from __future__ import annotations

import pytest
from browser_kit import shot, sign_in
from conftest import open_case, set_password
from playwright.sync_api import Page, expect
from sqlalchemy import update

from incident_hub.extensions import db
from incident_hub.scale.alerts import seed_alerts
from incident_hub.watch.models import Alert

try:
    from axe_playwright_python.sync_playwright import Axe
except ImportError:  # pragma: no cover - the test extra installs it
    Axe = None

pytestmark = pytest.mark.browser
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
SIZES = {"desk": (1366, 900), "phone": (390, 844)}


@pytest.fixture
def fifty(app) -> None:
    """50 alerts, all waiting for triage."""
    with app.app_context():
        seed_alerts(50, sources=4, seed=5)
        db.session.execute(
            update(Alert).values(status="new", case_id=None, triage_note="", triaged_at=None)
        )
        db.session.commit()


def focused(page: Page) -> str:
    return page.evaluate("document.activeElement.id")


def row_ids(page: Page) -> list[str]:
    return page.eval_on_selector_all("tr[data-alert]", "rows => rows.map(r => r.id)")


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page is {width[0]} px wide in a {width[1]} px window"


def axe_clean(page: Page, name: str) -> None:
    if Axe is None:
        pytest.fail("axe-playwright-python is not installed (the test extra installs it)")
    violations = Axe().run(page, options=WCAG).response["violations"]
    found = [f"{name}: {v['id']}: {[n['target'] for n in v['nodes']][:3]}" for v in violations]
    assert not found, "\n".join(found)


def test_keyboard_only_triage_of_fifty_alerts(app, api, people, backend, fifty, live_server, page):
    case = open_case(api, title="Blocking order against messaging apps")
    sign_in(page, people["triager"].email, set_password(app, people["triager"].email))
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto("/triage")
    expect(page.get_by_role("heading", name="Triage queue (50)")).to_be_visible()
    ids = row_ids(page)
    assert len(ids) == 50
    no_sideways_scroll(page)
    axe_clean(page, "triage desk")
    shot(page, backend["name"], "desk", "triage")

    # The shortcuts are listed, and ? shows them.
    help_box = page.locator("#keys-help")
    expect(help_box).to_be_visible()
    page.keyboard.press("?")
    expect(help_box).to_have_attribute("open", "")
    page.keyboard.press("?")

    # Move: j, j, k, ArrowDown, ArrowUp.
    page.keyboard.press("j")
    assert focused(page) == ids[0]
    page.keyboard.press("j")
    assert focused(page) == ids[1]
    page.keyboard.press("k")
    assert focused(page) == ids[0]
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert focused(page) == ids[2]
    page.keyboard.press("ArrowUp")
    assert focused(page) == ids[1]

    # d: type a reason, Enter; the row goes, the next one has the focus. Five in a row.
    for n in range(5):
        gone, following = ids[1 + n], ids[2 + n]
        page.keyboard.press("d")
        assert page.evaluate("document.activeElement.name") == "reason"
        page.keyboard.type("not a legal development")
        page.keyboard.press("Enter")
        expect(page.locator(f"#{gone}")).to_have_count(0)
        expect(page.locator(f"#{following}")).to_be_focused()
    expect(page.get_by_role("heading", name="Triage queue (45)")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Alert dismissed")).to_have_count(1)

    # Escape leaves the reason unsent, back on the row.
    page.keyboard.press("d")
    page.keyboard.type("second thoughts")
    page.keyboard.press("Escape")
    assert focused(page) == ids[6]

    # l: link the focused alert to a case by its reference.
    page.keyboard.press("l")
    assert page.evaluate("document.activeElement.name") == "case"
    page.keyboard.type(case["ref"])
    page.keyboard.press("Enter")
    expect(page.locator(f"#{ids[6]}")).to_have_count(0)
    expect(page.locator(f"#{ids[7]}")).to_be_focused()

    # x selects; the count says how many.
    page.keyboard.press("x")
    page.keyboard.press("j")
    page.keyboard.press("x")
    expect(page.locator(".bulk-count")).to_have_text("2 selected")
    page.keyboard.press("x")
    expect(page.locator(".bulk-count")).to_have_text("1 selected")
    # Select all on the page, and back; then dismiss the one still selected, in bulk.
    page.locator("#select-page").focus()
    page.keyboard.press("Space")
    expect(page.locator(".bulk-count")).to_have_text("44 selected")
    page.keyboard.press("Space")
    expect(page.locator(".bulk-count")).to_have_text("")
    page.locator(f"#{ids[7]} input[name=ids]").focus()
    page.keyboard.press("Space")
    page.locator("#bulk-reason").focus()
    page.keyboard.type("out of scope")
    page.keyboard.press("Enter")
    expect(page.locator(f"#{ids[7]}")).to_have_count(0)
    expect(page.locator(f"#{ids[8]}")).to_be_focused()
    expect(page.get_by_role("heading", name="Triage queue (43)")).to_be_visible()

    # A reload shows what the server kept: 43 left, in the same order.
    page.reload()
    assert row_ids(page) == [ids[0], *ids[8:]]
    with app.app_context():
        statuses = dict(db.session.execute(db.select(Alert.id, Alert.status)).all())
    changed = [statuses[int(i.split("-")[1])] for i in ids[1:8]]
    assert changed == ["dismissed"] * 5 + ["linked", "dismissed"]

    # Phone width: rows stack as cards, nothing scrolls sideways, the keys still work.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/triage")
    no_sideways_scroll(page)
    axe_clean(page, "triage phone")
    shot(page, backend["name"], "phone", "triage")
    page.keyboard.press("j")
    page.keyboard.press("j")
    assert focused(page) == ids[8]
    # o opens a case from the focused alert, its form filled in from it.
    page.keyboard.press("o")
    page.wait_for_url(f"**/cases/new?alert_id={ids[8].split('-')[1]}")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert page.locator('input[name="alert_ids"]').first.input_value() == ids[8].split("-")[1]
