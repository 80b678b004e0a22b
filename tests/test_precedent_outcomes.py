"""What happened next (issue 17): closing a case asks what the government did next and the
lesson learned, per round; precedent then shows them beside the decision, on the case page,
the analysis and decision forms, search, the case JSON and the dossier. Restricted cases stay
hidden from non-members. Through HTTP and the CLI, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from cli_checks import ok, refused
from conftest import CLI, csrf_from, web_login
from test_precedent import GENUINE, TARGET, create, put

from incident_hub.audit.models import AuditEvent
from incident_hub.auth.service import create_user
from incident_hub.extensions import db
from incident_hub.vocabulary import GOVERNMENT_RESPONSES

DECISION = {
    "option": "seek-clarification",
    "rationale": "We appoint a representative entity but refuse to localise message content.",
    "override": True,
}
FINED = {
    "note": "Decided and done.",
    "government_response": "fined",
    "government_response_note": "An advertising ban for six months, then lifted.",
    "lesson": "Appointing a representative early kept bandwidth throttling off the table.",
}


def decided(api, who: str = "triager", **body) -> str:  # noqa: ANN001
    ref = create(api, who, **body)["ref"]
    made = api("exec").post(f"/cases/{ref}/decision", json=DECISION)
    assert made.status_code == 201, made.get_json()
    return ref


def close(api, ref: str, body: dict, who: str = "admin"):  # noqa: ANN001, ANN201
    return api(who).post(f"/cases/{ref}/close", json=body)


def events(app, action: str = "case.government_response") -> list[dict]:
    with app.app_context():
        rows = db.session.execute(
            db.select(AuditEvent).filter_by(action=action).order_by(AuditEvent.id)
        ).scalars()
        return [dict(e.details, outcome=e.outcome, actor=e.actor) for e in rows]


def late_lead(app, email: str = "late@example.org") -> str:
    """A human-rights lead added after the cases were opened: on no case's member list."""
    with app.app_context():
        create_user(CLI, email=email, name="Late", roles=["lead"], functions=["human-rights"])
    return email


def signed_in(app, email: str):  # noqa: ANN201
    client = app.test_client()
    web_login(client, app, email)
    return client


def test_closing_records_what_happened_next_and_precedent_shows_it(app, api):
    past = decided(api, **GENUINE)
    target = create(api, **TARGET)["ref"]
    closed = close(api, past, FINED)
    assert closed.status_code == 200, closed.get_json()
    body = closed.get_json()
    assert body["status"] == "closed"
    [recorded] = body["government_responses"]
    assert recorded["round"] == 1 and recorded["government_response"] == "fined"
    assert recorded["government_response_title"] == "Fined or otherwise penalised the company"
    assert recorded["note"] == FINED["government_response_note"]
    assert recorded["lesson"] == FINED["lesson"]
    assert recorded["recorded_by"] == "admin@example.org" and recorded["recorded_at"].endswith("Z")
    assert api("legal").get(f"/cases/{past}").get_json()["government_responses"] == [recorded]
    [event] = events(app)
    assert event["round"] == 1 and event["government_response"] == "fined"
    assert event["lesson"] == FINED["lesson"] and "before" not in event

    best = api("triager").get(f"/cases/{target}/similar").get_json()[0]
    assert best["ref"] == past
    assert best["decision"]["option_title"] == "Seek clarification"
    assert best["decision"]["executive"] == "Exec"
    assert best["government_response"] == "fined" and best["response_round"] == 1
    assert best["government_response_title"] == "Fined or otherwise penalised the company"
    assert best["government_response_note"] == FINED["government_response_note"]
    assert best["lesson"] == FINED["lesson"]
    assert best["outcome"]["status"] == "closed"  # the secondary facts stay

    page = signed_in(app, "exec@example.org").get(f"/cases/{target}").get_data(as_text=True)
    section = page[page.index('id="precedent-h"') :]
    assert "What happened next: <strong>Fined or otherwise penalised the company</strong>" in (
        section
    )
    assert f"Lesson learned: {FINED['lesson']}" in section
    assert "Decision: <strong>Seek clarification</strong> by Exec" in section


def test_a_case_closed_without_them_records_nothing_and_old_clients_keep_working(app, api):
    ref = decided(api, **GENUINE)
    assert close(api, ref, {"note": "done"}).get_json()["government_responses"] == []
    assert events(app) == []
    other = decided(api, title="Second order", playbook="content-takedown", jurisdiction="TR")
    lesson_only = close(api, other, {"lesson": "Ask for the legal basis in writing."})
    [row] = lesson_only.get_json()["government_responses"]
    assert row["government_response"] == "unknown" and row["lesson"].startswith("Ask for")


def test_the_analysis_and_decision_forms_show_the_similar_cases(app, api):
    past = decided(api, **GENUINE)
    assert close(api, past, FINED).status_code == 200
    target = create(api, **TARGET)["ref"]
    lead = signed_in(app, "rights@example.org")
    form = lead.get(f"/cases/{target}/analysis/human-rights")
    assert form.status_code == 200
    executive = signed_in(app, "exec@example.org")
    decision = executive.get(f"/cases/{target}/decision")
    assert decision.status_code == 200, decision.headers.get("Location")
    for html in (form.get_data(as_text=True), decision.get_data(as_text=True)):
        section = html[
            html.index('id="form-precedent-h"') : html.index(
                "</section>", html.index('id="form-precedent-h"')
            )
        ]
        assert past in section and GENUINE["title"] in section
        assert "Decided: <strong>Seek clarification</strong> by Exec" in section
        assert "<strong>Fined or otherwise penalised the company</strong>" in section
        assert FINED["government_response_note"] in section
        assert f"Lesson learned: {FINED['lesson']}" in section
        assert "Why it matched:" in section and "same instrument: Law 7253" in section


def test_a_restricted_similar_case_never_shows_to_a_non_member(app, api):
    public = decided(api, **GENUINE)
    assert close(api, public, FINED).status_code == 200
    secret = decided(api, "admin", **(GENUINE | {"title": "Secret twin", "restricted": True}))
    hidden = FINED | {"lesson": "SECRET LESSON from the twin", "government_response": "blocked"}
    assert close(api, secret, hidden).status_code == 200
    target = create(api, **TARGET)["ref"]
    email = late_lead(app)
    client = signed_in(app, email)
    for path in (f"/cases/{target}/analysis/human-rights", f"/cases/{target}"):
        html = client.get(path).get_data(as_text=True)
        assert public in html
        assert secret not in html and "Secret twin" not in html and "SECRET LESSON" not in html
    search = client.get("/search?q=representative").get_data(as_text=True)
    assert public in search and "SECRET LESSON" not in search and secret not in search
    assert client.get(f"/cases/{secret}").status_code == 404
    # an executive sees every case: the twin and its lesson are precedent for them
    executive = signed_in(app, "exec@example.org")
    html = executive.get(f"/cases/{target}/decision").get_data(as_text=True)
    assert secret in html and "SECRET LESSON" in html
    # nor can a non-member record on it (404, as any look at it)
    answer = put(
        api, "outsider", f"/cases/{secret}/government-response", {"government_response": "fined"}
    )
    assert answer.status_code == 404


def test_reopen_keeps_round_one_and_each_round_has_its_own(app, api, runner):
    ref = decided(api, **GENUINE)
    target = create(api, **TARGET)["ref"]
    assert close(api, ref, FINED).status_code == 200
    reopened = api("admin").post(f"/cases/{ref}/reopen", json={"note": "the law was amended"})
    assert reopened.status_code == 200, reopened.get_json()
    assert [r["round"] for r in reopened.get_json()["government_responses"]] == [1]
    still_open = put(
        api, "admin", f"/cases/{ref}/government-response", {"government_response": "amended"}
    )
    assert still_open.status_code == 409, still_open.get_json()
    again = api("exec").post(f"/cases/{ref}/decision", json=DECISION)
    assert again.status_code == 201, again.get_json()
    args = ["cases", "close", ref, "--as", "admin@example.org", "--note", "round two done"]
    output = ok(runner.invoke([*args, "--government-response", "court_ruling_for_us",
                               "--response-note", "Constitutional court annulled art. 4",
                               "--lesson", "Litigate early."]))  # fmt: skip
    assert f"{ref} closed." in output
    rounds = api("legal").get(f"/cases/{ref}").get_json()["government_responses"]
    assert [(r["round"], r["government_response"]) for r in rounds] == [
        (1, "fined"),
        (2, "court_ruling_for_us"),
    ]
    assert rounds[0]["lesson"] == FINED["lesson"] and rounds[1]["lesson"] == "Litigate early."
    best = api("triager").get(f"/cases/{target}/similar").get_json()[0]
    assert best["ref"] == ref and best["response_round"] == 2
    assert best["government_response"] == "court_ruling_for_us"
    # round one corrected later, from the CLI: the audit trail keeps what it replaced
    fix = ["cases", "government-response", ref, "amended", "--as", "exec@example.org"]
    output = ok(runner.invoke([*fix, "--round", "1", "--lesson", "Amendment came after the fine."]))
    assert f"{ref} round 1: amended recorded." in output
    rounds = api("legal").get(f"/cases/{ref}").get_json()["government_responses"]
    assert rounds[0]["government_response"] == "amended" and rounds[0]["note"] == ""
    assert rounds[0]["recorded_by"] == "exec@example.org"
    last = events(app)[-1]
    assert last["round"] == 1 and last["before"]["government_response"] == "fined"
    beyond = runner.invoke([*fix, "--round", "3"])
    refused(beyond, "has no round 3")


def test_bad_vocabulary_is_422_with_the_allowed_values(app, api, runner):
    ref = decided(api, **GENUINE)
    bad = close(api, ref, {"government_response": "nuked", "lesson": "x"})
    assert bad.status_code == 422, bad.get_json()
    error = bad.get_json()["error"]
    assert error["field"] == "government_response"
    assert all(word in error["message"] for word in GOVERNMENT_RESPONSES)
    assert api("legal").get(f"/cases/{ref}").get_json()["status"] == "decided"  # not closed
    assert close(api, ref, {"note": "ok"}).status_code == 200
    path = f"/cases/{ref}/government-response"
    for sent, field in (
        ({"government_response": "Fined"}, "government_response"),
        ({"government_response": 3}, "government_response"),
        ({}, "government_response"),
        ({"government_response": "fined", "round": 0}, "round"),
        ({"government_response": "fined", "round": "two"}, "round"),
        ({"government_response": "fined", "lesson": "x" * 20_001}, "lesson"),
    ):
        answer = put(api, "admin", path, sent)
        assert answer.status_code == 422, (sent, answer.get_json())
        assert answer.get_json()["error"]["field"] == field, (sent, answer.get_json())
    assert (
        "backed_down"
        in put(api, "admin", path, {"government_response": "x"}).get_json()["error"]["message"]
    )
    args = ["cases", "government-response", ref, "nuked", "--as", "admin@example.org"]
    refused(runner.invoke(args), "must be one of", "court_ruling_against")
    close_args = ["cases", "close", ref, "--as", "admin@example.org"]
    refused(runner.invoke([*close_args, "--government-response", "nuked"]), "backed_down")
    assert events(app) == []


def test_who_may_record_later(app, api):
    ref = decided(api, **GENUINE)
    assert close(api, ref, {"note": "done"}).status_code == 200
    path = f"/cases/{ref}/government-response"
    body = {"government_response": "backed_down", "note": "Order withdrawn", "lesson": "Wait."}
    for who in ("legal", "triager"):
        assert put(api, who, path, body).status_code == 403
    assert [e["outcome"] for e in events(app)] == ["denied", "denied"]
    saved = put(api, "admin", path, body)
    assert saved.status_code == 200, saved.get_json()
    assert saved.get_json()["government_response"] == "backed_down"
    assert saved.get_json()["round"] == 1 and saved.get_json()["note"] == "Order withdrawn"
    assert put(api, "exec", path, body).status_code == 200  # the same again: nothing new
    assert [e["outcome"] for e in events(app)] == ["denied", "denied", "ok"]
    assert put(api, "admin", "/cases/INC-2999-9999/government-response", body).status_code == 404
    assert api(None).client.put(f"/api/v1{path}", json=body).status_code == 401


def test_the_web_close_form_asks_prefilled_unknown_and_can_record_later(app, api):
    ref = decided(api, **GENUINE)
    admin = signed_in(app, "admin@example.org")
    page = admin.get(f"/cases/{ref}").get_data(as_text=True)
    assert 'name="government_response"' in page and '<option value="unknown" selected>' in page
    assert 'name="lesson"' in page
    admin.post(
        f"/cases/{ref}/close",
        data={"note": "", "government_response": "unknown", "government_response_note": "",
              "lesson": "", "csrf_token": csrf_from(page)},
    )  # fmt: skip
    rounds = api("legal").get(f"/cases/{ref}").get_json()["government_responses"]
    assert [r["government_response"] for r in rounds] == ["unknown"]
    page = admin.get(f"/cases/{ref}").get_data(as_text=True)
    assert 'id="outcome-h"' in page and "Not known yet" in page
    sent = {"government_response": "throttled", "note": "Twitter throttled to 90%", "round": "1",
            "lesson": "Throttling came within a week.", "csrf_token": csrf_from(page)}  # fmt: skip
    done = admin.post(f"/cases/{ref}/government-response", data=sent, follow_redirects=True)
    html = done.get_data(as_text=True)
    assert "What happened next is recorded." in html and "Throttled the service" in html
    assert "Lesson learned: Throttling came within a week." in html
    bad = admin.post(
        f"/cases/{ref}/government-response",
        data=sent | {"government_response": "nuked"},
        follow_redirects=True,
    )
    assert "flash-error" in bad.get_data(as_text=True)
    lead = signed_in(app, "legal@example.org")
    lead_page = lead.get(f"/cases/{ref}").get_data(as_text=True)
    assert "Throttled the service" in lead_page and 'name="round"' not in lead_page
    forbidden = lead.post(
        f"/cases/{ref}/government-response", data=sent | {"csrf_token": csrf_from(lead_page)}
    )
    assert forbidden.status_code == 403


def test_search_results_carry_what_happened_next(app, api):
    ref = decided(api, **GENUINE)
    assert close(api, ref, FINED).status_code == 200
    create(api, **TARGET)
    hits = api("triager").get("/search?q=representative").get_json()
    by_ref = {h["ref"]: h for h in hits}
    assert by_ref[ref]["government_response"] == "fined"
    assert by_ref[ref]["lesson"] == FINED["lesson"]
    others = [h for h in hits if h["ref"] != ref]
    assert others and all(h["government_response"] is None for h in others)
    html = signed_in(app, "triager@example.org").get("/search?q=representative")
    assert "Lesson learned: " + FINED["lesson"] in html.get_data(as_text=True)


@pytest.mark.parametrize("form", ["analysis", "decision"])
def test_the_forms_precedent_runs_a_constant_number_of_queries(app, api, people, form):
    from sqlalchemy import select
    from test_query_counts import Statements

    from incident_hub.cases.models import Case
    from incident_hub.precedent.models import CaseOutcome
    from incident_hub.scale import seed_cases

    target = create(api, **TARGET)["ref"]
    path = (
        f"/cases/{target}/analysis/human-rights"
        if form == "analysis"
        else f"/cases/{target}/decision"
    )
    who = "rights@example.org" if form == "analysis" else "exec@example.org"

    def grow(n: int, seed: int) -> None:
        with app.app_context():
            ids = seed_cases(n, seed=seed)
            for case_id in ids:
                db.session.add(CaseOutcome(case_id=case_id, round=1, government_response="fined",
                                           lesson="lesson"))  # fmt: skip
            db.session.commit()
            assert db.session.execute(select(Case.id).limit(1)).first()

    def count() -> int:
        client = signed_in(app, who)
        client.get(path)  # warm-up
        with app.app_context():
            engine = db.engine
        with Statements(engine) as seen:
            assert client.get(path).status_code == 200
        return len(seen.sql)

    grow(10, 1)
    small = count()
    grow(50, 2)
    assert count() == small


def test_the_dossier_says_what_happened_next_and_shows_precedent(app, api):
    past = decided(api, **GENUINE)
    assert close(api, past, FINED).status_code == 200
    secret = decided(api, "admin", **(GENUINE | {"title": "Secret twin", "restricted": True}))
    assert close(api, secret, FINED | {"lesson": "SECRET LESSON"}).status_code == 200
    target = create(api, **TARGET)["ref"]
    own = api("exec").get(f"/cases/{past}/dossier?format=md").get_data(as_text=True)
    happened = own.split("## What happened next")[1].split("\n## ")[0]
    assert "Fined or otherwise penalised the company" in happened
    assert FINED["lesson"] in happened and FINED["government_response_note"] in happened
    email = late_lead(app)
    with app.app_context():
        from incident_hub.auth.models import User
        from incident_hub.auth.service import issue_token

        user = db.session.execute(db.select(User).filter_by(email=email)).scalar_one()
        token = issue_token(CLI, user, "test")
    md = api("exec").client.get(
        f"/api/v1/cases/{target}/dossier?format=md", headers={"Authorization": f"Bearer {token}"}
    )
    assert md.status_code == 200
    similar = md.get_data(as_text=True).split("## Similar past cases")[1].split("\n## ")[0]
    assert past in similar and "Fined or otherwise penalised the company" in similar
    assert FINED["lesson"] in similar and "Seek clarification (Exec" in similar
    assert secret not in similar and "SECRET LESSON" not in similar
    assert "What happened next has not been recorded" not in similar
    none_yet = md.get_data(as_text=True).split("## What happened next")[1].split("\n## ")[0]
    assert "has not been recorded" in none_yet
