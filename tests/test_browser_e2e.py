"""The whole flow, from a feed item to a Slack follower, in a real browser.

A loopback feed publishes a takedown order → the scheduler's poll flags it → the triager opens
a case from the alert in the browser → a Slack user follows the case with ``/incident follow``
→ two leads file in the browser (the other required functions through the API) → the
executive decides in the browser → the deliver job posts the decision to the follower's Slack
DM on the loopback Slack Web API (through the real slack-sdk).

Chromium, the live server and the screenshots are those of ``browser_kit``.
"""

from __future__ import annotations

import json
import re
import time
from urllib.parse import urlencode

import httpx
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
from conftest import analysis_body, lead_for, set_password
from feedserver import rss
from playwright.sync_api import Page, expect
from slack_sdk.signature import SignatureVerifier
from slackserver import TOKEN, slack_fixture  # noqa: F401  (the loopback Slack)

from incident_hub.jobs import deliver_notices

pytestmark = pytest.mark.browser

SECRET = "e2e-signing-secret"
HEADLINE = "Court orders platforms to remove posts criticising the governor within 24 hours"
ITEM = {
    "title": HEADLINE,
    "description": "Turkey's regulator threatens fines and throttling under Law 5651 unless "
    "the posts and the accounts are removed.",
    "guid": "tr-5651-order",
}
PREFIX = "e2e"


@pytest.fixture
def config_overrides(slack) -> dict:
    """The app delivers to the loopback Slack and takes its signed commands."""
    return {
        "SLACK": {
            "BOT_TOKEN": TOKEN,
            "API_BASE_URL": f"{slack.url}/api/",
            "SIGNING_SECRET": SECRET,
            "MAX_PER_CHANNEL_PER_S": 200.0,
        }
    }


def slash(base_url: str, user_id: str, text: str) -> dict:
    """``/incident <text>`` as Slack sends it to the live server, signed."""
    fields = {
        "command": "/incident",
        "user_id": user_id,
        "user_name": user_id.lower(),
        "text": text,
        "team_id": "T0TEAM",
        "channel_id": "C0CHAN",
        "trigger_id": f"{time.time_ns()}.trigger",
    }
    body = urlencode(fields)
    stamp = str(int(time.time()))
    headers = {
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": SignatureVerifier(SECRET).generate_signature(
            timestamp=stamp, body=body
        ),
        "Content-Type": "application/x-www-form-urlencoded",
    }
    response = httpx.post(
        f"{base_url}/slack/commands", content=body, headers=headers, timeout=10, trust_env=False
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_feed_item_to_slack_follower(
    app, api, people, backend, runner, feeds, slack, slack_ids, live_server, page: Page
):
    name = backend["name"]
    (ARTIFACTS / f"{PREFIX}-{name}-failure.png").unlink(missing_ok=True)
    try:
        _flow(app, api, people, name, runner, feeds, slack, slack_ids, live_server, page)
    except Exception:
        shot(page, name, "failure", PREFIX)
        raise


def _flow(app, api, people, backend, runner, feeds, slack, slack_ids, base_url, page) -> None:
    registry = app.extensions["incident_hub.playbooks"]
    titles = registry.function_title
    passwords = {n: set_password(app, people[n].email) for n in ("triager", "legal", "rights",
                                                                 "exec")}  # fmt: skip

    # 1. A feed item arrives and the scheduler's poll flags it.
    url = feeds.serve("/orders.xml", rss([ITEM]))
    source = {"key": "tr-courts", "title": "Court orders", "url": url, "jurisdiction": "TR"}
    assert api("admin").post("/sources", json=source).status_code == 201
    assert runner.invoke(["poll"]).exit_code == 0

    # 2. The triager finds it in the queue and opens a case from it.
    sign_in(page, people["triager"].email, passwords["triager"])
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Triage").click()
    row = page.get_by_role("row").filter(has_text=HEADLINE)  # the compact table, by default
    expect(row).to_be_visible()
    expect(row).to_contain_text("Content removal")  # its topic, by its readable name
    shot(page, backend, "1-triage-queue", PREFIX)
    row.get_by_role("link", name=re.compile(r"^Open case")).click()
    expect(page.get_by_role("heading", name="Open a case", level=1)).to_be_visible()
    expect(page.get_by_label("Title", exact=True)).to_have_value(HEADLINE)
    playbook_key = page.get_by_label("Playbook", exact=True).input_value()
    assert playbook_key == "content-takedown", playbook_key
    shot(page, backend, "2-new-case-from-alert", PREFIX)
    page.get_by_role("button", name="Open case").click()
    expect(page).to_have_url(re.compile(r"/cases/INC-\d{4}-\d{4}$"))
    ref = page.url.rsplit("/", 1)[-1]
    expect(case_status(page)).to_have_text("Status: Open")
    alerts = api("triager").get("/alerts?status=case-opened").get_json()
    assert [a["title"] for a in alerts] == [HEADLINE]
    sign_out(page)

    # 3. Someone in Slack follows the case.
    follower = slack_ids["policy"]
    answer = slash(base_url, follower, f"follow {ref}")
    assert "You now follow" in json.dumps(answer)

    # 4. Every required function but two files through the API; two leads in the browser.
    playbook = registry.get(playbook_key)
    in_browser = [("legal", "legal", "Comply narrowly"), ("human-rights", "rights",
                                                          "Challenge in court")]  # fmt: skip
    case = {"ref": ref, "playbook": playbook_key}
    for function in [f.key for f in playbook.functions if f.required]:
        if function not in {f for f, _, _ in in_browser}:
            body = analysis_body(app, case, function)
            file_through_api(base_url, people[lead_for(function)], ref, body)
    for function, person, option in in_browser:
        title = titles(function)
        sign_in(page, people[person].email, passwords[person])
        page.get_by_role("main").get_by_role("row").filter(
            has_text=f"Analysis: {title}"
        ).get_by_role("link", name=ref, exact=True).click()
        functions = page.get_by_role("region", name="Functions")
        table_row(functions, title).get_by_role("link", name=f"File analysis for {title}").click()
        for question in playbook.function(function).questions:  # required ones open: a draft
            if question.required:
                page.get_by_label(question.text, exact=True).fill(f"{title} on {question.key}.")
        page.get_by_label("Analysis", exact=True).fill(f"{title}: we recommend {option}.")
        page.get_by_role("radio", name=starts_with(option)).check()
        page.get_by_role("button", name="File analysis").click()
        expect(page.get_by_role("status")).to_have_text(f"{title} analysis filed.")
        sign_out(page)

    # 5. The executive decides.
    sign_in(page, people["exec"].email, passwords["exec"])
    page.get_by_role("main").get_by_role("row").filter(has_text="Record decision").get_by_role(
        "link", name=ref, exact=True
    ).click()
    expect(case_status(page)).to_have_text("Status: Awaiting decision")
    shot(page, backend, "3-case-awaiting-decision", PREFIX)
    page.get_by_role("region", name="Decision").get_by_role("link", name="Record decision").click()
    page.get_by_role("radio", name=starts_with("Challenge in court")).check()
    page.get_by_label("Rationale", exact=True).fill("Overbroad order without a legal basis.")
    shot(page, backend, "4-decision-form", PREFIX)
    page.get_by_role("button", name="Record decision").click()
    expect(case_status(page)).to_have_text("Status: Decided")
    shot(page, backend, "5-case-decided", PREFIX)

    # 6. The scheduler's deliver job tells the follower on Slack.
    with app.app_context():
        deliver_notices()
    dms = [m for m in slack.messages(follower) if ref in json.dumps(m.params)]
    assert dms, [c.params.get("channel") for c in slack.messages()]
    last = json.dumps(dms[-1].params)
    assert "Decision recorded" in last and "Challenge in court" in last, last
    status = json.dumps(slash(base_url, follower, f"status {ref}"))
    assert "Decided" in status and "Challenge in court" in status, status
