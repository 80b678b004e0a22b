"""Action reminders over simulated days with `incident-hub tick --at`, delivered to a loopback
Slack: the owner hears once per reminder cadence, never about a done or waived action."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from conftest import notices, open_case, working
from slackserver import TOKEN, slack_fixture  # noqa: F401  (provides the ``slack`` fixture)

DECISION = {"option": "comply-narrowly", "rationale": "r", "override": True}


def tick(runner, at: datetime) -> str:
    result = runner.invoke(["tick", "--at", at.isoformat()])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def config_overrides(slack) -> dict:
    """The app delivers to the loopback Slack."""
    url = f"{slack.url}/api/"
    return {"SLACK": {"BOT_TOKEN": TOKEN, "API_BASE_URL": url, "MAX_PER_CHANNEL_PER_S": 200.0}}


@pytest.fixture
def hub(app, slack_ids):
    return app


def decided_with_action(api, due: datetime, **case) -> tuple[str, int]:
    ref = open_case(api, **case)["ref"]
    api("exec").post(f"/cases/{ref}/decision", json=DECISION)
    body = {"title": "Notify the affected users", "owner": "legal@example.org"}
    response = api("admin").post(f"/cases/{ref}/actions", json=body | {"due_at": due.isoformat()})
    assert response.status_code == 201, response.get_json()
    return ref, response.get_json()["id"]


def reminders_to(slack, who: str) -> list:
    return [
        m
        for m in slack.messages(who)
        if "Action overdue" in m.params["text"] or "Action due soon" in m.params["text"]
    ]


def test_an_overdue_action_reminds_its_owner_once_per_cadence(hub, api, runner, slack, slack_ids):
    first = working(datetime.now(UTC) + timedelta(days=3))
    ref, action_id = decided_with_action(api, first - timedelta(hours=1))
    output = tick(runner, first)
    assert "actions 1" in output
    tick(runner, first)  # a second pass (or a second scheduler) adds nothing
    tick(runner, first + timedelta(hours=3))  # within the cadence
    (sent,) = reminders_to(slack, slack_ids["legal"])
    assert "Action overdue" in sent.params["text"] and "Notify the affected users" in str(
        sent.params["blocks"]
    )
    assert [n.status for n in notices(hub, kind="action_overdue")] == ["sent"]
    tick(runner, working(first + timedelta(days=1)))
    assert len(reminders_to(slack, slack_ids["legal"])) == 2
    api("legal").client.patch(
        f"/api/v1/cases/{ref}/actions/{action_id}",
        json={"status": "done", "note": "Users notified by email"},
        headers={"Authorization": f"Bearer {api('legal').person.token}"},
    )
    tick(runner, working(first + timedelta(days=2)))
    tick(runner, working(first + timedelta(days=5)))
    assert len(reminders_to(slack, slack_ids["legal"])) == 2  # done: never again
    assert reminders_to(slack, slack_ids["admin"]) == []  # only the owner is reminded


def test_an_action_due_soon_reminds_before_it_is_due(hub, api, runner, slack, slack_ids):
    at = working(datetime.now(UTC) + timedelta(days=3))
    decided_with_action(api, at + timedelta(hours=6))
    tick(runner, at - timedelta(days=1, hours=1))  # more than a day ahead: nothing yet
    assert notices(hub, kind="action_due") == []
    tick(runner, at)
    (due,) = notices(hub, kind="action_due")
    assert due.audience == slack_ids["legal"] and "Action due soon" in due.payload["text"]


def test_a_waived_action_is_not_reminded(hub, api, runner, slack, slack_ids):
    at = working(datetime.now(UTC) + timedelta(days=3))
    ref, action_id = decided_with_action(api, at - timedelta(days=1))
    response = api("exec").client.patch(
        f"/api/v1/cases/{ref}/actions/{action_id}",
        json={"status": "waived", "note": "The ministry withdrew the order"},
        headers={"Authorization": f"Bearer {api('exec').person.token}"},
    )
    assert response.status_code == 200
    tick(runner, at)
    assert (
        notices(hub, kind="action_overdue") == [] and reminders_to(slack, slack_ids["legal"]) == []
    )


def test_a_restricted_case_reminder_names_only_the_reference(hub, api, runner, slack, slack_ids):
    at = working(datetime.now(UTC) + timedelta(days=3))
    ref, _ = decided_with_action(
        api, at - timedelta(hours=2), restricted=True, title="Secret lawful access notice"
    )
    tick(runner, at)
    (sent,) = reminders_to(slack, slack_ids["legal"])
    shown = f"{sent.params['text']} {sent.params['blocks']}"
    assert ref in shown and "Secret" not in shown and "Notify the affected" not in shown
