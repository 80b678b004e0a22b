"""A refusal through a web page is the service's refusal: answered 403 with the service's own
message, and recorded in the audit trail exactly once, as the same refusal through the API is.

Each door is a real form post (signed-in session, CSRF token from a page the person may see) by
someone the action is not for; the form pages themselves ask the same service check first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from conftest import csrf_from, open_case, web_login
from sqlalchemy import select

from incident_hub.audit import service as audit
from incident_hub.audit.models import AuditEvent
from incident_hub.extensions import db

FORM_ENTRY = {"engaged_on": "2026-01-02", "summary": "Consulted on the draft"}
ENTRY = {**FORM_ENTRY, "confidential": False}


@dataclass(frozen=True)
class Door:
    """One web door: who is refused, where they post, what, and the refusal it records."""

    who: str
    path: str  # formatted with the case ref, organisation id and engagement id
    action: str  # the audit action of the refusal
    message: str  # what the service says (shown on the 403 page)
    form: dict[str, str] | None = None
    method: str = "POST"


ANALYSIS = {"analysis": "Not mine to file", "recommendation": "comply-narrowly"}
DOORS = {
    "open a case": Door(
        "legal",
        "/cases/new",
        "case.open",
        "only triagers and admins can open cases",
        {"title": "x", "playbook": "content-takedown", "jurisdiction": "TR"},
    ),
    "file another function's analysis": Door(
        "legal",
        "/cases/{ref}/analysis/human-rights",
        "analysis.file",
        "only a lead of Human rights can file its analysis",
        ANALYSIS,
    ),
    "a lead records a decision": Door(
        "legal",
        "/cases/{ref}/decision",
        "decision.record",
        "only an executive can record a decision",
        {"option": "comply-narrowly", "rationale": "mine to decide?"},
    ),
    "move to decision early": Door(
        "legal",
        "/cases/{ref}/request-decision",
        "case.request_decision",
        "only admins and executives can move a case to decision early",
    ),
    "close a case": Door("legal", "/cases/{ref}/close", "case.close", "only an admin can close"),
    "reopen a case": Door("legal", "/cases/{ref}/reopen", "case.reopen", "only an admin can"),
    "waive a function": Door(
        "legal", "/cases/{ref}/assignments/privacy/waive", "assignment.waive", "only an admin"
    ),
    "edit the assessment": Door(
        "exec",
        "/cases/{ref}/assessment",
        "assessment.update",
        "only admins and human-rights leads",
        {"assessment-form": "1", "test-legal-basis": "no", "version": "0"},
    ),
    "record a consultation": Door(
        "outsider",
        "/cases/{ref}/engagements/new",
        "engagement.record",
        "only the case's participants",
        {"new_org_name": "Org C", "new_org_kind": "peer", "may_name": "no", **FORM_ENTRY},
    ),
    "correct someone else's consultation": Door(
        "policy",
        "/cases/{ref}/engagements/{entry}/edit",
        "engagement.update",
        "only the person who recorded this entry, or an admin, can correct it",
        {"summary": "Rewritten", "engaged_on": "2026-01-02", "may_name": "yes"},
    ),
    "an outsider corrects a consultation": Door(
        "outsider",
        "/cases/{ref}/engagements/{entry}/edit",
        "engagement.update",
        "only the case's participants",
        {"summary": "Rewritten", "engaged_on": "2026-01-02", "may_name": "yes"},
    ),
    "edit someone else's organisation": Door(
        "rights",
        "/organisations/{org}/edit",
        "organisation.update",
        "only the person who added this organisation, or an admin, can edit it",
        {"name": "Renamed", "kind": "expert"},
    ),
    "link two cases": Door(
        "legal",
        "/cases/{ref}/links",
        "case.link",
        "only triagers and admins can link cases",
        {"other": "{other}", "kind": "related"},
    ),
    "dismiss an alert": Door(
        "legal",
        "/triage/1/dismiss",
        "alert.dismiss",
        "only triagers and admins",
        {"reason": "noise"},
    ),
    "add a source": Door(
        "legal",
        "/sources",
        "source.add",
        "only an admin can add sources",
        {"key": "k", "title": "t", "url": "https://feeds.example.org/x.xml"},
    ),
    "export the transparency report": Door(
        "legal",
        "/reports/transparency.json",
        "report.exported",
        "only admins, executives and triagers",
        method="GET",
    ),
}
# The form pages a refused person may not even open: asked through the same service check.
FORM_PAGES = [
    "open a case",
    "file another function's analysis",
    "a lead records a decision",
    "edit the assessment",
    "record a consultation",
    "correct someone else's consultation",
    "edit someone else's organisation",
]


@pytest.fixture
def world(app, api, people) -> dict[str, Any]:
    """A public case with one consultation (and its organisation) that the legal lead recorded,
    and a second case to link to."""
    ref = open_case(api)["ref"]
    other = open_case(api, title="Another order")["ref"]
    body = {"organisation": {"name": "Org A", "kind": "expert"}, **ENTRY}
    created = api("legal").post(f"/cases/{ref}/engagements", json=body)
    assert created.status_code == 201, created.get_json()
    entry = created.get_json()
    return {"ref": ref, "other": other, "entry": entry["id"], "org": entry["organisation"]["id"]}


def _refusals(app) -> list[tuple[str, str]]:
    with app.app_context():
        rows = db.session.execute(
            select(AuditEvent.action, AuditEvent.actor).where(AuditEvent.outcome == "denied")
        ).all()
        return [(action, actor) for action, actor in rows]


def _signed_in(app, people, who: str) -> tuple[Any, str]:
    """A browser signed in as ``who``, and a CSRF token from a page everyone may see."""
    browser = app.test_client()
    web_login(browser, app, people[who].email)
    return browser, csrf_from(browser.get("/").get_data(as_text=True))


def _check_one_refusal(app, people, door: Door, before: list, response: Any) -> None:
    html = response.get_data(as_text=True)
    assert response.status_code == 403, html[:500]
    assert "Not allowed" in html and door.message in html.replace("&#39;", "'"), html[:800]
    new = _refusals(app)[len(before) :]
    assert new == [(door.action, people[door.who].email)]
    with app.app_context():
        assert audit.verify().ok


@pytest.mark.parametrize("name", list(DOORS))
def test_a_refused_web_action_is_a_403_page_and_audited_once(app, people, world, name):
    door = DOORS[name]
    browser, token = _signed_in(app, people, door.who)
    path = door.path.format(**world)
    before = _refusals(app)
    if door.method == "GET":
        response = browser.get(path)
    else:
        form = {k: v.format(**world) for k, v in (door.form or {}).items()}
        response = browser.post(path, data={**form, "csrf_token": token})
    _check_one_refusal(app, people, door, before, response)


@pytest.mark.parametrize("name", FORM_PAGES)
def test_a_form_page_refused_is_a_403_page_and_audited_once(app, people, world, name):
    door = DOORS[name]
    browser, _token = _signed_in(app, people, door.who)
    before = _refusals(app)
    _check_one_refusal(app, people, door, before, browser.get(door.path.format(**world)))


def test_the_api_refuses_the_lead_recording_a_decision_the_same_way(app, api, people, world):
    """The reference: the same refusal through the API is one audit event with that message."""
    before = _refusals(app)
    response = api("legal").post(
        f"/cases/{world['ref']}/decision", json={"option": "comply-narrowly", "rationale": "x"}
    )
    assert response.status_code == 403
    assert response.get_json()["error"]["message"] == "only an executive can record a decision"
    assert _refusals(app)[len(before) :] == [("decision.record", people["legal"].email)]
