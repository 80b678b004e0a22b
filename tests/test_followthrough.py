"""Follow-through actions after a decision, through the API and the web forms: who may add,
complete, waive and review them, the notes they need, rounds, and the closing gate."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from conftest import csrf_from, notices, open_case, web_login

from incident_hub.audit.models import AuditEvent
from incident_hub.extensions import db

DECISION = {"option": "comply-narrowly", "rationale": "narrow and lawful", "override": True}


def soon(**delta) -> str:
    return (datetime.now(UTC) + timedelta(**delta)).isoformat()


def decided_case(api, **extra) -> str:
    """A case opened by the triager and decided by the executive; its reference."""
    ref = open_case(api, **extra)["ref"]
    response = api("exec").post(f"/cases/{ref}/decision", json=DECISION)
    assert response.status_code == 201, response.get_json()
    return ref


def new_action(api, ref: str, who: str = "admin", **extra):  # noqa: ANN201
    body = {
        "title": "Publish the order in the transparency report",
        "owner": "legal@example.org",
        "due_at": soon(days=7),
    }
    return api(who).post(f"/cases/{ref}/actions", json=body | extra)


def patch(client, people, who: str, path: str, body):  # noqa: ANN001, ANN201
    return client.patch(f"/api/v1{path}", json=body, headers=people[who].headers)


def events(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        rows = db.session.execute(
            db.select(AuditEvent).filter_by(action=action).order_by(AuditEvent.id)
        )
        found = list(rows.scalars())
        db.session.expunge_all()
        return found


def test_actions_follow_a_decision(app, api, slack_ids):
    ref = open_case(api)["ref"]
    early = new_action(api, ref)
    assert early.status_code == 409 and "decided" in early.get_json()["error"]["message"]
    api("exec").post(f"/cases/{ref}/decision", json=DECISION)
    created = new_action(api, ref, detail="Count it under F6", review_on=str(date.today()))
    assert created.status_code == 422 and created.get_json()["error"]["field"] == "review_on"
    created = new_action(api, ref, review_on=str(date.today() + timedelta(days=30)))
    assert created.status_code == 201, created.get_json()
    action = created.get_json()
    assert action["owner"] == "legal@example.org" and action["status"] == "open"
    assert action["round"] == 1 and action["current_round"] is True
    listed = api("outsider").get(f"/cases/{ref}/actions")  # every viewer of the case sees them
    assert listed.status_code == 200 and [a["id"] for a in listed.get_json()] == [action["id"]]
    assert listed.headers["X-Total-Count"] == "1"
    assert api("legal").get(f"/cases/{ref}/actions?limit=0").status_code == 422
    assert api("legal").get(f"/cases/{ref}/actions?offset=1").get_json() == []
    (told,) = notices(app, kind="action_assigned")
    assert told.audience == slack_ids["legal"] and "Publish the order" in told.payload["text"]
    (added,) = events(app, "action.added")
    assert added.details["owner"] == "legal@example.org" and added.details["action"] == action["id"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": ""}, "title"),
        ({"owner": "nobody@example.org"}, "owner"),
        ({"owner": 2**40}, "owner"),
        ({"owner": None}, "owner"),
        ({"due_at": "next week"}, "due_at"),
        ({"due_at": None}, "due_at"),
        ({"review_on": "soon"}, "review_on"),
    ],
)
def test_bad_actions_are_refused_with_the_field(api, body, field):
    ref = decided_case(api)
    response = new_action(api, ref, **body)
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["error"]["field"] == field


def test_who_may_do_what_with_an_action(app, client, api, people):
    """add: admins, executives, the opener (the triager here) · done: the owner, admins,
    executives · waive: admins and executives · change owner/dates: as add."""
    ref = decided_case(api)
    for who, status in [("legal", 403), ("outsider", 403), ("rights", 403), ("triager", 201)]:
        assert new_action(api, ref, who).status_code == status, who
    for who in ("admin", "exec", "admin"):
        assert new_action(api, ref, who).status_code == 201, who
    ids = [a["id"] for a in api("admin").get(f"/cases/{ref}/actions").get_json()]
    done = {"status": "done", "note": "Published on 3 March"}
    waived = {"status": "waived", "note": "The order was withdrawn"}
    table = [
        ("triager", done, 403),  # the opener adds, but does not complete for the owner
        ("outsider", done, 403),
        ("rights", done, 403),
        ("legal", waived, 403),  # the owner may not waive their own action
        ("triager", waived, 403),
        ("legal", {"owner": "rights@example.org"}, 403),
        ("legal", done, 200),  # the owner
        ("admin", done, 200),
        ("exec", waived, 200),
        ("triager", {"due_at": soon(days=9)}, 200),  # the opener reschedules
    ]
    for (who, body, status), action_id in zip(table, [ids[0]] * 6 + ids[:4], strict=True):
        response = patch(client, people, who, f"/cases/{ref}/actions/{action_id}", body)
        assert response.status_code == status, (who, body, response.get_json())
    statuses = {a["id"]: a["status"] for a in api("admin").get(f"/cases/{ref}/actions").get_json()}
    assert [statuses[i] for i in ids] == ["done", "done", "waived", "open"]
    denied = [e for e in events(app, "action.waive") if e.outcome == "denied"]
    assert len(denied) == 2  # refusals are on the audit trail too
    again = patch(client, people, "admin", f"/cases/{ref}/actions/{ids[0]}", waived)
    assert again.status_code == 409  # done is done
    # Refused before the values are looked at: 403 whatever is sent.
    garbage = patch(client, people, "outsider", f"/cases/{ref}/actions/{ids[3]}", {"x": 1})
    assert garbage.status_code == 403
    assert patch(client, people, "admin", f"/cases/{ref}/actions/99999", done).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "done"}, "note"),
        ({"status": "waived", "note": "   "}, "note"),
        ({"note": "a note without a status"}, "note"),
        ({"status": "open", "note": "x"}, "status"),
        ({}, None),
        ({"effectiveness": ""}, "effectiveness"),
    ],
)
def test_done_and_waive_need_a_note(client, api, people, body, field):
    ref = decided_case(api)
    action_id = new_action(api, ref).get_json()["id"]
    response = patch(client, people, "admin", f"/cases/{ref}/actions/{action_id}", body)
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["error"].get("field") == field


def test_edits_are_audited_with_before_and_after(app, client, api, people, slack_ids):
    ref = decided_case(api)
    action_id = new_action(api, ref).get_json()["id"]
    due = soon(days=20)
    response = patch(
        client,
        people,
        "exec",
        f"/cases/{ref}/actions/{action_id}",
        {"owner": "rights@example.org", "due_at": due},
    )
    assert response.status_code == 200 and response.get_json()["owner"] == "rights@example.org"
    (updated,) = events(app, "action.updated")
    assert updated.details["before"]["owner"] == "legal@example.org"
    assert updated.details["after"]["owner"] == "rights@example.org"
    assert set(updated.details["before"]) == {"owner", "due_at"}
    told = [n.audience for n in notices(app, kind="action_assigned")]
    assert told == [slack_ids["legal"], slack_ids["rights"]]  # the new owner hears of it


def test_effectiveness_is_reviewed_after_the_review_date(app, client, api, people):
    ref = decided_case(api)
    today = date.today()
    past = new_action(api, ref, due_at=soon(days=-3), review_on=str(today)).get_json()["id"]
    later = new_action(api, ref, review_on=str(today + timedelta(days=60))).get_json()["id"]
    review = {"effectiveness": "The posts stayed up outside Turkey; no user complaints."}
    path = f"/cases/{ref}/actions/{past}"
    assert patch(client, people, "legal", path, review).status_code == 409  # still open
    patch(client, people, "legal", path, {"status": "done", "note": "Geo-restricted 40 posts"})
    assert patch(client, people, "outsider", path, review).status_code == 403
    reviewed = patch(client, people, "legal", path, review)
    assert reviewed.status_code == 200 and reviewed.get_json()["effectiveness"].startswith("The")
    patch(client, people, "admin", f"/cases/{ref}/actions/{later}", {"status": "done", "note": "x"})
    early = patch(client, people, "admin", f"/cases/{ref}/actions/{later}", review)
    assert early.status_code == 409 and "due on" in early.get_json()["error"]["message"]
    (event,) = events(app, "action.reviewed")
    assert event.details["before"] == "" and event.details["after"] == review["effectiveness"]


def test_close_waits_for_every_action(app, client, api, people):
    ref = decided_case(api)
    first = new_action(api, ref, title="Notify affected users").get_json()["id"]
    second = new_action(api, ref, title="Brief GNI").get_json()["id"]
    refused = api("admin").post(f"/cases/{ref}/close", json={"note": ""})
    message = refused.get_json()["error"]["message"]
    assert refused.status_code == 409 and "Notify affected users" in message
    assert "Brief GNI" in message
    # The web form says the same as a message on the case page.
    web_login(client, app, people["admin"].email)
    page = client.get(f"/cases/{ref}")
    closed = client.post(
        f"/cases/{ref}/close",
        data={"note": "", "csrf_token": csrf_from(page.get_data(as_text=True))},
        follow_redirects=True,
    )
    assert "flash-error" in closed.get_data(as_text=True)
    assert "has open actions" in closed.get_data(as_text=True)
    patch(
        client, people, "legal", f"/cases/{ref}/actions/{first}", {"status": "done", "note": "ok"}
    )
    still = api("admin").post(f"/cases/{ref}/close", json={})
    assert still.status_code == 409 and "Notify" not in still.get_json()["error"]["message"]
    waive = {"status": "waived", "note": "GNI was briefed at the annual meeting"}
    patch(client, people, "exec", f"/cases/{ref}/actions/{second}", waive)
    assert api("admin").post(f"/cases/{ref}/close", json={}).get_json()["status"] == "closed"


def test_actions_belong_to_their_round(client, api, people):
    ref = decided_case(api)
    first = new_action(api, ref).get_json()["id"]
    patch(client, people, "legal", f"/cases/{ref}/actions/{first}", {"status": "done", "note": "x"})
    api("admin").post(f"/cases/{ref}/reopen", json={"note": "the law was amended"})
    assert new_action(api, ref).status_code == 409  # round 2 is not decided yet
    api("exec").post(f"/cases/{ref}/decision", json=DECISION)
    second = new_action(api, ref, title="Round two action").get_json()
    listed = api("legal").get(f"/cases/{ref}/actions").get_json()
    assert [(a["id"], a["round"], a["current_round"]) for a in listed] == [
        (second["id"], 2, True),
        (first, 1, False),
    ]


def test_restricted_case_actions(app, api, slack_ids):
    ref = open_case(api, restricted=True, title="Secret interception notice")["ref"]
    api("exec").post(f"/cases/{ref}/decision", json=DECISION)
    refused = new_action(api, ref, owner="outsider@example.org")
    assert refused.status_code == 422 and refused.get_json()["error"]["field"] == "owner"
    assert new_action(api, ref, title="Challenge the notice in court").status_code == 201
    assert api("outsider").get(f"/cases/{ref}/actions").status_code == 404
    assert new_action(api, ref, "outsider").status_code == 404  # not 403: it does not exist
    (told,) = notices(app, kind="action_assigned")
    text = str(told.payload)
    assert ref in text and "Secret" not in text and "Challenge" not in text


def test_web_forms_add_complete_waive_and_review(app, client, api, people):
    ref = decided_case(api)
    web_login(client, app, people["admin"].email)
    page = client.get(f"/cases/{ref}").get_data(as_text=True)
    assert 'for="action-title"' in page and 'for="action-owner"' in page
    token = csrf_from(page)
    with app.app_context():
        from incident_hub.auth.models import User

        legal = db.session.execute(db.select(User).filter_by(email="legal@example.org")).scalar()
        legal_id = legal.id
    form = {
        "title": "Tell users in Turkey",
        "owner": str(legal_id),
        "due_at": (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "review_on": str(date.today()),
        "csrf_token": token,
    }
    response = client.post(f"/cases/{ref}/actions", data=form, follow_redirects=True)
    assert "Action added" in response.get_data(as_text=True)
    form["title"] = "Second action"
    client.post(f"/cases/{ref}/actions", data=form)
    first, second = sorted(a["id"] for a in api("admin").get(f"/cases/{ref}/actions").get_json())
    html = client.get(f"/cases/{ref}").get_data(as_text=True)
    assert f'for="done-note-{first}"' in html and f'for="waive-note-{first}"' in html
    empty = client.post(
        f"/cases/{ref}/actions/{first}/done",
        data={"note": "", "csrf_token": token},
        follow_redirects=True,
    )
    assert "a note saying what was done is required" in empty.get_data(as_text=True)
    client.post(f"/cases/{ref}/actions/{first}/done", data={"note": "Sent", "csrf_token": token})
    client.post(f"/cases/{ref}/actions/{second}/waive", data={"note": "No", "csrf_token": token})
    html = client.get(f"/cases/{ref}").get_data(as_text=True)
    assert f'for="review-{first}"' in html  # done, and the review date has come
    reviewed = client.post(
        f"/cases/{ref}/actions/{first}/review",
        data={"effectiveness": "Users understood why", "csrf_token": token},
        follow_redirects=True,
    )
    assert "Effectiveness review recorded" in reviewed.get_data(as_text=True)
    states = {a["id"]: a["status"] for a in api("admin").get(f"/cases/{ref}/actions").get_json()}
    assert states == {first: "done", second: "waived"}
    no_csrf = client.post(f"/cases/{ref}/actions/{second}/done", data={"note": "x"})
    assert no_csrf.status_code == 400


def test_my_work_lists_your_actions(app, client, api, people):
    ref = decided_case(api)
    new_action(api, ref, title="Draft the user notice")
    web_login(client, app, people["legal"].email)
    home = client.get("/").get_data(as_text=True)
    assert "Action: Draft the user notice" in home
    other = app.test_client()
    web_login(other, app, people["rights"].email)
    assert "Draft the user notice" not in other.get("/").get_data(as_text=True)
