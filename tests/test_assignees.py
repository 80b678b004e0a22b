"""Named assignees through the JSON API on both databases: each assignment's owner (the
opener's choice, else the function's one lead) and delegates; reassigning and delegating (who
may, refusals audited, notices to the old and new owner and new delegates); reminders to the
owner and delegates instead of every lead; a restricted case visible to a new owner; filing by
an owner who does not lead the function; My work."""

from __future__ import annotations

from datetime import timedelta

import pytest
from conftest import CLI, Person, analysis_body, notices, open_case, web_login, working
from sqlalchemy import select

from incident_hub.audit.models import AuditEvent
from incident_hub.auth.service import create_user, issue_token
from incident_hub.clock import parse_iso
from incident_hub.extensions import db


def add_person(app, name: str, roles: list[str], functions: list[str]) -> Person:
    with app.app_context():
        user = create_user(
            CLI, email=f"{name}@example.org", name=name.title(), roles=roles, functions=functions
        )
        user.slack_user_id = f"U{name.upper()}"
        db.session.commit()
        return Person(user.email, issue_token(CLI, user, "test"))


def patch(client, person: Person | None, path: str, body: dict):
    headers = person.headers if person else {}
    return client.patch(f"/api/v1{path}", json=body, headers=headers)


def assignment(case: dict, function: str) -> dict:
    return next(a for a in case["assignments"] if a["function"] == function)


def events(app, action: str, outcome: str = "ok") -> list[AuditEvent]:
    with app.app_context():
        rows = db.session.execute(
            select(AuditEvent)
            .where(AuditEvent.action == action, AuditEvent.outcome == outcome)
            .order_by(AuditEvent.id)
        ).scalars()
        found = list(rows)
        db.session.expunge_all()
        return found


@pytest.fixture
def legal2(app, people) -> Person:
    """A second lead of legal: the function no longer has exactly one lead."""
    return add_person(app, "counsel", ["lead"], ["legal"])


def test_the_one_lead_of_a_function_owns_it_and_several_wait_to_be_taken(app, api, people):
    case = open_case(api)
    legal = assignment(case, "legal")
    assert legal["owner"] == "legal@example.org" and legal["delegates"] == []
    add_person(app, "counsel", ["lead"], ["legal"])
    case = open_case(api)
    legal = assignment(case, "legal")
    assert legal["owner"] is None
    assert sorted(legal["leads"]) == ["counsel@example.org", "legal@example.org"]
    assert assignment(case, "human-rights")["owner"] == "rights@example.org"


def test_the_opener_chooses_an_owner_among_the_assigned_leads(app, api, people, legal2):
    case = open_case(api, owners={"legal": "counsel@example.org"})
    assert assignment(case, "legal")["owner"] == "counsel@example.org"
    bad = api("triager").post(
        "/cases",
        json={
            "title": "Order",
            "playbook": "content-takedown",
            "jurisdiction": "TR",
            "owners": {"legal": "rights@example.org"},
        },
    )
    assert bad.status_code == 422, bad.get_json()
    assert "rights@example.org" in bad.get_json()["error"]["message"]
    # and when the opener names the leads, the owner must be one of them
    bad = api("triager").post(
        "/cases",
        json={
            "title": "Order",
            "playbook": "content-takedown",
            "jurisdiction": "TR",
            "leads": {"legal": ["legal@example.org"]},
            "owners": {"legal": "counsel@example.org"},
        },
    )
    assert bad.status_code == 422


def test_reassign_and_delegate_are_audited_and_tell_the_old_and_new_owner(
    app, api, client, people, legal2, slack_ids
):
    ref = open_case(api, owners={"legal": "legal@example.org"})["ref"]
    body = {"owner": "counsel@example.org", "add_delegates": ["rights@example.org"]}
    response = patch(client, people["triager"], f"/cases/{ref}/assignments/legal", body)
    assert response.status_code == 200, response.get_json()
    legal = assignment(response.get_json(), "legal")
    assert legal["owner"] == "counsel@example.org"
    assert legal["delegates"] == ["rights@example.org"]
    [event] = events(app, "assignment.changed")
    assert event.actor == "triager@example.org"
    assert event.details == {
        "function": "legal",
        "owner": {"from": "legal@example.org", "to": "counsel@example.org"},
        "delegates_added": ["rights@example.org"],
    }
    told = {n.audience: n.payload["text"] for n in notices(app, kind="assignment_changed")}
    assert set(told) == {"UCOUNSEL", slack_ids["legal"], slack_ids["rights"]}
    assert "Assigned to you" in told["UCOUNSEL"]
    assert "No longer assigned to you" in told[slack_ids["legal"]]
    assert "Delegated to you" in told[slack_ids["rights"]]
    # sending what is already so changes nothing and records nothing
    again = patch(client, people["triager"], f"/cases/{ref}/assignments/legal", body)
    assert again.status_code == 200
    assert len(events(app, "assignment.changed")) == 1
    # delegates: the whole list replaces; a delegate taken off
    response = patch(client, people["admin"], f"/cases/{ref}/assignments/legal", {"delegates": []})
    assert assignment(response.get_json(), "legal")["delegates"] == []
    assert events(app, "assignment.changed")[-1].details["delegates_removed"] == [
        "rights@example.org"
    ]
    timeline = api("admin").get(f"/cases/{ref}/timeline").get_json()
    assert [e["action"] for e in timeline].count("assignment.changed") == 2


def test_who_may_change_an_assignment(app, api, client, people, legal2):
    ref = open_case(api)["ref"]  # legal: two leads, nobody owns it yet
    path = f"/cases/{ref}/assignments/legal"
    # a lead of another function may not
    refused = patch(client, people["rights"], path, {"owner": "rights@example.org"})
    assert refused.status_code == 403
    assert "owner of Legal" in refused.get_json()["error"]["message"]
    # a lead of the function takes an unowned one (themselves only)
    assert patch(client, people["legal"], path, {"owner": "counsel@example.org"}).status_code == 403
    taken = patch(client, people["legal"], path, {"owner": "legal@example.org"})
    assert assignment(taken.get_json(), "legal")["owner"] == "legal@example.org"
    # taken: the other lead can no longer take it ...
    assert patch(client, legal2, path, {"owner": "counsel@example.org"}).status_code == 403
    # ... but its owner hands it on (a leave), and delegates
    handed = patch(
        client,
        people["legal"],
        path,
        {"owner": "counsel@example.org", "add_delegates": ["legal@example.org"]},
    )
    legal = assignment(handed.get_json(), "legal")
    assert legal["owner"] == "counsel@example.org" and legal["delegates"] == ["legal@example.org"]
    # the former owner, now a delegate, may step down but not change the owner
    assert patch(client, people["legal"], path, {"owner": "legal@example.org"}).status_code == 403
    left = patch(client, people["legal"], path, {"remove_delegates": ["legal@example.org"]})
    assert assignment(left.get_json(), "legal")["delegates"] == []
    # the opener (a triager) and admins may; an executive who did not open it may not
    assert patch(client, people["exec"], path, {"owner": "legal@example.org"}).status_code == 403
    assert patch(client, people["admin"], path, {"owner": "legal@example.org"}).status_code == 200
    denied = events(app, "assignment.change", "denied")
    assert [e.actor for e in denied] == [
        "rights@example.org",
        "legal@example.org",
        "counsel@example.org",
        "legal@example.org",
        "exec@example.org",
    ]
    assert patch(client, None, path, {"owner": "legal@example.org"}).status_code == 401


def test_bad_assignment_changes_answer_clearly(app, api, client, people):
    ref = open_case(api)["ref"]
    admin = people["admin"]
    path = f"/cases/{ref}/assignments/legal"
    assert patch(client, admin, f"/cases/{ref}/assignments/nope", {"owner": "x"}).status_code == 404
    assert patch(client, admin, "/cases/INC-2020-9999/assignments/legal", {}).status_code == 404
    unknown = patch(client, admin, path, {"owner": "nobody@example.org"})
    assert unknown.status_code == 422 and unknown.get_json()["error"]["field"] == "owner"
    both = patch(client, admin, path, {"delegates": [], "add_delegates": ["rights@example.org"]})
    assert both.status_code == 422
    assert patch(client, admin, path, {"owner": ["a"]}).status_code in (400, 422)
    assert client.patch(f"/api/v1{path}", data="{", headers=admin.headers).status_code == 400
    decided = api("exec").post(
        f"/cases/{ref}/decision",
        json={"option": "comply-narrowly", "rationale": "narrow", "override": True},
    )
    assert decided.status_code == 201
    late = patch(client, admin, path, {"owner": "legal@example.org", "add_delegates": ["x@y.z"]})
    assert late.status_code == 422  # an unknown delegate is refused before the state
    late = patch(client, admin, path, {"add_delegates": ["rights@example.org"]})
    assert late.status_code == 409


def test_reminders_go_to_the_owner_and_delegates_not_every_lead(
    app, api, client, people, runner, legal2, slack_ids
):
    case = open_case(api, owners={"legal": "counsel@example.org"})
    ref = case["ref"]
    body = {"add_delegates": ["policy@example.org"]}
    changed = patch(client, people["triager"], f"/cases/{ref}/assignments/legal", body)
    assert changed.status_code == 200
    # another case, nobody owns legal: its leads are reminded, as before
    other = open_case(api)
    due = parse_iso(assignment(case, "legal")["due_at"])
    at = working(due + timedelta(minutes=1))
    result = runner.invoke(["tick", "--at", at.isoformat()])
    assert result.exit_code == 0, result.output
    with app.app_context():
        from incident_hub.cases.models import Case

        ids = {
            c.ref: c.id for c in db.session.execute(select(Case)).scalars()
        }  # notices carry the case id
    overdue = notices(app, kind="assignment_overdue")
    legal_on_case = {
        n.audience for n in overdue if n.case_id == ids[ref] and "Legal" in n.payload["text"]
    }
    assert legal_on_case == {"UCOUNSEL", slack_ids["policy"]}
    legal_on_other = {
        n.audience
        for n in overdue
        if n.case_id == ids[other["ref"]] and "Legal" in n.payload["text"]
    }
    assert legal_on_other == {"UCOUNSEL", slack_ids["legal"]}


def test_a_new_owner_sees_a_restricted_case_and_may_file_for_it(app, api, client, people):
    ref = open_case(api, restricted=True)["ref"]
    outsider = people["outsider"]  # leads export-control only: no part in this case
    assert api("outsider").get(f"/cases/{ref}").status_code == 404
    body = analysis_body(app, open_case(api), "legal")
    assert api("outsider").post(f"/cases/{ref}/analyses", json=body).status_code == 404
    response = patch(
        client, people["triager"], f"/cases/{ref}/assignments/legal", {"owner": outsider.email}
    )
    assert response.status_code == 200, response.get_json()
    case = api("outsider").get(f"/cases/{ref}")
    assert case.status_code == 200
    assert ref in [c["ref"] for c in api("outsider").get("/cases").get_json()]
    browser = app.test_client()
    web_login(browser, app, outsider.email)
    page = browser.get(f"/cases/{ref}").get_data(as_text=True)
    assert "File the legal" in page  # next for them
    filed = api("outsider").post(f"/cases/{ref}/analyses", json=body)
    assert filed.status_code == 201, filed.get_json()
    members = api("triager").get(f"/cases/{ref}/members").get_json()
    assert {"email": outsider.email, "function": "legal", "kind": "assigned"}.items() <= next(
        m for m in members if m["email"] == outsider.email
    ).items()
    # a delegate taken off loses the access their delegation gave
    ref2 = open_case(api, restricted=True)["ref"]
    path = f"/cases/{ref2}/assignments/legal"
    patch(client, people["triager"], path, {"add_delegates": [outsider.email]})
    assert api("outsider").get(f"/cases/{ref2}").status_code == 200
    patch(client, people["triager"], path, {"remove_delegates": [outsider.email]})
    assert api("outsider").get(f"/cases/{ref2}").status_code == 404
    # a lead of another function is not told anything of a restricted case: 404
    assert patch(client, outsider, path, {"owner": outsider.email}).status_code == 404


def test_my_work_shows_an_assignment_as_owed_by_its_owner_and_listed_for_other_leads(
    app, api, client, people, legal2
):
    ref = open_case(api, owners={"legal": "counsel@example.org"})["ref"]
    patch(
        client,
        people["triager"],
        f"/cases/{ref}/assignments/legal",
        {"add_delegates": ["outsider@example.org"]},
    )

    def my_work(email: str) -> str:
        browser = app.test_client()
        web_login(browser, app, email)
        return browser.get("/").get_data(as_text=True)

    page = my_work("counsel@example.org")
    assert ref in page and "Owed by you" in page
    page = my_work("outsider@example.org")  # a delegate who does not lead legal
    assert ref in page and "Owed by you" in page
    page = my_work("legal@example.org")  # the other lead still sees it, not as theirs
    assert ref in page and "owned by Counsel" in page and "Owed by you" not in page
