"""Editable intake with history (issue 16): ``PATCH /api/v1/cases/<ref>``, the edit page and
``incident-hub cases edit`` change a case's intake; every change is in the timeline with its
before and after; a stale version is a 409; only the opener, the case's leads, executives and
admins may; a case may concern several countries."""

from __future__ import annotations

import re

from conftest import csrf_from, notices, open_case, web_login
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select, text

from incident_hub import MIGRATIONS_DIR, countries
from incident_hub.audit.models import AuditEvent
from incident_hub.extensions import db

TURKEY = countries.country_name("TR")


def _patch(client, person, ref: str, body: dict, **headers: str):
    """PATCH the case as ``person`` (conftest's Api has no patch)."""
    return client.patch(f"/api/v1/cases/{ref}", json=body, headers={**person.headers, **headers})


def _edits(api, ref: str) -> list[dict]:
    timeline = api("admin").get(f"/cases/{ref}/timeline").get_json()
    return [e["details"]["changes"] for e in timeline if e["action"] == "case.edited"]


def _audited(app, action: str, ref: str) -> list[tuple[str, str]]:
    with app.app_context():
        rows = db.session.execute(
            select(AuditEvent.actor, AuditEvent.outcome)
            .where(AuditEvent.action == action, AuditEvent.object_ref == ref)
            .order_by(AuditEvent.id)
        ).all()
    return [tuple(r) for r in rows]


EVERY_FIELD = {
    "title": "Order to remove 41 posts (amended)",
    "summary": "The ministry amended the order.",
    "jurisdictions": ["Germany", "FR"],
    "instrument": "Law 5651, art. 8/A",
    "issuing_authority": "Criminal Judgeship of Peace",  # the contract's name for authority
    "legal_basis": "National security",
    "stage": "adopted",
    "effective_date": "2027-01-15",
    "response_deadline": "2027-01-20T12:00:00Z",
    "gag_order": True,
}


def test_every_intake_field_changes_and_the_timeline_shows_before_and_after(
    app, api, people, client
):
    case = open_case(api, instrument="Law 5651", stage="draft", response_deadline="2027-01-10")
    ref = case["ref"]
    assert case["version"] == 1 and case["jurisdictions"] == ["TR"]
    response = _patch(client, people["triager"], ref, EVERY_FIELD | {"version": 1})
    assert response.status_code == 200, response.get_json()
    edited = response.get_json()
    assert edited["title"] == EVERY_FIELD["title"] and edited["summary"] == EVERY_FIELD["summary"]
    assert (edited["jurisdiction"], edited["jurisdictions"]) == ("DE", ["DE", "FR"])
    assert edited["intake"] | {"source_url": ""} == {
        "instrument": "Law 5651, art. 8/A",
        "authority": "Criminal Judgeship of Peace",
        "legal_basis": "National security",
        "stage": "adopted",
        "effective_date": "2027-01-15",
        "response_deadline": "2027-01-20T12:00:00Z",
        "gag_order": True,
        "source_url": "",
    }
    assert edited["restricted"] is True  # a gag order is need-to-know
    # the version moves on with every write to the case row (the edit, the rescheduled due
    # times): what matters is that it moved and that the ETag says the same
    assert edited["version"] > 1 and response.headers["ETag"] == f'"{edited["version"]}"'

    (changes,) = _edits(api, ref)
    assert changes["title"] == {"before": "Order to remove 40 posts", "after": EVERY_FIELD["title"]}
    assert changes["jurisdictions"] == {"before": ["TR"], "after": ["DE", "FR"]}
    assert changes["instrument"] == {"before": "Law 5651", "after": "Law 5651, art. 8/A"}
    assert changes["authority"] == {"before": "", "after": "Criminal Judgeship of Peace"}
    assert changes["stage"] == {"before": "draft", "after": "adopted"}
    assert changes["effective_date"] == {"before": None, "after": "2027-01-15"}
    assert changes["response_deadline"] == {
        "before": "2027-01-10T23:59:00Z",
        "after": "2027-01-20T12:00:00Z",
    }
    assert changes["gag_order"] == {"before": False, "after": True}
    assert changes["restricted"] == {"before": False, "after": True}
    assert set(changes) == set(EVERY_FIELD) - {"issuing_authority"} | {"authority", "restricted"}

    web_login(client, app, people["triager"].email)  # the opener
    page = client.get(f"/cases/{ref}").get_data(as_text=True)
    assert "Germany" in page and "France" in page
    assert f"Jurisdictions: {TURKEY} → Germany, France" in page
    assert "Response deadline: 10 Jan 2027 23:59 UTC → 20 Jan 2027 12:00 UTC" in page
    assert "Effective date: — → 15 Jan 2027" in page
    assert "Stage: draft → adopted" in page
    assert "Gag order: no → yes" in page


def test_a_stale_version_is_refused_with_409_and_nothing_is_saved(app, api, people, client):
    ref = open_case(api)["ref"]
    read = api("legal").get(f"/cases/{ref}")
    assert read.headers["ETag"] == '"1"' and read.get_json()["version"] == 1
    first = _patch(client, people["legal"], ref, {"title": "First edit", "version": 1})
    assert first.status_code == 200
    late = _patch(client, people["exec"], ref, {"title": "Second edit", "version": 1})
    assert late.status_code == 409
    error = late.get_json()["error"]
    assert error["code"] == "conflict" and error["field"] == "version"
    assert "changed by someone else" in error["message"] and "now version 2" in error["message"]
    assert late.headers["ETag"] == '"2"'
    stale_header = _patch(client, people["exec"], ref, {"title": "Third"}, **{"If-Match": '"1"'})
    assert stale_header.status_code == 409
    assert api("exec").get(f"/cases/{ref}").get_json()["title"] == "First edit"
    fresh = _patch(client, people["exec"], ref, {"title": "Second edit"}, **{"If-Match": '"2"'})
    assert fresh.status_code == 200 and fresh.get_json()["version"] == 3
    both = _patch(client, people["exec"], ref, {"title": "x", "version": 1}, **{"If-Match": '"3"'})
    assert both.status_code == 400
    bad = _patch(client, people["exec"], ref, {"title": "x"}, **{"If-Match": "yesterday"})
    assert bad.status_code == 400
    assert [c["title"]["after"] for c in _edits(api, ref)] == ["First edit", "Second edit"]


def test_sending_what_the_case_already_says_changes_nothing(app, api, people, client):
    ref = open_case(api, stage="draft")["ref"]
    same = {"title": "Order to remove 40 posts", "jurisdiction": "Turkey", "stage": "draft"}
    response = _patch(client, people["triager"], ref, same | {"version": 1})
    assert response.status_code == 200 and response.get_json()["version"] == 1
    assert _edits(api, ref) == []


def test_who_may_edit_and_every_refusal_is_audited(app, api, people, client):
    by_admin = (
        api("admin")
        .post(
            "/cases",
            json={"title": "Shutdown order", "playbook": "content-takedown", "jurisdiction": "MM"},
        )
        .get_json()["ref"]
    )
    for name, status in [
        ("triager", 403),  # a triager who did not open it
        ("outsider", 403),  # a lead, but not on the case
        ("legal", 200),  # the assigned legal lead: a member with the lead role
        ("exec", 200),
        ("admin", 200),  # (also its opener)
    ]:
        response = _patch(client, people[name], by_admin, {"summary": f"by {name}"})
        assert response.status_code == status, (name, response.get_json())
    refused = _audited(app, "case.edit", by_admin)
    assert refused == [
        (people["triager"].email, "denied"),
        (people["outsider"].email, "denied"),
    ]
    mine = open_case(api)["ref"]  # opened by the triager: the opener may
    assert _patch(client, people["triager"], mine, {"summary": "mine"}).status_code == 200


def test_a_restricted_case_one_cannot_see_is_404(app, api, people, client):
    ref = (
        api("admin")
        .post(
            "/cases",
            json={
                "title": "Secret order",
                "playbook": "content-takedown",
                "jurisdiction": "TR",
                "restricted": True,
            },
        )
        .get_json()["ref"]
    )
    for name in ("triager", "outsider"):
        response = _patch(client, people[name], ref, {"title": "leaked?"})
        assert response.status_code == 404, name
    assert _patch(client, people["legal"], ref, {"title": "Renamed"}).status_code == 200
    # its timeline, with the edit, is seen by whoever sees the case, as before
    assert api("legal").get(f"/cases/{ref}/timeline").status_code == 200
    assert api("triager").get(f"/cases/{ref}/timeline").status_code == 404


def test_bad_values_are_422_at_the_field(app, api, people, client):
    ref = open_case(api)["ref"]
    for body, field in [
        ({"jurisdictions": ["DE", "Atlantis"]}, "jurisdictions"),
        ({"jurisdiction": "Narnia"}, "jurisdiction"),
        ({"jurisdictions": []}, "jurisdictions"),
        ({"effective_date": "soon"}, "effective_date"),
        ({"response_deadline": "31/12/2026"}, "response_deadline"),
        ({"stage": "someday"}, "stage"),
        ({"title": "x" * 301}, "title"),
        ({"title": ""}, "title"),
        ({"version": 0}, "version"),
    ]:
        response = _patch(client, people["triager"], ref, body)
        assert response.status_code == 422, (body, response.get_json())
        assert response.get_json()["error"]["field"] == field, body
    assert (
        "Atlantis"
        in _patch(client, people["triager"], ref, {"jurisdictions": ["Atlantis"]}).get_json()[
            "error"
        ]["message"]
    )
    not_json = client.patch(f"/api/v1/cases/{ref}", data="x", headers=people["triager"].headers)
    assert not_json.status_code == 400
    assert _edits(api, ref) == []


def test_a_case_concerns_several_countries_and_the_list_finds_it_by_any(app, api, people, client):
    case = open_case(api, jurisdiction=None, jurisdictions=["Germany", "FR", "DE"])
    ref = case["ref"]
    assert (case["jurisdiction"], case["jurisdictions"]) == ("DE", ["DE", "FR"])
    other = open_case(api, jurisdiction="TR", jurisdictions=["AT"])  # the primary comes first
    assert other["jurisdictions"] == ["TR", "AT"]

    def listed(where: str) -> set[str]:
        rows = api("legal").get(f"/cases?jurisdiction={where}").get_json()
        return {c["ref"] for c in rows}

    assert listed("FR") == {ref} and listed("France") == {ref} and listed("DE") == {ref}
    assert listed("AT") == {other["ref"]}
    # an old client sends one jurisdiction: it replaces the primary, the others stay
    moved = _patch(client, people["triager"], ref, {"jurisdiction": "AT"}).get_json()
    assert moved["jurisdictions"] == ["AT", "FR"]
    assert listed("DE") == set() and listed("AT") == {ref, other["ref"]}
    summary = next(c for c in api("legal").get("/cases").get_json() if c["ref"] == ref)
    assert summary["jurisdictions"] == ["AT", "FR"]
    missing = api("triager").post(
        "/cases", json={"title": "No country", "playbook": "content-takedown"}
    )
    assert missing.status_code == 422 and missing.get_json()["error"]["field"] == "jurisdiction"


def test_a_gag_order_lifted_by_an_edit_leaves_the_case_restricted(app, api, people, client):
    ref = open_case(api)["ref"]
    gagged = _patch(client, people["triager"], ref, {"gag_order": True}).get_json()
    assert gagged["restricted"] and gagged["intake"]["gag_order"]
    lifted = _patch(client, people["triager"], ref, {"gag_order": False}).get_json()
    assert lifted["intake"]["gag_order"] is False and lifted["restricted"] is True
    assert api("outsider").get(f"/cases/{ref}").status_code == 404  # still need-to-know


def test_a_decided_case_still_takes_intake_corrections(app, api, people, client):
    ref = open_case(api)["ref"]
    decided = api("exec").post(
        f"/cases/{ref}/decision",
        json={"option": "comply-narrowly", "rationale": "narrow", "override": True},
    )
    assert decided.status_code == 201, decided.get_json()
    response = _patch(client, people["legal"], ref, {"stage": "in_force"})
    assert response.status_code == 200 and response.get_json()["status"] == "decided"
    assert response.get_json()["intake"]["stage"] == "in_force"


def test_followers_and_members_are_told_of_a_new_deadline_but_not_the_editor(
    app, api, people, client, slack_ids
):
    ref = open_case(api)["ref"]
    api("tech").post(f"/cases/{ref}/follow")
    response = _patch(client, people["legal"], ref, {"response_deadline": "2027-02-01"})
    assert response.status_code == 200
    told = notices(app, kind="case_edited")
    audiences = {n.audience for n in told}
    assert slack_ids["tech"] in audiences and slack_ids["triager"] in audiences
    assert slack_ids["legal"] not in audiences  # the editor
    assert "01 Feb 2027 23:59 UTC" in told[0].payload["text"]
    assert "Response deadline changed" in told[0].payload["text"]


# --- the web form ---------------------------------------------------------------------------


def _hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no hidden {name}"
    return match.group(1)


def test_the_edit_page_saves_and_the_case_page_shows_the_change(app, api, people, client):
    ref = open_case(api, response_deadline="2027-01-10T09:30:00Z")["ref"]
    web_login(client, app, people["legal"].email)
    case_page = client.get(f"/cases/{ref}").get_data(as_text=True)
    assert f'href="/cases/{ref}/edit"' in case_page and "Edit intake" in case_page
    form = client.get(f"/cases/{ref}/edit").get_data(as_text=True)
    assert 'value="Order to remove 40 posts"' in form and f'value="{TURKEY}"' in form
    assert 'value="2027-01-10T09:30"' in form and _hidden(form, "version") == "1"
    saved = client.post(
        f"/cases/{ref}/edit",
        data={
            "csrf_token": csrf_from(form),
            "version": "1",
            "title": "Order to remove 40 posts",
            "summary": "",
            "jurisdictions": [TURKEY, "Greece", ""],
            "instrument": "",
            "authority": "",
            "legal_basis": "",
            "stage": "",
            "effective_date": "",
            "response_deadline": "2027-01-12T18:00",
            "gag_order": "off",
        },
    )
    assert saved.status_code == 302, saved.get_data(as_text=True)
    page = client.get(f"/cases/{ref}").get_data(as_text=True)
    assert "intake saved" in page
    assert "Response deadline: 10 Jan 2027 09:30 UTC → 12 Jan 2027 18:00 UTC" in page
    assert f"Jurisdictions: {TURKEY} → {TURKEY}, Greece" in page
    (changes,) = _edits(api, ref)
    assert set(changes) == {"jurisdictions", "response_deadline"}  # untouched fields are not


def test_a_bad_value_comes_back_at_its_field_with_the_input_kept(app, api, people, client):
    ref = open_case(api)["ref"]
    web_login(client, app, people["triager"].email)
    form = client.get(f"/cases/{ref}/edit").get_data(as_text=True)
    response = client.post(
        f"/cases/{ref}/edit",
        data={
            "csrf_token": csrf_from(form),
            "version": "1",
            "title": "Kept title",
            "jurisdictions": ["Atlantis"],
        },
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="jurisdictions-error"' in html and "Atlantis" in html
    assert 'value="Kept title"' in html


def test_a_stale_form_says_so_and_keeps_what_was_typed(app, api, people, client):
    ref = open_case(api)["ref"]
    web_login(client, app, people["legal"].email)
    form = client.get(f"/cases/{ref}/edit").get_data(as_text=True)
    meanwhile = _patch(client, people["exec"], ref, {"title": "Renamed by the executive"})
    assert meanwhile.status_code == 200
    typed = {
        "csrf_token": csrf_from(form),
        "version": _hidden(form, "version"),
        "title": "My careful new title",
        "summary": "A long summary I typed.",
    }
    stale = client.post(f"/cases/{ref}/edit", data=typed)
    assert stale.status_code == 409
    html = stale.get_data(as_text=True)
    assert "changed by someone else since you opened this form" in html
    assert 'value="My careful new title"' in html and "A long summary I typed." in html
    assert "Renamed by the executive" in html  # what is on the case now
    assert _hidden(html, "version") == "2"
    assert api("legal").get(f"/cases/{ref}").get_json()["title"] == "Renamed by the executive"
    again = client.post(f"/cases/{ref}/edit", data=typed | {"version": "2"})
    assert again.status_code == 302
    assert api("legal").get(f"/cases/{ref}").get_json()["title"] == "My careful new title"


def test_the_edit_page_is_refused_to_whoever_may_not_edit(app, api, people, client):
    ref = (
        api("admin")
        .post(
            "/cases", json={"title": "Order", "playbook": "content-takedown", "jurisdiction": "TR"}
        )
        .get_json()["ref"]
    )
    web_login(client, app, people["triager"].email)
    assert "Edit intake" not in client.get(f"/cases/{ref}").get_data(as_text=True)
    assert client.get(f"/cases/{ref}/edit").status_code == 403
    assert _audited(app, "case.edit", ref) == [(people["triager"].email, "denied")]


# --- the CLI --------------------------------------------------------------------------------


def test_cases_edit_on_the_command_line(app, api, people, runner):
    ref = open_case(api)["ref"]
    as_legal = ["cases", "edit", ref, "--as", people["legal"].email]
    result = runner.invoke(
        [*as_legal, "--title", "From the CLI", "--jurisdiction", "DE", "--jurisdiction", "Poland",
         "--deadline", "2027-03-01", "--stage", "consultation", "--version", "1"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    version = api("legal").get(f"/cases/{ref}").get_json()["version"]
    assert f"{ref}: intake saved (now version {version})." in result.output and version > 1
    case = api("legal").get(f"/cases/{ref}").get_json()
    assert (case["title"], case["jurisdictions"]) == ("From the CLI", ["DE", "PL"])
    assert case["intake"]["response_deadline"] == "2027-03-01T23:59:00Z"
    assert case["intake"]["stage"] == "consultation"

    stale = runner.invoke([*as_legal, "--title", "Late", "--version", "1"])
    assert stale.exit_code == 1 and "changed by someone else" in stale.output
    bad = runner.invoke([*as_legal, "--stage", "someday"])
    assert bad.exit_code == 1 and "stage must be one of" in bad.output
    same = runner.invoke([*as_legal, "--title", "From the CLI"])
    assert same.exit_code == 0 and f"nothing changed (version {version})" in same.output
    nothing = runner.invoke(as_legal)
    assert nothing.exit_code == 2 and "name at least one field" in nothing.output
    refused = runner.invoke(
        ["cases", "edit", ref, "--as", people["outsider"].email, "--title", "x"]
    )
    assert refused.exit_code == 1 and "only the case's opener" in refused.output


# --- the migration --------------------------------------------------------------------------

BEFORE = "0027_rounds"  # the revision before 0024


def test_0024_copies_each_case_jurisdiction_and_downgrades_and_upgrades_again(app, api):
    several = open_case(api, jurisdictions=["TR", "GR"])["ref"]
    with app.app_context():
        downgrade(directory=MIGRATIONS_DIR, revision=BEFORE)
        db.engine.dispose()
        assert "case_jurisdictions" not in inspect(db.engine).get_table_names()
        db.session.execute(
            text("UPDATE cases SET jurisdiction = 'CY' WHERE ref = :r"), {"r": several}
        )
        db.session.commit()
        db.session.remove()
        upgrade(directory=MIGRATIONS_DIR, revision="0024_case_jurisdictions")
        db.engine.dispose()
        rows = db.session.execute(
            text(
                "SELECT j.code, j.position FROM case_jurisdictions j "
                "JOIN cases c ON c.id = j.case_id WHERE c.ref = :r"
            ),
            {"r": several},
        ).all()
        assert [tuple(r) for r in rows] == [("CY", 0)]  # the primary, as the case has it now
        db.session.remove()
        upgrade(directory=MIGRATIONS_DIR)  # back to the head: later tests share this database
        db.engine.dispose()
    assert api("legal").get(f"/cases/{several}").get_json()["jurisdictions"] == ["CY"]
