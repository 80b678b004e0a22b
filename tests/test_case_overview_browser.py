"""The case page in a real browser at a laptop's 1366×900 and a phone's 390×844: no horizontal
scrolling, the decision link in the first screenful for an executive, the sidebar sticky on
the wide screen and above the sections on the phone, the actions' *Waive* never clipped, the
long forms folded until asked, and axe-core clean. Screenshots go to ``test-artifacts/``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from browser_kit import ARTIFACTS, TIMEOUT_MS, sign_in
from conftest import analysis_body, lead_for, open_case, set_password
from playwright.sync_api import Browser, Page, expect

try:
    from axe_playwright_python.sync_playwright import Axe
except ImportError:  # pragma: no cover - the test extra installs it
    Axe = None

pytestmark = pytest.mark.browser
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
SIZES = {"laptop": (1366, 900), "phone": (390, 844)}
LONG_TITLE = "Publish the geo-blocking order in the transparency report with the full list of URLs"


@pytest.fixture
def cases(app, api, people) -> dict[str, str]:
    """A case awaiting its decision, and a decided one with follow-through actions (long
    titles, notes and forms in every row), members, followers and a deadline."""
    deadline = (datetime.now(UTC) + timedelta(days=3, hours=5)).isoformat()
    awaiting = open_case(
        api,
        title="Order to remove 40 posts criticising the governor",
        response_deadline=deadline,
        summary="An order under art. 8. " * 20,
    )
    for function in ("legal", "human-rights"):
        body = analysis_body(app, awaiting, function)
        filed = api(lead_for(function)).post(f"/cases/{awaiting['ref']}/analyses", json=body)
        assert filed.status_code == 201
    moved = api("exec").post(f"/cases/{awaiting['ref']}/request-decision", json={"note": "now"})
    assert moved.status_code == 200, moved.get_json()
    decided = open_case(api, title="Data localisation bill, second reading", jurisdiction="DE")
    choice = {"option": "comply-narrowly", "rationale": "Narrowly. " * 30, "override": True}
    assert api("exec").post(f"/cases/{decided['ref']}/decision", json=choice).status_code == 201
    due = (datetime.now(UTC) + timedelta(days=7)).isoformat()
    for n, owner in enumerate(("legal", "rights", "policy")):
        body = {"title": f"{LONG_TITLE} ({n + 1})", "owner": people[owner].email, "due_at": due,
                "detail": "Count it under F6 and link the order's text. " * 4}  # fmt: skip
        assert api("admin").post(f"/cases/{decided['ref']}/actions", json=body).status_code == 201
    for who in ("legal", "rights", "exec"):
        assert api(who).post(f"/cases/{decided['ref']}/follow").status_code == 200
    return {"awaiting": awaiting["ref"], "decided": decided["ref"]}


def _page(chromium: Browser, live_server: str, size: str) -> Page:
    width, height = SIZES[size]
    context = chromium.new_context(
        base_url=live_server, viewport={"width": width, "height": height}
    )
    context.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    return context.new_page()


def _no_horizontal_scroll(page: Page) -> None:
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth]"
    )  # fmt: skip
    assert widths[0] <= widths[1], f"the page is {widths[0]} px wide in a {widths[1]} px window"


def _violations(page: Page, name: str) -> list[str]:
    results = Axe().run(page, options=WCAG)
    return [
        f"{name}: {v['id']} ({v['impact']}): {[', '.join(n['target']) for n in v['nodes']][:5]}"
        for v in results.response["violations"]
    ]


def _shot(page: Page, backend: str, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"case-overview-{backend}-{name}.png"), full_page=True)


@pytest.mark.parametrize("size", list(SIZES))
def test_the_case_page_fits_the_screen_for_an_executive(
    app, people, backend, cases, chromium, live_server, size
):
    if Axe is None:
        pytest.fail("axe-playwright-python is not installed (the test extra installs it)")
    width, height = SIZES[size]
    page = _page(chromium, live_server, size)
    failures: list[str] = []
    try:
        sign_in(page, people["exec"].email, set_password(app, people["exec"].email))

        # Awaiting the decision: the way to record it is in the first screenful.
        page.goto(f"/cases/{cases['awaiting']}")
        head = page.locator("header.case-head")
        expect(head).to_contain_text("Record the decision — due")
        expect(head).to_contain_text(" left")  # the response deadline counts down
        record = head.get_by_role("link", name="Record decision")
        expect(record).to_be_visible()
        box = record.bounding_box()
        assert box and box["y"] + box["height"] <= height and box["x"] + box["width"] <= width
        _no_horizontal_scroll(page)
        _shot(page, backend["name"], f"awaiting-{size}")
        failures += _violations(page, f"awaiting-{size}")

        # Decided, with three actions: the table fits, every Waive can be seen and pressed.
        page.goto(f"/cases/{cases['decided']}")
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Data localisation bill, second reading"
        )
        _no_horizontal_scroll(page)
        actions = page.get_by_role("region", name="Follow-through actions")
        waives = actions.get_by_role("button", name="Waive")
        expect(waives).to_have_count(3)
        for i in range(3):
            button = waives.nth(i)
            button.scroll_into_view_if_needed()
            box = button.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, (i, box)
            visible = button.evaluate(
                """b => { const r = b.getBoundingClientRect();
                          const x = r.x + r.width / 2, y = r.y + r.height / 2;
                          const hit = document.elementFromPoint(x, y);
                          return b === hit || b.contains(hit); }"""
            )
            assert visible, f"Waive {i + 1} is covered or clipped"
        # The long forms are folded until asked.
        add = actions.locator("details.case-form")
        expect(add.get_by_label("What is to be done")).to_be_hidden()
        add.locator("summary").click()
        expect(add.get_by_label("What is to be done")).to_be_visible()
        members = page.locator("details.members-form")
        expect(members.get_by_label("Add a member (email)")).to_be_hidden()
        expect(page.locator(".case-side")).to_contain_text("3 people follow this case")
        _no_horizontal_scroll(page)

        side = page.locator("aside.case-side")
        main = page.locator(".case-main")
        position = side.evaluate("el => getComputedStyle(el).position")
        page.evaluate("window.scrollTo(0, 0)")
        if size == "laptop":
            assert position == "sticky"
            page.evaluate("window.scrollTo(0, 1500)")
            page.wait_for_function("window.scrollY >= 1000")
            box = side.bounding_box()
            assert box and 0 <= box["y"] <= 100, f"the sidebar scrolled away: {box}"
            main_box = main.bounding_box()
            assert main_box and box["x"] >= main_box["x"] + main_box["width"]  # beside
            page.evaluate("window.scrollTo(0, 0)")
        else:
            assert position == "static"
            side_box, main_box = side.bounding_box(), main.bounding_box()
            assert side_box and main_box and side_box["y"] + side_box["height"] <= main_box["y"]
        _shot(page, backend["name"], f"decided-{size}")
        failures += _violations(page, f"decided-{size}")
    finally:
        page.context.close()
    assert not failures, "\n".join(failures)
