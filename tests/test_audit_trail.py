"""The audit trail as admins use it: sensitive reads recorded, browse, head hash, JSON Lines."""

from __future__ import annotations

import hashlib
import json

from conftest import csrf_from, open_case, web_login

from incident_hub.audit.models import AuditEvent
from incident_hub.audit.service import GENESIS
from incident_hub.extensions import db


def _events(app, **where) -> list[AuditEvent]:
    with app.app_context():
        rows = db.session.execute(db.select(AuditEvent).filter_by(**where).order_by(AuditEvent.id))
        found = list(rows.scalars())
        db.session.expunge_all()
        return found


def _restricted(api) -> str:
    response = api("admin").post(
        "/cases",
        json={
            "title": "Secret interception order",
            "playbook": "content-takedown",
            "jurisdiction": "GB",
            "restricted": True,
        },
    )
    return response.get_json()["ref"]


def test_reading_a_restricted_case_is_recorded_and_so_is_a_refused_look(app, api, client, people):
    ref = _restricted(api)
    public = open_case(api)["ref"]
    api("exec").get(f"/cases/{ref}")
    api("exec").get(f"/cases/{public}")  # an ordinary case: not a sensitive read
    assert api("outsider").get(f"/cases/{ref}").status_code == 404
    web_login(client, app, people["legal"].email)  # a participant (legal is assigned)
    assert client.get(f"/cases/{ref}").status_code == 200
    views = [(e.actor, e.outcome, e.origin.split()[0]) for e in _events(app, action="case.viewed")]
    assert views == [
        ("exec@example.org", "ok", "api"),
        ("outsider@example.org", "denied", "api"),
        ("legal@example.org", "ok", "web"),
    ]


def test_admins_browse_filter_and_verify_the_trail(app, api, client, people):
    ref = open_case(api)["ref"]
    api("triager").post(f"/cases/{ref}/decision", json={"option": "x", "rationale": "r"})
    web_login(client, app, people["admin"].email)
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "case.opened" in page and "Chain head" in page
    denied = client.get("/admin/audit?outcome=denied").get_data(as_text=True)
    assert "decision.record" in denied and "case.opened" not in denied
    by_case = client.get(f"/admin/audit?case={ref}").get_data(as_text=True)
    assert "case.opened" in by_case
    checked = client.post("/admin/audit/verify", data={"csrf_token": csrf_from(page)})
    assert "The chain is intact" in checked.get_data(as_text=True)
    other = app.test_client()
    web_login(other, app, people["exec"].email)
    assert other.get("/admin/audit").status_code == 403
    assert other.get("/admin/audit/export.jsonl").status_code == 403


def test_the_export_can_be_verified_outside_the_database(app, api, client, people):
    case = open_case(api)
    api("legal").post(f"/cases/{case['ref']}/follow")
    web_login(client, app, people["admin"].email)
    body = client.get("/admin/audit/export.jsonl").get_data(as_text=True)
    lines = [json.loads(line) for line in body.splitlines()]
    prev = GENESIS
    for event in lines:  # recompute the chain from the exported fields alone
        content = {
            k: event[k]
            for k in (
                "at",
                "actor_id",
                "actor",
                "action",
                "object_type",
                "object_ref",
                "case_id",
                "origin",
                "outcome",
                "details",
            )
        }
        canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert event["prev_hash"] == prev
        assert hashlib.sha256((prev + canonical).encode()).hexdigest() == event["hash"]
        prev = event["hash"]
    assert len(lines) >= 3
    assert _events(app, action="audit.exported"), "exporting is itself on record"


def test_head_hash_through_api_and_cli(app, api, runner):
    open_case(api)
    before = api("admin").get("/audit/head").get_json()
    assert before["events"] >= 1 and len(before["head_hash"]) == 64
    assert api("legal").get("/audit/head").status_code == 403  # refused, and that is recorded
    head = api("admin").get("/audit/head").get_json()
    assert head["events"] == before["events"] + 1
    refused = api("admin").get("/audit?outcome=denied&action=audit.read").get_json()
    assert [e["actor"] for e in refused] == ["legal@example.org"]
    cli = runner.invoke(["audit", "head"])
    assert cli.exit_code == 0 and head["head_hash"] in cli.output
    exported = runner.invoke(["audit", "export"])
    assert exported.exit_code == 0 and head["head_hash"] in exported.output
    listed = api("admin").get("/audit?action=case.&limit=5")
    assert listed.status_code == 200 and listed.get_json()[0]["action"].startswith("case.")


def test_a_refused_read_of_the_trail_or_the_outbox_is_itself_recorded(app, api):
    for path, action in (("/audit", "audit.read"), ("/notices", "notice.list")):
        assert api("legal").get(path).status_code == 403
        events = api("admin").get(f"/audit?outcome=denied&action={action}").get_json()
        assert [(e["actor"], e["outcome"]) for e in events] == [("legal@example.org", "denied")]
