"""Every role tried on every case action, on ordinary and restricted cases (through the API).

A refused request gets 401/403/404 and its body carries nothing but the error; a refused
action leaves the case unchanged and is itself audited.
"""

from __future__ import annotations

import pytest
from conftest import analysis_body, open_case

from incident_hub.audit.models import AuditEvent
from incident_hub.extensions import db

ROLES = ["admin", "triager", "legal", "outsider", "exec", None]


def _decided(api, app, ref):
    api("exec").post(
        f"/cases/{ref}/decision",
        json={"option": "comply-narrowly", "rationale": "r", "override": True},
    )


ACTIONS = {
    # name: (setup before the attempt, the attempt, {role: expected status})
    "open": (
        None,
        lambda a, app, case, who: a(who).post(
            "/cases",
            json={"title": "New order", "playbook": "content-takedown", "jurisdiction": "DE"},
        ),
        {"admin": 201, "triager": 201, "legal": 403, "outsider": 403, "exec": 403, None: 401},
    ),
    "file_legal_analysis": (
        None,
        lambda a, app, case, who: a(who).post(
            f"/cases/{case['ref']}/analyses", json=analysis_body(app, case, "legal")
        ),
        {"admin": 201, "triager": 403, "legal": 201, "outsider": 403, "exec": 403, None: 401},
    ),
    "decide": (
        None,
        lambda a, app, case, who: a(who).post(
            f"/cases/{case['ref']}/decision",
            json={"option": "comply-narrowly", "rationale": "r", "override": True},
        ),
        {"admin": 403, "triager": 403, "legal": 403, "outsider": 403, "exec": 201, None: 401},
    ),
    "request_decision": (
        None,
        lambda a, app, case, who: a(who).post(f"/cases/{case['ref']}/request-decision", json={}),
        {"admin": 200, "triager": 403, "legal": 403, "outsider": 403, "exec": 200, None: 401},
    ),
    "close": (
        None,
        lambda a, app, case, who: a(who).post(
            f"/cases/{case['ref']}/close", json={"note": "withdrawn by the ministry"}
        ),
        {"admin": 200, "triager": 403, "legal": 403, "outsider": 403, "exec": 403, None: 401},
    ),
    "reopen": (
        _decided,
        lambda a, app, case, who: a(who).post(
            f"/cases/{case['ref']}/reopen", json={"note": "law amended"}
        ),
        {"admin": 200, "triager": 403, "legal": 403, "outsider": 403, "exec": 403, None: 401},
    ),
    "waive": (
        None,
        lambda a, app, case, who: a(who).post(
            f"/cases/{case['ref']}/assignments/communications/waive", json={"note": "n/a"}
        ),
        {"admin": 200, "triager": 403, "legal": 403, "outsider": 403, "exec": 403, None: 401},
    ),
    "view": (
        None,
        lambda a, app, case, who: a(who).get(f"/cases/{case['ref']}"),
        {"admin": 200, "triager": 200, "legal": 200, "outsider": 200, "exec": 200, None: 401},
    ),
    "follow": (
        None,
        lambda a, app, case, who: a(who).post(f"/cases/{case['ref']}/follow"),
        {"admin": 200, "triager": 200, "legal": 200, "outsider": 200, "exec": 200, None: 401},
    ),
}

# On a restricted case opened by the admin, the triager and the outsider are not participants:
# the case does not exist for them (404), whatever they try.
RESTRICTED_HIDDEN = {"triager", "outsider"}


def _assert_refusal_leaks_nothing(response, case):
    body = response.get_json()
    assert set(body) == {"error"}, body
    assert case["title"] not in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "anonymous")
@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_role_matrix_on_an_ordinary_case(app, api, action, role):
    setup, attempt, expected = ACTIONS[action]
    case = open_case(api, title="Secret takedown strategy for TR")
    if setup:
        setup(api, app, case["ref"])
    before = api("admin").get(f"/cases/{case['ref']}").get_json()
    response = attempt(api, app, case, role)
    assert response.status_code == expected[role], (action, role, response.get_json())
    if response.status_code >= 400:
        _assert_refusal_leaks_nothing(response, case)
        after = api("admin").get(f"/cases/{case['ref']}").get_json()
        assert after == before, "a refused action changed the case"


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "anonymous")
@pytest.mark.parametrize("action", sorted(set(ACTIONS) - {"open"}))
def test_role_matrix_on_a_restricted_case(app, api, action, role):
    setup, attempt, expected = ACTIONS[action]
    response = api("admin").post(
        "/cases",
        json={
            "title": "Secret interception order",
            "playbook": "content-takedown",
            "jurisdiction": "GB",
            "restricted": True,
        },
    )
    case = response.get_json()
    if setup:
        setup(api, app, case["ref"])
    response = attempt(api, app, case, role)
    want = 404 if role in RESTRICTED_HIDDEN else expected[role]
    assert response.status_code == want, (action, role, response.get_json())
    if response.status_code >= 400:
        _assert_refusal_leaks_nothing(response, case)


def test_restricted_cases_are_left_out_of_lists_for_non_participants(api):
    api("admin").post(
        "/cases",
        json={
            "title": "Secret interception order",
            "restricted": True,
            "playbook": "content-takedown",
            "jurisdiction": "GB",
        },
    )
    open_case(api, title="Public takedown order")
    for role, visible in {"admin": 2, "exec": 2, "legal": 2, "triager": 1, "outsider": 1}.items():
        response = api(role).get("/cases")
        titles = [c["title"] for c in response.get_json()]
        assert len(titles) == visible and response.headers["X-Total-Count"] == str(visible), role
        if visible == 1:
            assert titles == ["Public takedown order"]


def test_a_lead_cannot_file_for_another_function(app, api):
    case = open_case(api)
    response = api("legal").post(
        f"/cases/{case['ref']}/analyses", json=analysis_body(app, case, "human-rights")
    )
    assert response.status_code == 403
    assert "Human rights" in response.get_json()["error"]["message"]


def test_denied_attempts_are_audited(app, api):
    case = open_case(api)
    api("triager").post(
        f"/cases/{case['ref']}/decision",
        json={"option": "comply-narrowly", "rationale": "r", "override": True},
    )
    with app.app_context():
        denied = _denied_events()
    assert [(e.action, e.actor, e.object_ref) for e in denied] == [
        ("decision.record", "triager@example.org", case["ref"])
    ]
    assert denied[0].origin.startswith("api")


def _denied_events():
    return (
        db.session.execute(db.select(AuditEvent).where(AuditEvent.outcome == "denied"))
        .scalars()
        .all()
    )


def test_disabled_users_tokens_stop_working(app, api, people):
    from incident_hub.auth.models import User

    assert api("legal").get("/cases").status_code == 200
    with app.app_context():
        user = db.session.execute(
            db.select(User).where(User.email == people["legal"].email)
        ).scalar_one()
        user.active = False
        db.session.commit()
    assert api("legal").get("/cases").status_code == 401
