"""The time left to the response deadline where people look: the case page (each pending
function's and the decision's time left, and that the due times follow the deadline), My work
(each owed analysis and decision) and Slack (a "Response deadline: in 19 h (…)" line)."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
from conftest import notices, open_case, web_login
from slack_sdk.models.blocks import Block

from incident_hub.clock import frozen_at, iso, now

pytestmark = pytest.mark.config(AUTH={"API_TOKEN_DAYS": 3650, "API_TOKEN_MAX_DAYS": 3650})
WED = datetime(2031, 3, 5, 10, 0, tzinfo=UTC)


def text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def page(app, email: str, path: str) -> str:
    client = app.test_client()
    web_login(client, app, email)
    response = client.get(path)
    assert response.status_code == 200
    return text(response.get_data(as_text=True))


LEFT = r"\((\d+ days? )?\d+ h left\)"


def test_the_case_page_shows_each_due_time_with_its_time_left_and_the_deadline(app, api, people):
    deadline = (now() + timedelta(days=3, hours=5, minutes=30)).replace(microsecond=0)
    ref = open_case(api, response_deadline=iso(deadline))["ref"]
    shown = page(app, people["legal"].email, f"/cases/{ref}")
    assert f"Due times are set from the response deadline, {deadline:%d %b %Y %H:%M} UTC" in shown
    assert re.search(r"the decision is due \d\d \w{3} \d{4} \d\d:\d\d UTC " + LEFT, shown)
    functions = shown[shown.index("Functions Due times") :]
    assert len(re.findall(r"Pending \d\d \w{3} \d{4} \d\d:\d\d UTC " + LEFT, functions)) == 6
    assert re.search(r"Decision due \d\d \w{3} \d{4} \d\d:\d\d UTC " + LEFT, shown)
    assert re.search(r"Response deadline \d\d \w{3} \d{4} \d\d:\d\d UTC \(3 days 5 h left\)", shown)


def test_a_case_without_a_deadline_says_nothing_of_one(app, api, people):
    ref = open_case(api)["ref"]
    shown = page(app, people["legal"].email, f"/cases/{ref}")
    assert "Due times are set from the response deadline" not in shown
    assert re.search(r"Pending \d\d \w{3} \d{4} \d\d:\d\d UTC " + LEFT, shown)  # still timed


def test_my_work_shows_the_response_deadline_s_time_left_on_owed_work(app, api, people):
    deadline = now() + timedelta(days=2, hours=7, minutes=30)
    with_deadline = open_case(api, title="Order with a deadline", response_deadline=iso(deadline))
    without = open_case(api, title="Order without one")
    shown = page(app, people["legal"].email, "/")
    row = shown[shown.index(with_deadline["ref"]) : shown.index(with_deadline["ref"]) + 300]
    assert "Response deadline: 2 days 7 h left" in row
    other = shown[shown.index(without["ref"]) : shown.index(without["ref"]) + 200]
    assert "Response deadline" not in other


def test_slack_messages_carry_the_response_deadline_line(app, api, slack_ids):
    with frozen_at(WED):
        case = open_case(api, response_deadline=iso(WED + timedelta(hours=19)))
        secret = open_case(api, response_deadline=iso(WED + timedelta(hours=19)), restricted=True)
    asked = [n for n in notices(app, kind="assignment") if n.case_id]
    mine = [n.payload for n in asked if case["ref"] in n.payload["text"]]
    assert mine
    for payload in mine:
        assert "Response deadline: in 19 h (Thu 6 Mar 05:00 UTC)" in payload["text"]
        assert (
            "Response deadline: in 19 h (Thu 6 Mar 05:00 UTC)"
            in payload["blocks"][0]["text"]["text"]
        )
        for block in payload["blocks"]:
            Block.parse(block).validate_json()  # type: ignore[union-attr]
    for notice in asked:
        if secret["ref"] in notice.payload["text"]:
            assert "Response deadline" not in notice.payload["text"]  # the ref alone
