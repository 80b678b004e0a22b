"""Related cases and merged duplicates, through the API and the web forms: links show on both
cases (only where the viewer may see the other case), restricted cases stay hidden, and a
merge closes the duplicate and moves its followers and alerts."""

from __future__ import annotations

from conftest import csrf_from, open_case, web_login

from incident_hub.audit.models import AuditEvent
from incident_hub.cases.models import Follow
from incident_hub.extensions import db
from incident_hub.watch.models import Alert, FeedItem, Source

DECISION = {"option": "comply-narrowly", "rationale": "r", "override": True}


def link(api, who: str, ref: str, other: str, kind: str = "related", note: str = ""):  # noqa: ANN201
    return api(who).post(f"/cases/{ref}/links", json={"other": other, "kind": kind, "note": note})


def audit(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        rows = db.session.execute(db.select(AuditEvent).filter_by(action=action))
        found = list(rows.scalars())
        db.session.expunge_all()
        return found


def test_a_link_shows_on_both_cases(app, api):
    turkey = open_case(api, title="Turkey: Law 7253 representative")["ref"]
    russia = open_case(api, title="Russia: 242-FZ localisation", jurisdiction="RU")["ref"]
    made = link(api, "triager", turkey, russia.lower(), "same_law", "local presence laws")
    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    assert body["other"]["ref"] == russia and body["direction"] == "outgoing"
    (from_russia,) = api("legal").get(f"/cases/{russia}/links").get_json()
    assert from_russia["other"]["ref"] == turkey and from_russia["direction"] == "incoming"
    assert from_russia["kind"] == "same_law" and from_russia["note"] == "local presence laws"
    assert link(api, "admin", russia, turkey).status_code == 409  # either direction
    assert link(api, "admin", turkey, russia, "duplicate_of").status_code == 409
    assert link(api, "admin", turkey, turkey).status_code == 422
    assert link(api, "admin", turkey, "INC-2999-0001").status_code == 404
    assert link(api, "admin", turkey, russia, "sibling").status_code == 422
    assert link(api, "legal", turkey, russia).status_code == 403  # leads do not link
    linked = audit(app, "case.linked")
    assert sorted(e.details["other"] for e in linked) == sorted([turkey, russia])
    # Removing it: admins and triagers; it goes from both cases.
    link_id = body["id"]
    assert api("legal").delete(f"/cases/{turkey}/links/{link_id}").status_code == 403
    assert api("admin").delete(f"/cases/{turkey}/links/999").status_code == 404
    assert api("triager").delete(f"/cases/{russia}/links/{link_id}").status_code == 200
    assert api("admin").get(f"/cases/{turkey}/links").get_json() == []
    assert len(audit(app, "case.unlinked")) == 2


def test_restricted_cases_are_linked_only_by_who_can_see_them(app, api):
    public = open_case(api, title="Public takedown order")["ref"]
    secret = open_case(api, title="Secret interception notice", restricted=True)["ref"]
    # The triager opened both, so sees both; the outsider (not a participant) sees only one.
    assert link(api, "admin", public, secret).status_code == 201
    listed = api("outsider").get(f"/cases/{public}/links")
    assert listed.status_code == 200 and listed.get_json() == []
    assert listed.headers["X-Total-Count"] == "0"
    assert api("outsider").get(f"/cases/{secret}/links").status_code == 404
    # A restricted case the triager is not on does not exist for it: 404, on either end.
    hidden = (
        api("admin")
        .post(
            "/cases",
            json={
                "title": "Admin's own secret",
                "playbook": "content-takedown",
                "jurisdiction": "TR",
                "restricted": True,
            },
        )
        .get_json()["ref"]
    )
    assert link(api, "triager", public, hidden).status_code == 404
    assert link(api, "triager", hidden, public).status_code == 404
    # The public case's timeline does not show the link to the restricted one at all.
    timeline = str(api("outsider").get(f"/cases/{public}/timeline").get_json())
    assert secret not in timeline and "restricted case" not in timeline
    page_client = app.test_client()
    web_login(page_client, app, "outsider@example.org")
    page = page_client.get(f"/cases/{public}").get_data(as_text=True)
    assert secret not in page and "Secret interception" not in page


def _alert_on(app, case_ref: str) -> int:
    from incident_hub.cases.models import Case

    with app.app_context():
        case = db.session.execute(db.select(Case).filter_by(ref=case_ref)).scalar_one()
        source = Source(key="links", title="Links feed", url="https://feeds.example.org/")
        item = FeedItem(source=source, guid="1", content_hash="0" * 64, title="Order published")
        alert = Alert(item=item, source=source, score=1.0, status="linked", case_id=case.id)
        db.session.add_all([source, item, alert])
        db.session.commit()
        return alert.id


def test_merging_a_duplicate(app, api, people):
    original = open_case(api, title="Order to remove 40 posts")["ref"]
    dup = open_case(api, title="Same order, reported twice")["ref"]
    alert_id = _alert_on(app, dup)
    for who in ("exec", "outsider"):
        api(who).post(f"/cases/{dup}/follow")
    api("exec").post(f"/cases/{original}/follow")  # already follows the original
    assert link(api, "legal", dup, original, "duplicate_of").status_code == 403
    merged = link(api, "triager", dup, original, "duplicate_of", "reported by two teams")
    assert merged.status_code == 201, merged.get_json()
    assert api("admin").get(f"/cases/{dup}").get_json()["status"] == "closed"
    (closed,) = audit(app, "case.closed")
    assert closed.details["reason"] == f"merged into {original}"
    with app.app_context():
        follows = db.session.execute(db.select(Follow.case_id, Follow.user_id)).all()
        alert = db.session.get(Alert, alert_id)
        assert alert.case_id != dup and alert.case_id is not None
        moved_to = alert.case_id
    assert {c for c, _ in follows} == {moved_to}  # every follower moved to the original
    assert len(follows) == 2
    (on_dup,) = audit(app, "case.merged")
    (on_original,) = audit(app, "case.merged_in")
    assert on_dup.details["alerts_moved"] == [alert_id]
    assert on_original.details["followers_moved"] == 2  # how many, never who
    (moved,) = audit(app, "alert.moved")
    assert moved.details == {"from": dup, "to": original, "link": merged.get_json()["id"]}
    # The original's page lists its merged duplicate; the link cannot be removed while the
    # duplicate stays closed.
    client = app.test_client()
    web_login(client, app, people["legal"].email)
    page = client.get(f"/cases/{original}").get_data(as_text=True)
    assert "Merged duplicates" in page and dup in page
    link_id = merged.get_json()["id"]
    assert api("admin").delete(f"/cases/{original}/links/{link_id}").status_code == 409


def test_a_decided_or_closed_case_is_not_merged(api):
    target = open_case(api)["ref"]
    decided = open_case(api)["ref"]
    api("exec").post(f"/cases/{decided}/decision", json=DECISION)
    refused = link(api, "admin", decided, target, "duplicate_of")
    assert refused.status_code == 409 and "decision" in refused.get_json()["error"]["message"]
    assert api("admin").get(f"/cases/{decided}/links").get_json() == []  # nothing half-done
    closed = open_case(api)["ref"]
    api("admin").post(f"/cases/{closed}/close", json={"note": "not a real order"})
    assert link(api, "admin", target, closed, "duplicate_of").status_code == 409  # into closed
    assert link(api, "admin", target, closed, "related").status_code == 201  # linking is fine


def test_web_link_form(app, api, people):
    first = open_case(api, title="Brazil: suspension order")["ref"]
    second = open_case(api, title="Brazil: appeal of suspension", jurisdiction="BR")["ref"]
    client = app.test_client()
    web_login(client, app, people["triager"].email)
    page = client.get(f"/cases/{first}").get_data(as_text=True)
    assert 'for="link-other"' in page and 'for="link-kind"' in page
    token = csrf_from(page)
    done = client.post(
        f"/cases/{first}/links",
        data={"other": second, "kind": "related", "note": "", "csrf_token": token},
        follow_redirects=True,
    )
    text = done.get_data(as_text=True)
    assert "Cases linked." in text and "Brazil: appeal of suspension" in text
    again = client.post(
        f"/cases/{second}/links",
        data={"other": first, "kind": "related", "csrf_token": token},
        follow_redirects=True,
    )
    assert "already linked" in again.get_data(as_text=True)
    (view,) = api("admin").get(f"/cases/{second}/links").get_json()
    removed = client.post(
        f"/cases/{second}/links/{view['id']}/delete",
        data={"csrf_token": token},
        follow_redirects=True,
    )
    assert "Link removed." in removed.get_data(as_text=True)
    lead = app.test_client()
    web_login(lead, app, people["legal"].email)
    lead_page = lead.get(f"/cases/{first}").get_data(as_text=True)
    assert 'for="link-other"' not in lead_page  # no form for who may not link
    refused = lead.post(
        f"/cases/{first}/links",
        data={"other": second, "kind": "related", "csrf_token": csrf_from(lead_page)},
    )
    assert refused.status_code == 403
