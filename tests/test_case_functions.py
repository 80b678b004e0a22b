"""A running case's functions through the JSON API on both databases: adding one (with its
playbook questions, a due time, an owner; a case awaiting its decision goes back to open) and
changing the playbook while nothing is filed (409 once something is)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from conftest import analysis_body, notices, open_case
from test_assignees import assignment, events

from incident_hub.clock import parse_iso

DECISION = {"option": "comply-narrowly", "rationale": "narrow", "override": True}


def playbooks(app):
    return app.extensions["incident_hub.playbooks"]


def test_adding_a_function_the_playbook_forgot(app, api, people, slack_ids):
    case = open_case(api)  # content-takedown: no engineering
    ref = case["ref"]
    assert "engineering" not in [a["function"] for a in case["assignments"]]
    response = api("triager").post(f"/cases/{ref}/assignments", json={"function": "engineering"})
    assert response.status_code == 201, response.get_json()
    engineering = assignment(response.get_json(), "engineering")
    assert engineering["owner"] == "tech@example.org"  # its one lead
    assert engineering["required"] is True and engineering["status"] == "pending"
    due = parse_iso(engineering["due_at"])
    assert (
        datetime.now(UTC)
        < due
        <= parse_iso(response.get_json()["decision_due_at"]) + timedelta(days=7)
    )
    [event] = events(app, "assignment.added")
    assert event.details["function"] == "engineering"
    assert event.details["questions_from"] == "civic-space"  # the first playbook listing it
    told = [n.audience for n in notices(app, kind="function_added")]
    assert told == [slack_ids["tech"]]
    # its lead files it, answering that playbook's questions
    spec = playbooks(app).get("civic-space").function("engineering")
    body = {
        "function": "engineering",
        "analysis": "feasible",
        "recommendation": "comply-narrowly",
        "answers": {q.key: "yes" for q in spec.questions},
    }
    filed = api("tech").post(f"/cases/{ref}/analyses", json=body)
    assert filed.status_code == 201, filed.get_json()
    assert assignment(filed.get_json(), "engineering")["status"] == "filed"
    # the web form asks the same questions
    from conftest import web_login

    web_login(api("tech").client, app, "tech@example.org")
    form = api("tech").client.get(f"/cases/{ref}/analysis/engineering")
    assert form.status_code == 200
    assert spec.questions[0].text[:40] in form.get_data(as_text=True)


def test_a_required_function_sends_a_case_awaiting_its_decision_back_to_open(app, api):
    ref = open_case(api)["ref"]
    assert api("exec").post(f"/cases/{ref}/request-decision", json={}).status_code == 200
    due = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
    response = api("admin").post(
        f"/cases/{ref}/assignments",
        json={
            "function": "privacy",
            "owner": "rights@example.org",
            "due_at": due.isoformat(),
            "questions_from": "data-localisation",
        },
    )
    assert response.status_code == 201, response.get_json()
    case = response.get_json()
    assert case["status"] == "open"
    privacy = assignment(case, "privacy")
    assert privacy["owner"] == "rights@example.org" and parse_iso(privacy["due_at"]) == due
    # an advisory one does not hold the decision back
    ref2 = open_case(api)["ref"]
    api("exec").post(f"/cases/{ref2}/request-decision", json={})
    optional = api("admin").post(
        f"/cases/{ref2}/assignments", json={"function": "privacy", "required": False}
    )
    assert optional.get_json()["status"] == "awaiting_decision"


def test_adding_a_function_refusals(app, api, people):
    ref = open_case(api)["ref"]
    path = f"/cases/{ref}/assignments"
    assert api("legal").post(path, json={"function": "engineering"}).status_code == 403
    assert api("exec").post(path, json={"function": "engineering"}).status_code == 403
    assert [e.actor for e in events(app, "assignment.add", "denied")] == [
        "legal@example.org",
        "exec@example.org",
    ]
    assert api("triager").post(path, json={"function": "legal"}).status_code == 409
    unknown = api("triager").post(path, json={"function": "astrology"})
    assert unknown.status_code == 422 and unknown.get_json()["error"]["field"] == "function"
    wrong = api("triager").post(
        path, json={"function": "engineering", "questions_from": "content-takedown"}
    )
    assert wrong.status_code == 422 and wrong.get_json()["error"]["field"] == "questions_from"
    assert api("triager").post(path, json={}).status_code == 422
    assert api("triager").post("/cases/INC-2020-0001/assignments", json={}).status_code == 404
    restricted = open_case(api, restricted=True)["ref"]
    assert (
        api("outsider")
        .post(f"/cases/{restricted}/assignments", json={"function": "engineering"})
        .status_code
        == 404
    )
    assert api("exec").post(f"/cases/{ref}/decision", json=DECISION).status_code == 201
    late = api("triager").post(path, json={"function": "engineering"})
    assert late.status_code == 409 and "decided" in late.get_json()["error"]["message"]


def test_changing_the_playbook_before_anything_is_filed(app, api, client, people, slack_ids):
    case = open_case(api)  # content-takedown
    ref = case["ref"]
    # the human-rights assignment is handed to someone else first: kept across the change
    handed = client.patch(
        f"/api/v1/cases/{ref}/assignments/human-rights",
        json={"owner": "policy@example.org"},
        headers=people["triager"].headers,
    )
    assert handed.status_code == 200
    response = client.put(
        f"/api/v1/cases/{ref}/playbook",
        json={"playbook": "network-shutdown"},
        headers=people["triager"].headers,
    )
    assert response.status_code == 200, response.get_json()
    changed = response.get_json()
    wanted = [f.key for f in playbooks(app).get("network-shutdown").functions]
    assert changed["playbook"] == "network-shutdown"
    assert sorted(a["function"] for a in changed["assignments"]) == sorted(wanted)
    assert assignment(changed, "human-rights")["owner"] == "policy@example.org"
    assert assignment(changed, "engineering")["owner"] == "tech@example.org"
    [event] = events(app, "case.playbook_changed")
    assert event.details["from"] == "content-takedown"
    assert "trust-safety" in event.details["removed"]
    assert "export-control" in event.details["added"]
    # the leads of the new functions are asked; trust & safety is told it is no longer needed
    texts = [n.payload["text"] for n in notices(app, kind="playbook_changed")]
    assert any("no longer needed" in t for t in texts)
    # an analysis filed: the playbook stays
    body = analysis_body(app, changed, "legal")
    assert api("legal").post(f"/cases/{ref}/analyses", json=body).status_code == 201
    refused = client.put(
        f"/api/v1/cases/{ref}/playbook",
        json={"playbook": "content-takedown"},
        headers=people["triager"].headers,
    )
    assert refused.status_code == 409
    assert "already has analyses filed" in refused.get_json()["error"]["message"]


def test_changing_the_playbook_refusals(app, api, client, people):
    ref = open_case(api)["ref"]

    def put(person: str, body: dict):
        return client.put(
            f"/api/v1/cases/{ref}/playbook", json=body, headers=people[person].headers
        )

    assert put("legal", {"playbook": "network-shutdown"}).status_code == 403
    assert [e.actor for e in events(app, "case.playbook_change", "denied")] == ["legal@example.org"]
    assert put("triager", {"playbook": "nope"}).status_code == 422
    assert put("triager", {}).status_code == 422
    assert put("triager", {"playbook": "network-shutdown", "version": 99}).status_code == 409
    same = put("triager", {"playbook": "content-takedown"})
    assert same.status_code == 200 and events(app, "case.playbook_changed") == []
    assert api("exec").post(f"/cases/{ref}/decision", json=DECISION).status_code == 201
    assert put("admin", {"playbook": "network-shutdown"}).status_code == 409


def test_a_playbook_change_never_drops_a_saved_draft_filing(app, api, client, people):
    """A draft filing is typed work: a change that would take its function off is refused,
    naming it; a playbook that keeps the function may still be chosen, the draft kept."""
    case = open_case(api)  # content-takedown: trust-safety, which network-shutdown lacks
    ref = case["ref"]
    draft = {**analysis_body(app, case, "trust-safety"), "draft": True}
    saved = api("tech").post(f"/cases/{ref}/analyses", json=draft)
    assert saved.status_code == 201, saved.get_json()
    assert assignment(saved.get_json(), "trust-safety")["status"] == "draft"

    def put(playbook: str):
        headers = people["triager"].headers
        return client.put(
            f"/api/v1/cases/{ref}/playbook", json={"playbook": playbook}, headers=headers
        )

    refused = put("network-shutdown")
    assert refused.status_code == 409, refused.get_json()
    assert "draft analysis saved for trust-safety" in refused.get_json()["error"]["message"]
    assert api("triager").get(f"/cases/{ref}").get_json()["playbook"] == "content-takedown"
    assert "trust-safety" in [f.key for f in playbooks(app).get("platform-regulation").functions]
    kept = put("platform-regulation")
    assert kept.status_code == 200, kept.get_json()
    assert assignment(kept.get_json(), "trust-safety")["status"] == "draft"
