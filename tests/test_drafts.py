"""Nothing typed is lost: drafts per user and form, kept through an expired session, a
re-authentication and a refused field, and forms a finished case refuses before any typing.

Everything goes through the web UI as a browser does it (the real sign-in form, CSRF tokens,
the test client's cookies); time moves with the app's clock (``frozen_at``), never by sleeping.
Every test runs on SQLite and, when configured, PostgreSQL.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from conftest import CLI, analysis_body, csrf_from, open_case, set_password
from sessionrows import age_sign_in, session_row

from incident_hub.auth.service import create_user
from incident_hub.cases.models import Decision, Draft
from incident_hub.clock import frozen_at
from incident_hub.extensions import db

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
RATIONALE = (
    "Comply only with the items that a court has reviewed, and only in the issuing country; "
    "publish the order in the transparency report, tell the affected users where the law "
    "allows it, and challenge the rest of the order before the administrative court within "
    "the thirty days the law gives. Legal and human rights agree that narrowing is defensible."
)


def login(client, app, email: str, next_url: str | None = None):  # noqa: ANN001, ANN201
    """Sign in through the real form (to ``/login?next=…`` when given); the response."""
    password = set_password(app, email)
    path = "/login" + (f"?next={next_url}" if next_url else "")
    token = csrf_from(client.get(path).get_data(as_text=True))
    return client.post(path, data={"email": email, "password": password, "csrf_token": token})


def token_of(client, path: str) -> str:  # noqa: ANN001
    return csrf_from(client.get(path).get_data(as_text=True))


def drafts_of(app, email: str) -> list[tuple[str, dict]]:  # noqa: ANN001
    with app.app_context():
        rows = db.session.execute(
            db.select(Draft.form_key, Draft.fields).where(Draft.user_id == _user_id(email))
        ).all()
        return [(key, fields) for key, fields in rows]


def _user_id(email: str) -> int:
    from incident_hub.auth.models import User

    return db.session.execute(db.select(User.id).filter_by(email=email)).scalar_one()


def second_legal_lead(app) -> str:  # noqa: ANN001
    with app.app_context():
        create_user(CLI, email="legal2@example.org", name="Legal Two", roles=["lead"],
                    functions=["legal"])  # fmt: skip
    return "legal2@example.org"


def autosave(client, path: str, key: str, **fields: str):  # noqa: ANN001, ANN201
    token = token_of(client, path)
    return client.post(f"/drafts/{key}", data={"csrf_token": token, **fields})


def decided_case(app, api) -> tuple[str, dict]:  # noqa: ANN001
    """A case whose legal lead filed and whose executive decided (early, with the override):
    its reference and the legal analysis filed."""
    case = open_case(api)
    ref = case["ref"]
    body = analysis_body(app, case, "legal")
    assert api("legal").post(f"/cases/{ref}/analyses", json=body).status_code == 201
    choice = {"option": "comply-narrowly", "rationale": "Narrowly.", "override": True}
    assert api("exec").post(f"/cases/{ref}/decision", json=choice).status_code == 201
    return ref, body


def test_a_lead_autosaves_and_finds_the_draft_on_return_nobody_else_does(app, client, api, people):
    ref = open_case(api)["ref"]
    form = f"/cases/{ref}/analysis/legal"
    key = f"analysis:{ref}:legal"
    assert login(client, app, people["legal"].email).status_code == 302
    saved = autosave(client, form, key, analysis="Article 9 applies; the order is broad.")
    assert saved.status_code == 200, saved.get_data(as_text=True)
    label = saved.get_json()["label"]
    assert re.fullmatch(r"\d\d:\d\d UTC", label)  # saved today: the time alone
    page = client.get(form).get_data(as_text=True)
    assert "Article 9 applies; the order is broad.</textarea>" in page
    assert f"Draft restored from {label}" in page
    assert "Discard draft" in page

    other = app.test_client()
    assert login(other, app, second_legal_lead(app)).status_code == 302
    theirs = other.get(form).get_data(as_text=True)
    assert "Article 9 applies" not in theirs and "Draft restored" not in theirs
    gone = other.post(f"/drafts/{key}/discard", data={"csrf_token": csrf_from(theirs)})
    assert gone.status_code == 302 and drafts_of(app, people["legal"].email) != []
    assert "There was no draft to discard." in other.get(form).get_data(as_text=True)

    discarded = client.post(
        f"/drafts/{key}/discard?next={form}", data={"csrf_token": token_of(client, form)}
    )
    assert discarded.status_code == 302 and discarded.headers["Location"] == form
    page = client.get(form).get_data(as_text=True)
    assert "Draft discarded." in page and "Article 9 applies" not in page
    assert drafts_of(app, people["legal"].email) == []


def test_filing_the_form_deletes_its_draft_and_only_that_one(app, client, api, people):
    case = open_case(api)
    ref = case["ref"]
    other_ref = open_case(api)["ref"]
    assert login(client, app, people["legal"].email).status_code == 302
    form = f"/cases/{ref}/analysis/legal"
    assert autosave(client, form, f"analysis:{ref}:legal", analysis="half done").status_code == 200
    other_form = f"/cases/{other_ref}/analysis/legal"
    assert (
        autosave(client, other_form, f"analysis:{other_ref}:legal", analysis="x").status_code == 200
    )
    body = analysis_body(app, case, "legal")
    fields = {"analysis": "The whole analysis.", "recommendation": body["recommendation"]}
    fields |= {f"answer-{k}": v for k, v in body["answers"].items()}
    filed = client.post(form, data={"csrf_token": token_of(client, form), **fields})
    assert filed.status_code == 302 and filed.headers["Location"] == f"/cases/{ref}"
    assert [key for key, _ in drafts_of(app, people["legal"].email)] == [
        f"analysis:{other_ref}:legal"
    ]
    assert "Draft restored" not in client.get(form).get_data(as_text=True)


def test_a_draft_of_a_restricted_case_is_a_404_to_a_non_member(app, client, api, people):
    ref = open_case(api, restricted=True)["ref"]  # legal is assigned: a member
    key = f"analysis:{ref}:legal"
    assert login(client, app, people["legal"].email).status_code == 302
    assert (
        autosave(client, f"/cases/{ref}/analysis/legal", key, analysis="secret").status_code == 200
    )

    outsider = app.test_client()
    assert login(outsider, app, people["outsider"].email).status_code == 302
    token = csrf_from(outsider.get("/").get_data(as_text=True))
    for path in (
        f"/drafts/{key}",
        f"/drafts/{key}/discard",
        f"/drafts/analysis:{ref}:export-control",
    ):
        response = outsider.post(path, data={"csrf_token": token, "analysis": "overwrite"})
        assert response.status_code == 404, path
        assert "secret" not in response.get_data(as_text=True)
    assert drafts_of(app, people["legal"].email) == [(key, {"analysis": ["secret"]})]
    assert drafts_of(app, people["outsider"].email) == []


def test_a_draft_needs_a_known_form_the_csrf_token_and_may_only_be_for_a_form_one_may_submit(
    app, client, api, people
):
    ref = open_case(api)["ref"]
    assert login(client, app, people["rights"].email).status_code == 302
    token = csrf_from(client.get("/").get_data(as_text=True))
    assert client.post(f"/drafts/analysis:{ref}:legal", data={"analysis": "x"}).status_code == 400
    refused = client.post(
        f"/drafts/analysis:{ref}:legal", data={"csrf_token": token, "analysis": "x"}
    )
    assert (
        refused.status_code == 403
        and "only a lead of Legal" in refused.get_json()["error"]["message"]
    )
    for key in (
        "nonsense",
        f"analysis:{ref}",
        f"decision:{ref}:legal",
        "analysis:INC-1999-0001:legal",
    ):
        assert client.post(f"/drafts/{key}", data={"csrf_token": token}).status_code == 404, key
    huge = client.post(
        f"/drafts/analysis:{ref}:human-rights",
        data={"csrf_token": token, "analysis": "x" * 300_001},
    )
    assert huge.status_code == 422 and "too long" in huge.get_json()["error"]["message"]


def test_a_decision_typed_before_the_reauth_window_passed_survives_reauthentication(
    app, client, api, people
):
    ref = open_case(api)["ref"]
    form = f"/cases/{ref}/decision"
    assert login(client, app, people["exec"].email).status_code == 302
    token = token_of(client, form)
    age_sign_in(app, client, 16)  # REAUTH_FOR_DECISION_MIN is 15
    typed = {"option": "comply-narrowly", "rationale": RATIONALE, "conditions": "Review in 90 days",
             "override": "on", "csrf_token": token}  # fmt: skip
    sent = client.post(form, data=typed)
    assert sent.status_code == 302 and sent.headers["Location"] == f"/reauth?next={form}"
    reauth = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "what you typed is kept" in reauth
    password = set_password(app, people["exec"].email)
    back = client.post(
        sent.headers["Location"], data={"password": password, "csrf_token": csrf_from(reauth)}
    )
    assert back.status_code == 302 and back.headers["Location"] == form
    page = client.get(form).get_data(as_text=True)
    assert f">{RATIONALE}</textarea>" in page and ">Review in 90 days</textarea>" in page
    assert re.search(r'value="comply-narrowly"\s+checked', page)
    assert re.search(r'id="override" name="override" type="checkbox" checked', page)
    assert "Draft restored from" in page
    recorded = client.post(form, data={**typed, "csrf_token": csrf_from(page)})
    assert recorded.status_code == 302 and recorded.headers["Location"] == f"/cases/{ref}"
    with app.app_context():
        decision = db.session.execute(db.select(Decision)).scalar_one()
        assert decision.rationale == RATIONALE and decision.option_key == "comply-narrowly"
    assert drafts_of(app, people["exec"].email) == []


def test_an_analysis_posted_after_the_idle_timeout_is_kept_and_sign_in_lands_on_the_form(
    app, client, api, people
):
    ref = open_case(api)["ref"]
    form = f"/cases/{ref}/analysis/legal"
    with frozen_at(T0):
        assert login(client, app, people["legal"].email).status_code == 302
        token = token_of(client, form)
    with frozen_at(T0 + timedelta(minutes=61)):  # SESSION_IDLE_MIN is 60
        sent = client.post(form, data={"csrf_token": token, "analysis": "Typed for an hour.",
                                       "recommendation": "comply-narrowly"})  # fmt: skip
        assert sent.status_code == 302
        assert sent.headers["Location"] == f"/login?next={form}"
        assert session_row(app, client) is None  # the session is over
        page = client.get(sent.headers["Location"]).get_data(as_text=True)
        assert "Your session expired; please sign in again: what you typed is kept." in page
        assert f'action="/login?next={form}"' in page  # the return target goes with the form

        # Someone else signing in on this browser lands on the form, without the text.
        assert login(client, app, second_legal_lead(app), next_url=form).headers["Location"] == form
        assert "Typed for an hour." not in client.get(form).get_data(as_text=True)
        client.post("/logout", data={"csrf_token": token_of(client, "/")})

        again = login(client, app, people["legal"].email, next_url=form)
        assert again.status_code == 302 and again.headers["Location"] == form
        page = client.get(form).get_data(as_text=True)
        assert "Typed for an hour.</textarea>" in page
        assert re.search(r'value="comply-narrowly"\s+checked', page)
        assert (
            "Draft restored from 02 Mar 10:01 UTC" in page
            or "Draft restored from 10:01 UTC" in page
        )


def test_autosave_on_an_expired_session_keeps_the_draft_and_leaves_the_submission_its_token(
    app, client, api, people
):
    ref = open_case(api)["ref"]
    form = f"/cases/{ref}/analysis/legal"
    key = f"analysis:{ref}:legal"
    with frozen_at(T0):
        assert login(client, app, people["legal"].email).status_code == 302
        token = token_of(client, form)
    with frozen_at(T0 + timedelta(minutes=61)):
        saved = client.post(f"/drafts/{key}", data={"csrf_token": token, "analysis": "first"})
        assert saved.status_code == 401 and "expired" in saved.get_json()["error"]["message"]
        assert drafts_of(app, people["legal"].email) == [(key, {"analysis": ["first"]})]
        sent = client.post(form, data={"csrf_token": token, "analysis": "first and more"})
        assert sent.status_code == 302 and sent.headers["Location"] == f"/login?next={form}"
        assert drafts_of(app, people["legal"].email) == [(key, {"analysis": ["first and more"]})]


def test_the_action_form_refused_at_a_field_comes_back_open_as_typed(app, client, api, people):
    ref, body = decided_case(app, api)
    assert login(client, app, people["exec"].email).status_code == 302
    page = f"/cases/{ref}"
    typed = {"title": "Publish the order", "detail": "In the transparency report, section 4.",
             "owner": "", "due_at": "2030-01-15T09:00", "review_on": "2030-03-01"}  # fmt: skip
    sent = client.post(f"{page}/actions", data={"csrf_token": token_of(client, page), **typed})
    assert sent.status_code == 302 and sent.headers["Location"] == page  # the field: autofocus
    html = client.get(page).get_data(as_text=True)
    assert '<details class="case-form" id="add-action" open>' in html
    assert 'value="Publish the order"' in html
    assert ">In the transparency report, section 4.</textarea>" in html
    assert 'value="2030-01-15T09:00"' in html and 'value="2030-03-01"' in html
    owner = re.search(r'<select id="action-owner"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in owner and 'aria-describedby="owner-error"' in owner
    assert "autofocus" in owner
    assert re.search(r'<p class="field-error" id="owner-error">owner is required', html, re.I)
    # The message is shown once; the typed values stay until the form is sent.
    again = client.get(page).get_data(as_text=True)
    assert 'value="Publish the order"' in again and "owner-error" not in again

    from incident_hub.auth.models import User

    with app.app_context():
        owner_id = db.session.execute(
            db.select(User.id).filter_by(email=people["legal"].email)
        ).scalar()
    added = client.post(
        f"{page}/actions", data={"csrf_token": csrf_from(again), **typed, "owner": str(owner_id)}
    )
    assert added.status_code == 302 and added.headers["Location"] == f"{page}#actions-h"
    assert drafts_of(app, people["exec"].email) == []
    assert 'value="Publish the order"' not in client.get(page).get_data(as_text=True)


def test_an_analysis_refused_at_a_field_keeps_the_text_and_focuses_the_field(
    app, client, api, people
):
    ref = open_case(api)["ref"]
    form = f"/cases/{ref}/analysis/legal"
    assert login(client, app, people["legal"].email).status_code == 302
    sent = client.post(form, data={"csrf_token": token_of(client, form), "analysis": "Kept text."})
    assert sent.status_code == 422
    html = sent.get_data(as_text=True)
    assert "Kept text.</textarea>" in html
    first = re.search(
        r'<input type="radio" id="rec-[^"]+" name="recommendation"[^>]*>', html
    ).group(0)
    assert 'aria-invalid="true"' in first and "autofocus" in first
    assert "recommendation-error" in first and 'id="recommendation-error"' in html


def test_a_finished_case_refuses_the_forms_before_anything_is_typed(app, client, api, people):
    ref, body = decided_case(app, api)
    for who, path in (
        ("legal", f"/cases/{ref}/analysis/legal"),
        ("exec", f"/cases/{ref}/decision"),
    ):
        browser = app.test_client()
        assert login(browser, app, people[who].email).status_code == 302
        response = browser.get(path)
        html = response.get_data(as_text=True)
        assert response.status_code == 409, (who, html[:300])
        assert f"{ref} is decided:" in html and "<textarea" not in html
        detail = browser.get(f"/cases/{ref}").get_data(as_text=True)
        assert f'href="{path}"' not in detail
        key = f"analysis:{ref}:legal" if who == "legal" else f"decision:{ref}"
        saved = browser.post(f"/drafts/{key}", data={"csrf_token": csrf_from(detail), "x": "y"})
        assert saved.status_code == 409
    # The API gives the same answer, before any typing too.
    again = api("legal").post(f"/cases/{ref}/analyses", json=body)
    assert again.status_code == 409 and "is decided" in again.get_json()["error"]["message"]


def test_the_draft_api_keeps_reads_and_discards_ones_own_draft_only(app, api, people):
    ref = open_case(api, restricted=True)["ref"]
    key = f"analysis:{ref.lower()}:legal"  # the reference in any case: one draft
    kept = api("legal").client.put(
        f"/api/v1/drafts/{key}",
        json={"fields": {"analysis": "Typed through tooling", "rights": ["privacy", "expression"]}},
        headers=people["legal"].headers,
    )
    assert kept.status_code == 200, kept.get_json()
    assert kept.get_json()["form"] == f"analysis:{ref}:legal"
    read = api("legal").get(f"/drafts/analysis:{ref}:legal").get_json()
    assert read["fields"] == {
        "analysis": ["Typed through tooling"],
        "rights": ["privacy", "expression"],
    }
    assert api("outsider").get(f"/drafts/analysis:{ref}:legal").status_code == 404  # not a member
    assert api("admin").get(f"/drafts/analysis:{ref}:legal").status_code == 404  # not theirs
    assert api("outsider").delete(f"/drafts/analysis:{ref}:legal").status_code == 404
    assert api("legal").delete(f"/drafts/analysis:{ref}:legal").get_json()["deleted"] is True
    assert api("legal").get(f"/drafts/analysis:{ref}:legal").status_code == 404
    bad = api("legal").client.put(
        f"/api/v1/drafts/analysis:{ref}:legal", json={"fields": {"analysis": 5}},
        headers=people["legal"].headers,
    )  # fmt: skip
    assert bad.status_code == 422
