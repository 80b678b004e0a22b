"""Monitoring (issue 16): a decided case put under monitoring is re-reviewed on a cadence until
a last date; re-reviews come due like assignments and remind their owner once per slot (moved
with ``incident-hub tick --at``); each re-review continues, ends monitoring or reopens the case.
Through the JSON API, the CLI and the web pages, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from conftest import csrf_from, notices, open_case, web_login

from incident_hub.audit.models import AuditEvent
from incident_hub.extensions import db

DECISION = {"option": "comply-narrowly", "rationale": "r", "override": True}


def working(after: datetime, hour: int = 10) -> datetime:
    """The first weekday at ``hour``:00 UTC at or after ``after`` (default working hours)."""
    moment = after.astimezone(UTC).replace(hour=hour, minute=0, second=0, microsecond=0)
    if moment < after:
        moment += timedelta(days=1)
    while moment.weekday() >= 5:
        moment += timedelta(days=1)
    return moment


def tick(runner, at: datetime) -> str:
    result = runner.invoke(["tick", "--at", at.isoformat()])
    assert result.exit_code == 0, result.output
    return result.output


def decided(api, **case) -> str:
    ref = open_case(api, **case)["ref"]
    response = api("exec").post(f"/cases/{ref}/decision", json=DECISION)
    assert response.status_code == 201, response.get_json()
    return ref


def monitor(api, ref: str, who: str = "exec", **body):  # noqa: ANN201
    return api(who).post(f"/cases/{ref}/monitoring", json={"every_days": 90} | body)


def patch(api, who: str, path: str, body: dict):  # noqa: ANN201
    person = api(who).person
    return api(who).client.patch(f"/api/v1{path}", json=body, headers=person.headers)


def review(api, ref: str, who: str = "legal", outcome: str = "continue", note: str = "still"):  # noqa: ANN201
    return api(who).post(f"/cases/{ref}/reviews", json={"outcome": outcome, "note": note})


def events(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        rows = db.session.execute(
            db.select(AuditEvent).filter_by(action=action).order_by(AuditEvent.id)
        )
        found = list(rows.scalars())
        db.session.expunge_all()
        return found


def at_iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def test_only_a_decided_case_can_be_monitored(app, api, slack_ids):
    ref = open_case(api)["ref"]
    response = monitor(api, ref)
    assert response.status_code == 409 and "decided" in response.get_json()["error"]["message"]
    api("exec").post(f"/cases/{ref}/decision", json=DECISION)
    first = monitor(api, ref, owner="legal@example.org", until="2028-06-30", note="phases in")
    assert first.status_code == 201, first.get_json()
    state = first.get_json()
    assert state["status"] == "monitoring" and state["reviews"] == []
    schedule = state["monitoring"]
    assert schedule["owner"] == "legal@example.org" and schedule["every_days"] == 90
    assert schedule["until"] == "2028-06-30" and schedule["note"] == "phases in"
    expected = datetime.now(UTC) + timedelta(days=90)  # default: one cadence from now
    got = datetime.fromisoformat(schedule["next_review_at"].replace("Z", "+00:00"))
    assert abs(got - expected) < timedelta(minutes=5)
    again = monitor(api, ref)
    assert (
        again.status_code == 409
        and "already under monitoring" in again.get_json()["error"]["message"]
    )
    assert api("legal").get(f"/cases/{ref}").get_json()["status"] == "monitoring"
    listed = api("legal").get("/cases?status=monitoring").get_json()
    assert [c["ref"] for c in listed] == [ref]
    (told,) = notices(app, kind="monitoring_owner")  # the owner hears the re-reviews are theirs
    assert told.audience == slack_ids["legal"] and ref in told.payload["text"]
    (started,) = events(app, "monitoring.started")
    assert started.details["owner"] == "legal@example.org"
    assert [e.details["to"] for e in events(app, "case.monitoring")] == ["monitoring"]


def test_others_are_refused_and_the_refusal_is_audited(app, api):
    ref = decided(api)
    refused = monitor(api, ref, who="legal")  # a lead, not the opener: may not start it
    assert refused.status_code == 403
    assert [e.outcome for e in events(app, "monitoring.start")] == ["denied"]
    assert monitor(api, ref, who="triager").status_code == 201  # the case's opener may
    assert review(api, ref, who="outsider").status_code == 403  # not the owner (triager)
    assert patch(api, "outsider", f"/cases/{ref}/monitoring", {"every_days": 30}).status_code == 403
    assert [e.outcome for e in events(app, "monitoring.review")] == ["denied"]
    assert [e.outcome for e in events(app, "monitoring.change")] == ["denied"]
    # the owner (triager) may record a re-review and change the schedule
    assert patch(api, "triager", f"/cases/{ref}/monitoring", {"every_days": 30}).status_code == 200
    assert review(api, ref, who="triager").status_code == 201


@pytest.mark.parametrize(
    "body, field",
    [
        ({"every_days": 0}, "every_days"),
        ({"every_days": "often"}, "every_days"),
        ({"every_days": None}, "every_days"),
        ({"every_days": 5000}, "every_days"),
        ({"review_at": "2020-01-01"}, "review_at"),  # in the past
        ({"review_at": "next week"}, "review_at"),
        ({"review_at": "2031-01-01", "until": "2030-06-30"}, "review_at"),  # after until
        ({"until": "30/06/2028"}, "until"),
        ({"owner": "nobody@example.org"}, "owner"),
        ({"owner": True}, "owner"),
    ],
)
def test_a_bad_cadence_date_or_owner_is_refused(api, body, field):
    ref = decided(api)
    response = api("exec").post(f"/cases/{ref}/monitoring", json={"every_days": 90} | body)
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["error"].get("field") == field
    assert api("exec").get(f"/cases/{ref}/monitoring").get_json()["monitoring"] is None


def test_the_owner_must_be_able_to_see_the_case(api):
    ref = decided(api, restricted=True, title="Secret order")
    response = monitor(api, ref, owner="outsider@example.org")  # not a member of it
    assert response.status_code == 422 and response.get_json()["error"]["field"] == "owner"
    assert monitor(api, ref, owner="legal@example.org").status_code == 201  # assigned: a member
    changed = patch(api, "exec", f"/cases/{ref}/monitoring", {"owner": "outsider@example.org"})
    assert changed.status_code == 422


def test_a_review_coming_due_reminds_its_owner_once_per_slot(app, api, runner, slack_ids):
    due = working(datetime.now(UTC) + timedelta(days=3), hour=15)
    ref = decided(api)
    assert monitor(api, ref, owner="legal@example.org", review_at=at_iso(due)).status_code == 201
    tick(runner, due - timedelta(days=1, hours=2))  # more than a day ahead: nothing yet
    assert notices(app, kind="review_due") == []
    soon = due - timedelta(hours=5)
    assert "reviews 1" in tick(runner, soon)
    tick(runner, soon)  # the same slot again (a second scheduler): nothing more
    tick(runner, soon + timedelta(hours=2))
    (reminder,) = notices(app, kind="review_due")
    assert (
        reminder.audience == slack_ids["legal"] and "Re-review due soon" in reminder.payload["text"]
    )
    late = working(due + timedelta(days=1))
    tick(runner, late)
    tick(runner, late)
    tick(runner, late + timedelta(hours=3))  # within the cadence of overdue reminders
    (overdue,) = notices(app, kind="review_overdue")
    assert overdue.audience == slack_ids["legal"] and ref in overdue.payload["text"]
    tick(runner, working(late + timedelta(days=1)))  # the next working day: once more
    assert len(notices(app, kind="review_overdue")) == 2
    assert all(n.audience == slack_ids["legal"] for n in notices(app, kind="review_overdue"))


def test_a_restricted_case_reminder_names_only_the_reference(app, api, runner, slack_ids):
    due = working(datetime.now(UTC) + timedelta(days=3), hour=15)
    ref = decided(api, restricted=True, title="Secret lawful access notice")
    assert monitor(api, ref, owner="legal@example.org", review_at=at_iso(due)).status_code == 201
    tick(runner, due - timedelta(hours=3))
    (reminder,) = notices(app, kind="review_due")
    shown = f"{reminder.payload['text']} {reminder.payload['blocks']}"
    assert ref in shown and "Secret" not in shown and reminder.payload.get("secret") is True


def test_continue_moves_the_next_review_by_the_cadence(app, api, runner, slack_ids):
    due = working(datetime.now(UTC) + timedelta(days=3), hour=15)
    ref = decided(api)
    monitor(api, ref, owner="legal@example.org", review_at=at_iso(due), every_days=30)
    tick(runner, due - timedelta(hours=3))
    recorded = review(api, ref, note="Second phase not yet in force")
    assert recorded.status_code == 201, recorded.get_json()
    assert recorded.get_json()["outcome"] == "continue"
    assert recorded.get_json()["due_at"] == at_iso(due)
    state = api("legal").get(f"/cases/{ref}/monitoring").get_json()
    assert state["status"] == "monitoring"
    assert state["monitoring"]["next_review_at"] == at_iso(due + timedelta(days=30))
    assert [r["note"] for r in state["reviews"]] == ["Second phase not yet in force"]
    listed = api("exec").get(f"/cases/{ref}/reviews")
    assert listed.headers["X-Total-Count"] == "1"
    assert [n.status for n in notices(app, kind="review_due")] != ["pending"]  # cancelled or sent
    tick(runner, working(due + timedelta(days=2)))  # the old due time: no overdue reminder
    assert notices(app, kind="review_overdue") == []
    (reviewed,) = events(app, "monitoring.reviewed")
    assert reviewed.details["next_review_at"] == at_iso(due + timedelta(days=30))


def test_until_stops_further_reviews(app, api, runner, slack_ids):
    due = working(datetime.now(UTC) + timedelta(days=3), hour=15)
    ref = decided(api)
    until = (due + timedelta(days=10)).date().isoformat()
    monitor(api, ref, owner="legal@example.org", review_at=at_iso(due), every_days=30, until=until)
    assert review(api, ref, note="Fully in force now").status_code == 201
    state = api("legal").get(f"/cases/{ref}/monitoring").get_json()
    assert state["status"] == "decided" and state["monitoring"] is None
    assert len(state["reviews"]) == 1
    tick(runner, working(due + timedelta(days=29)))
    tick(runner, working(due + timedelta(days=31)))
    assert notices(app, kind="review_due") == [] and notices(app, kind="review_overdue") == []
    ended = events(app, "case.decided")[-1]
    assert "no re-review after" in ended.details["reason"]


def test_end_leaves_monitoring_and_monitoring_can_start_again(api):
    ref = decided(api)
    monitor(api, ref, owner="legal@example.org")
    assert review(api, ref, outcome="end", note="The law was repealed").status_code == 201
    state = api("legal").get(f"/cases/{ref}/monitoring").get_json()
    assert state["status"] == "decided" and state["monitoring"] is None
    assert review(api, ref, who="exec").status_code == 409  # not under monitoring any more
    assert monitor(api, ref).status_code == 201  # a decided case again: may be monitored again
    assert api("exec").get(f"/cases/{ref}/monitoring").get_json()["reviews"][0]["outcome"] == "end"


def test_reopen_starts_a_new_round(app, api, runner, slack_ids):
    due = working(datetime.now(UTC) + timedelta(days=3), hour=15)
    ref = decided(api)
    monitor(api, ref, owner="exec@example.org", review_at=at_iso(due))
    # the owner is an executive, not an admin: reopening is an admin's (cases.admin_actions)
    refused = review(api, ref, who="exec", outcome="reopen", note="amended")
    assert refused.status_code == 403
    assert [e.outcome for e in events(app, "case.reopen")] == ["denied"]
    assert api("exec").get(f"/cases/{ref}/monitoring").get_json()["reviews"] == []
    reopened = review(api, ref, who="admin", outcome="reopen", note="The law was amended")
    assert reopened.status_code == 201, reopened.get_json()
    assert reopened.get_json()["round"] == 1
    case = api("admin").get(f"/cases/{ref}").get_json()
    assert case["status"] == "open"
    state = api("admin").get(f"/cases/{ref}/monitoring").get_json()
    assert state["monitoring"] is None and [r["outcome"] for r in state["reviews"]] == ["reopen"]
    tick(runner, working(due + timedelta(days=1)))  # open again: no re-review reminders
    assert notices(app, kind="review_overdue") == []
    # the new round's decision can be monitored in its turn
    assert api("exec").post(f"/cases/{ref}/decision", json=DECISION).status_code == 201
    assert monitor(api, ref).status_code == 201


def test_change_and_stop(app, api, slack_ids):
    ref = decided(api)
    monitor(api, ref, owner="legal@example.org", until="2028-06-30")
    later = at_iso(working(datetime.now(UTC) + timedelta(days=20)))
    changed = patch(
        api,
        "legal",  # the owner may move their own review
        f"/cases/{ref}/monitoring",
        {"review_at": later, "every_days": 60, "until": None, "owner": "exec@example.org"},
    )
    assert changed.status_code == 200, changed.get_json()
    schedule = changed.get_json()["monitoring"]
    assert schedule["next_review_at"] == later and schedule["every_days"] == 60
    assert schedule["until"] is None and schedule["owner"] == "exec@example.org"
    (audited,) = events(app, "monitoring.changed")
    assert audited.details["changes"]["until"] == {"from": "2028-06-30", "to": None}
    assert [n.audience for n in notices(app, kind="monitoring_owner")][-1] == slack_ids["exec"]
    no_note = patch(api, "exec", f"/cases/{ref}/monitoring", {"stop": True})
    assert no_note.status_code == 422
    stopped = patch(api, "exec", f"/cases/{ref}/monitoring", {"stop": True, "note": "settled"})
    assert stopped.status_code == 200 and stopped.get_json()["monitoring"] is None
    assert stopped.get_json()["status"] == "decided"
    assert patch(api, "exec", f"/cases/{ref}/monitoring", {"every_days": 5}).status_code == 409


def test_a_monitored_case_can_be_closed_and_still_takes_actions(api):
    ref = decided(api)
    monitor(api, ref)
    action = {
        "title": "Report to the regulator",
        "owner": "legal@example.org",
        "due_at": "2030-01-01",
    }
    assert api("admin").post(f"/cases/{ref}/actions", json=action).status_code == 201
    closed = api("admin").post(f"/cases/{ref}/close", json={"note": ""})
    assert closed.status_code == 409  # the action is still open, as for a decided case
    assert "open actions" in closed.get_json()["error"]["message"]
    action_id = api("admin").get(f"/cases/{ref}/actions").get_json()[0]["id"]
    done = {"status": "done", "note": "Reported"}
    assert patch(api, "legal", f"/cases/{ref}/actions/{action_id}", done).status_code == 200
    closed = api("admin").post(f"/cases/{ref}/close", json={"note": ""})  # decided: no note
    assert closed.status_code == 200 and closed.get_json()["status"] == "closed"
    assert api("admin").get(f"/cases/{ref}/monitoring").get_json()["monitoring"] is None


def test_cli_monitor_and_review(app, api, runner, slack_ids):
    ref = open_case(api)["ref"]
    early = runner.invoke(["cases", "monitor", ref, "--every", "90", "--as", "exec@example.org"])
    assert early.exit_code != 0 and "decided" in early.output
    api("exec").post(f"/cases/{ref}/decision", json=DECISION)
    args = ["cases", "monitor", ref, "--every", "90", "--until", "2028-06-30"]
    result = runner.invoke(args + ["--owner", "legal@example.org", "--as", "exec@example.org"])
    assert result.exit_code == 0, result.output
    assert "every 90 days until 2028-06-30, owner legal@example.org" in result.output
    bad = runner.invoke(["cases", "monitor", ref, "--every", "0", "--as", "exec@example.org"])
    assert bad.exit_code != 0 and "every_days" in bad.output
    args = ["cases", "review", ref, "--outcome", "continue", "--note", "phase 2 pending"]
    reviewed = runner.invoke(args + ["--as", "legal@example.org"])
    assert reviewed.exit_code == 0, reviewed.output
    assert "re-review recorded (continue); next re-review" in reviewed.output
    stop = ["cases", "monitor", ref, "--stop", "--note", "done", "--as", "exec@example.org"]
    stopped = runner.invoke(stop)
    assert stopped.exit_code == 0 and "monitoring stopped" in stopped.output
    again = runner.invoke(
        ["cases", "review", ref, "--outcome", "end", "--note", "x", "--as", "exec@example.org"]
    )
    assert again.exit_code != 0 and "not under monitoring" in again.output


def test_case_page_panel_forms_and_my_work(app, client, api):
    ref = decided(api)
    web_login(client, app, "exec@example.org")
    page = client.get(f"/cases/{ref}").get_data(as_text=True)
    assert "Put under monitoring" in page
    due = (date.today() + timedelta(days=14)).isoformat()
    response = client.post(
        f"/cases/{ref}/monitoring",
        data={
            "every_days": "90",
            "review_at": due,
            "owner": "exec@example.org",
            "csrf_token": csrf_from(page),
        },
    )
    assert response.status_code == 302
    page = client.get(f"/cases/{ref}").get_data(as_text=True)
    assert "Next re-review" in page and "every 90 days" in page and "Record re-review" in page
    assert "Record the re-review — due" in page  # the owner's next step on the case
    assert "badge-monitoring" in page
    home = client.get("/").get_data(as_text=True)
    assert "Re-review due" in home and ref in home
    refused = client.post(
        f"/cases/{ref}/reviews",
        data={"outcome": "continue", "note": "", "csrf_token": csrf_from(page)},
    )
    assert refused.status_code == 302
    flashed = client.get(f"/cases/{ref}").get_data(as_text=True)
    assert "is required" in flashed and "Past re-reviews" not in flashed
    client.post(
        f"/cases/{ref}/reviews",
        data={"outcome": "continue", "note": "Still phasing in", "csrf_token": csrf_from(page)},
    )
    page = client.get(f"/cases/{ref}").get_data(as_text=True)
    assert "Past re-reviews" in page and "Still phasing in" in page


def test_an_overdue_review_keeps_its_time_when_only_the_owner_changes(app, api):
    """The change form sends the next re-review as shown: the same minute is not a move, so an
    overdue review can be handed over; moving it into the past is refused."""
    from incident_hub.monitoring.models import CaseMonitoring

    ref = decided(api)
    monitor(api, ref, owner="legal@example.org")
    past = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(days=2)
    with app.app_context():
        db.session.execute(db.update(CaseMonitoring).values(next_review_at=past))
        db.session.commit()
    shown = past.strftime("%Y-%m-%dT%H:%M")  # what the web form holds
    body = {"review_at": shown, "owner": "exec@example.org"}
    handed = patch(api, "legal", f"/cases/{ref}/monitoring", body)
    assert handed.status_code == 200, handed.get_json()
    assert handed.get_json()["monitoring"]["next_review_at"] == at_iso(past)
    assert handed.get_json()["monitoring"]["overdue"] is True
    earlier = at_iso(past - timedelta(days=1))
    moved = patch(api, "exec", f"/cases/{ref}/monitoring", {"review_at": earlier})
    assert moved.status_code == 422 and moved.get_json()["error"]["field"] == "review_at"


def test_a_reopening_re_review_says_what_becomes_of_open_actions(app, api):
    """Reopening from a re-review follows the reopen's rule: every open action of the round is
    carried over or closed, never orphaned; without a choice nothing happens (409)."""
    from test_followthrough import new_action

    ref = decided(api)
    action = new_action(api, ref, title="Notify users").get_json()["id"]
    assert monitor(api, ref, owner="admin@example.org").status_code == 201
    refused = review(api, ref, who="admin", outcome="reopen", note="amended")
    assert refused.status_code == 409
    assert "Notify users" in refused.get_json()["error"]["message"]
    assert api("admin").get(f"/cases/{ref}/monitoring").get_json()["reviews"] == []
    body = {"outcome": "reopen", "note": "amended", "actions": {str(action): "carry"}}
    reopened = api("admin").post(f"/cases/{ref}/reviews", json=body)
    assert reopened.status_code == 201, reopened.get_json()
    (carried,) = [a for a in api("admin").get(f"/cases/{ref}/actions").get_json()]
    assert (carried["round"], carried["carried_from_round"]) == (2, 1)
