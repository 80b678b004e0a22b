"""Whose clock a reminder keeps, with `incident-hub tick --at`: urgent playbooks around the
clock, everyone else within their own working hours (their time zone) on business days of the
case's countries (weekends and public holidays)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from conftest import notices, open_case

from incident_hub.cases.models import Assignment, Case
from incident_hub.extensions import db

FRIDAY_EVENING = datetime(2027, 1, 8, 20, 0, tzinfo=UTC)
SATURDAY_NIGHT = datetime(2027, 1, 9, 2, 0, tzinfo=UTC)
SUNDAY_NOON = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)
MONDAY_MORNING = datetime(2027, 1, 11, 9, 0, tzinfo=UTC)


def tick(runner, at: datetime) -> str:
    result = runner.invoke(["tick", "--at", at.isoformat()])
    assert result.exit_code == 0, result.output
    return result.output


def overdue_since(app, ref: str, due: datetime, *, awaiting: bool = False) -> None:
    """Make every analysis of ``ref`` due at ``due``, and its decision too (awaited since then
    when ``awaiting``): the times are set, not derived, so only the sweep is under test."""
    with app.app_context():
        case = db.session.execute(db.select(Case).filter_by(ref=ref)).scalar_one()
        for assignment in db.session.execute(
            db.select(Assignment).filter_by(case_id=case.id)
        ).scalars():
            assignment.due_at = due
        case.decision_due_at = due
        if awaiting:
            case.awaiting_since = due
        db.session.commit()


def a_case(app, api, playbook: str, due: datetime, *, awaiting: bool = False, **extra) -> str:
    ref = open_case(api, playbook, **extra)["ref"]
    if awaiting:
        response = api("exec").post(f"/cases/{ref}/request-decision", json={})
        assert response.status_code == 200, response.get_json()
    overdue_since(app, ref, due, awaiting=awaiting)
    return ref


def of_case(app, ref: str, kind: str) -> list:
    with app.app_context():
        case_id = db.session.execute(db.select(Case.id).filter_by(ref=ref)).scalar_one()
    return notices(app, kind=kind, case_id=case_id)


def set_zone(api, name: str, zone: str | None) -> None:
    person = api(name)
    response = person.client.patch(
        "/api/v1/me", json={"timezone": zone}, headers=person.person.headers
    )
    assert response.status_code == 200, response.get_json()


def test_an_urgent_case_reminds_and_escalates_at_night_on_a_weekend(app, api, runner, slack_ids):
    shutdown = a_case(app, api, "network-shutdown", FRIDAY_EVENING, jurisdiction="MM")
    awaited = a_case(app, api, "network-shutdown", FRIDAY_EVENING, awaiting=True)
    normal = a_case(app, api, "content-takedown", FRIDAY_EVENING)
    output = tick(runner, SATURDAY_NIGHT)
    assert "outside_working_hours True" in output  # nobody is at work: urgent cases alone
    legal = of_case(app, shutdown, "assignment_overdue")
    assert slack_ids["legal"] in {n.audience for n in legal}
    (escalation,) = of_case(app, shutdown, "decision_escalation")
    assert escalation.audience == "#exec-escalations" and "Escalation" in escalation.payload["text"]
    (reminder,) = of_case(app, awaited, "decision_reminder")
    assert reminder.audience == slack_ids["exec"]
    assert of_case(app, awaited, "decision_escalation")
    assert [
        n for k in ("assignment_overdue", "decision_escalation") for n in of_case(app, normal, k)
    ] == []
    # a second sweep for the same slot writes nothing more
    before = len(notices(app))
    tick(runner, SATURDAY_NIGHT)
    assert len(notices(app)) == before


def test_a_normal_case_waits_for_monday_morning(app, api, runner, slack_ids):
    ref = a_case(app, api, "content-takedown", FRIDAY_EVENING)
    awaited = a_case(app, api, "content-takedown", FRIDAY_EVENING, awaiting=True)
    for at in (SATURDAY_NIGHT, SUNDAY_NOON, MONDAY_MORNING - timedelta(minutes=1)):
        tick(runner, at)
    for kind in ("assignment_overdue", "decision_escalation", "decision_reminder"):
        assert of_case(app, ref, kind) + of_case(app, awaited, kind) == [], kind
    output = tick(runner, MONDAY_MORNING)
    assert "outside_working_hours False" in output
    legal = [n for n in of_case(app, ref, "assignment_overdue") if n.audience == slack_ids["legal"]]
    assert len(legal) == 1 and "2027-01-11" in legal[0].dedup_key
    assert of_case(app, ref, "decision_escalation")
    assert [n.audience for n in of_case(app, awaited, "decision_reminder")] == [slack_ids["exec"]]
    count = len(notices(app))
    tick(runner, MONDAY_MORNING)  # the same slot again: exactly once
    tick(runner, MONDAY_MORNING + timedelta(hours=2))  # the same day
    assert len(notices(app)) == count


@pytest.mark.config(REMINDERS={"HOLIDAY_COUNTRIES": []})
def test_a_public_holiday_of_the_cases_country_is_skipped(app, api, runner, slack_ids):
    due = datetime(2026, 10, 27, 12, 0, tzinfo=UTC)
    turkish = a_case(app, api, "content-takedown", due, jurisdiction="TR")
    german = a_case(app, api, "content-takedown", due, jurisdiction="DE")
    republic_day = datetime(2026, 10, 29, 10, 0, tzinfo=UTC)  # a Thursday, a holiday in TR
    tick(runner, republic_day)
    assert of_case(app, turkish, "assignment_overdue") == []
    assert of_case(app, turkish, "decision_escalation") == []
    assert of_case(app, german, "assignment_overdue")  # a working day in Germany
    tick(runner, republic_day + timedelta(days=1))
    legal = [
        n for n in of_case(app, turkish, "assignment_overdue") if n.audience == slack_ids["legal"]
    ]
    assert len(legal) == 1 and "2026-10-30" in legal[0].dedup_key
    assert of_case(app, turkish, "decision_escalation")


def test_each_lead_is_reminded_in_their_own_time_zone(app, api, runner, slack_ids):
    set_zone(api, "legal", "Asia/Tokyo")
    ref = a_case(app, api, "content-takedown", FRIDAY_EVENING)

    def reminded(who: str) -> list:
        return [n for n in of_case(app, ref, "assignment_overdue") if n.audience == slack_ids[who]]

    tick(runner, MONDAY_MORNING)  # 09:00 in London time, 18:00 in Tokyo: the day is over there
    assert len(reminded("rights")) == 1 and reminded("legal") == []
    tokyo_morning = datetime(2027, 1, 12, 0, 0, tzinfo=UTC)  # Tuesday 09:00 in Tokyo
    tick(runner, tokyo_morning)
    tick(runner, tokyo_morning)  # two sweeps of one slot: one reminder
    (legal,) = reminded("legal")
    assert "2027-01-12" in legal.dedup_key  # the lead's own date, not the UTC one (the 11th)
    assert len(reminded("rights")) == 1  # 00:00 UTC: night for the UTC lead
    tick(runner, tokyo_morning + timedelta(hours=9))  # 09:00 UTC, 18:00 Tokyo
    assert len(reminded("legal")) == 1 and len(reminded("rights")) == 2


def test_a_lead_in_tokyo_is_reminded_at_midnight_utc_and_a_utc_lead_is_not(
    app, api, runner, slack_ids
):
    set_zone(api, "legal", "Asia/Tokyo")
    ref = a_case(app, api, "content-takedown", FRIDAY_EVENING)
    output = tick(runner, datetime(2027, 1, 11, 0, 0, tzinfo=UTC))  # Monday 09:00 in Tokyo
    assert "outside_working_hours False" in output  # someone is at work: Tokyo
    audiences = {n.audience for n in of_case(app, ref, "assignment_overdue")}
    assert slack_ids["legal"] in audiences and slack_ids["rights"] not in audiences
    assert of_case(app, ref, "decision_escalation") == []  # the channel keeps UTC hours
