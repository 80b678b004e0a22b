"""Reminders and escalations over simulated days with `incident-hub tick --at`."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from conftest import notices, open_case, working

from incident_hub.cases.models import Case
from incident_hub.clock import frozen_at, parse_iso
from incident_hub.extensions import db
from incident_hub.jobs import sweep_reminders as sweep


def tick(runner, at: datetime) -> str:
    result = runner.invoke(["tick", "--at", at.isoformat()])
    assert result.exit_code == 0, result.output
    return result.output


def case_times(app, ref: str) -> Case:
    with app.app_context():
        case = db.session.execute(db.select(Case).filter_by(ref=ref)).scalar_one()
        db.session.expunge(case)
        return case


def legal_due(case: dict) -> datetime:
    return parse_iso(next(a["due_at"] for a in case["assignments"] if a["function"] == "legal"))


def test_an_overdue_assignment_reminds_its_lead_once_per_working_day(app, api, runner, slack_ids):
    case = open_case(api)
    first = working(legal_due(case) + timedelta(minutes=1))
    tick(runner, first - timedelta(days=3))  # before it is due: nothing
    assert notices(app, kind="assignment_overdue") == []
    tick(runner, first)
    tick(runner, first)  # a second pass (or a second scheduler) adds nothing
    tick(runner, first + timedelta(hours=3))  # same day
    legal = [n for n in notices(app, kind="assignment_overdue") if n.audience == slack_ids["legal"]]
    assert len(legal) == 1 and "Overdue" in legal[0].payload["text"]
    tick(runner, working(first + timedelta(days=1)))
    legal = [n for n in notices(app, kind="assignment_overdue") if n.audience == slack_ids["legal"]]
    assert len(legal) == 2


def test_no_reminders_outside_working_hours_or_on_weekends(app, api, runner, slack_ids):
    case = open_case(api)
    day = working(legal_due(case) + timedelta(days=1))
    tick(runner, day.replace(hour=20))  # evening
    saturday = day + timedelta(days=(5 - day.weekday()) % 7)
    tick(runner, saturday.replace(hour=11))
    assert notices(app, kind="assignment_overdue") == []
    output = tick(runner, day.replace(hour=20))
    assert "outside_working_hours True" in output


@pytest.mark.config(REMINDERS={"TIMEZONE": "Asia/Tokyo"})  # 10:00 in Tokyo is 01:00 UTC
def test_working_hours_follow_the_configured_time_zone(app, api, runner, slack_ids):
    case = open_case(api)
    day = working(legal_due(case) + timedelta(days=1), hour=1)
    tick(runner, day)
    assert notices(app, kind="assignment_overdue")


def test_executives_are_reminded_every_cadence_until_the_decision(app, api, runner, slack_ids):
    case = open_case(api)  # content-takedown
    ref = case["ref"]
    api("exec").post(f"/cases/{ref}/request-decision", json={})
    since = case_times(app, ref).awaiting_since
    every = timedelta(
        hours=app.extensions["incident_hub.playbooks"].get("content-takedown").reminder_every_hours
    )
    first = working(since + every)
    tick(runner, first)
    tick(runner, first)
    execs = [n for n in notices(app, kind="decision_reminder")]
    assert len(execs) == 1 and execs[0].audience == slack_ids["exec"]
    tick(runner, working(first + every))
    assert len(notices(app, kind="decision_reminder")) == 2
    api("exec").post(f"/cases/{ref}/decision", json={"option": "comply-narrowly", "rationale": "r"})
    tick(runner, working(first + 5 * every))
    assert len(notices(app, kind="decision_reminder")) == 2  # stopped the moment it was decided


def test_pending_reminders_are_cancelled_by_the_decision(app, api, runner, slack_ids):
    case = open_case(api)
    first = working(legal_due(case) + timedelta(minutes=1))
    tick(runner, first)
    api("exec").post(
        f"/cases/{case['ref']}/decision",
        json={"option": "comply-narrowly", "rationale": "r", "override": True},
    )
    assert {n.status for n in notices(app, kind="assignment_overdue")} == {"cancelled"}


def test_an_undecided_case_escalates_once_after_the_playbook_time(app, api, runner, slack_ids):
    case = open_case(api)
    stored = case_times(app, case["ref"])
    playbook = app.extensions["incident_hub.playbooks"].get("content-takedown")
    escalate_at = stored.decision_due_at + timedelta(hours=playbook.escalate_after_hours)
    tick(runner, escalate_at - timedelta(minutes=1))
    assert notices(app, kind="decision_escalation") == []
    later = working(escalate_at)
    tick(runner, later)
    tick(runner, working(later + timedelta(days=1)))
    (escalation,) = notices(app, kind="decision_escalation")
    assert escalation.audience == playbook.escalate_to
    assert "Escalation" in escalation.payload["text"] and "overdue" in escalation.payload["text"]


def test_two_schedulers_sweeping_at_once_write_each_slot_once(app, api, slack_ids):
    cases = [open_case(api) for _ in range(5)]
    at = working(max(legal_due(c) for c in cases) + timedelta(days=1))
    errors: list[BaseException] = []

    def one_sweep() -> None:
        try:
            with app.app_context(), frozen_at(at):
                sweep(at)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=one_sweep) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    rows = notices(app, kind="assignment_overdue")
    keys = [n.dedup_key for n in rows]
    assert rows and len(keys) == len(set(keys))
    functions = [a for c in cases for a in c["assignments"] if parse_iso(a["due_at"]) <= at]
    assert len({k.split(":")[1] for k in keys}) == len(functions)
    assert all("locked" in str(e) or "concurrent" in str(e).lower() for e in errors), errors
