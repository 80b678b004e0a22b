"""Need-to-know (issue 14, findings 2 and 3): a gag order makes a case restricted on every door
and only an admin lifts that, with a reason; a case's members are its opener, named people and
the leads assigned to it (not every lead of the function), changed by the opener, admins and
executives on every door, audited; a removed member loses access at once."""

from __future__ import annotations

import pytest
from cli_checks import ok, refused
from conftest import CLI, Person, csrf_from, open_case, web_login
from sqlalchemy import select

from incident_hub.audit.models import AuditEvent
from incident_hub.auth.service import create_user, issue_token
from incident_hub.cases.models import Case, CaseMember
from incident_hub.extensions import db

SECRET = {"playbook": "content-takedown", "jurisdiction": "GB"}


def _user(app, people, name: str, roles: list[str], functions: list[str] | None = None):
    """A person the conftest does not have (outside counsel, a lead who joins later)."""
    with app.app_context():
        user = create_user(
            CLI, email=f"{name}@example.org", name=name.title(), roles=roles, functions=functions
        )
        people[name] = Person(user.email, issue_token(CLI, user, "test"))
    return people[name]


def _open(api, who: str = "admin", **extra) -> dict:
    body = {"title": "Secret technical capability notice on backups", **SECRET, **extra}
    response = api(who).post("/cases", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _events(app, action: str, outcome: str = "ok") -> list[AuditEvent]:
    with app.app_context():
        query = select(AuditEvent).where(AuditEvent.action == action, AuditEvent.outcome == outcome)
        rows = list(db.session.execute(query.order_by(AuditEvent.id)).scalars())
        db.session.expunge_all()
        return rows


def _restricted(app, ref: str) -> tuple[bool, bool]:
    with app.app_context():
        case = db.session.execute(select(Case).where(Case.ref == ref)).scalar_one()
        return case.restricted, case.gag_order


# --- gag order => restricted ---------------------------------------------------------------


def test_a_gag_order_makes_the_case_restricted_on_every_door(app, api, people, client, runner):
    by_api = _open(api, gag_order=True, restricted=False)
    assert by_api["restricted"] is True and by_api["intake"]["gag_order"] is True

    web_login(client, app, people["triager"].email)
    page = client.get("/cases/new")
    form = {"title": "Gagged by the web form", **SECRET, "gag_order": "on"}
    response = client.post("/cases/new", data=form | {"csrf_token": csrf_from(page.text)})
    assert response.status_code == 302, response.text[:500]
    by_web = response.headers["Location"].rsplit("/", 1)[-1]

    out = ok(
        runner.invoke(
            ["cases", "open", "--as", "triager@example.org", "--title", "Gagged at the CLI"]
            + ["--playbook", "content-takedown", "--jurisdiction", "GB", "--gag-order"]
        )
    )
    by_cli = out.split()[0]
    for ref in (by_api["ref"], by_web, by_cli):
        assert _restricted(app, ref) == (True, True), ref
        assert api("outsider").get(f"/cases/{ref}").status_code == 404  # not a member
        assert api("legal").get(f"/cases/{ref}").status_code == 200  # assigned lead
        assert "Gagged" not in api("outsider").get("/cases").text
    assert [e.details["gag_order"] for e in _events(app, "case.opened")] == [True] * 3


def test_only_an_admin_lifts_a_restriction_with_a_reason(app, api, people, client, runner):
    case = _open(api, gag_order=True)
    ref = case["ref"]
    for who in ("exec", "legal"):  # they see the case, but may not lift its restriction
        response = api(who).post(f"/cases/{ref}/lift-restriction", json={"reason": "lapsed"})
        assert response.status_code == 403, response.get_json()
    assert (
        api("outsider").post(f"/cases/{ref}/lift-restriction", json={"reason": "x"}).status_code
        == 404
    )
    denied = _events(app, "case.lift_restriction", "denied")
    assert [e.actor for e in denied] == ["exec@example.org", "legal@example.org"]
    assert api("admin").post(f"/cases/{ref}/lift-restriction", json={}).status_code == 422
    assert _restricted(app, ref) == (True, True)

    response = api("admin").post(
        f"/cases/{ref}/lift-restriction", json={"reason": "the court lifted the gag"}
    )
    assert response.status_code == 200 and response.get_json()["restricted"] is False
    assert response.get_json()["intake"]["gag_order"] is True  # still flagged as gagged
    assert api("outsider").get(f"/cases/{ref}").status_code == 200
    (lifted,) = _events(app, "case.restriction_lifted")
    assert lifted.details == {"reason": "the court lifted the gag", "gag_order": True}
    assert lifted.actor == "admin@example.org" and lifted.origin.startswith("api")
    with app.app_context():  # the members stay on record
        assert db.session.execute(select(CaseMember)).scalars().first() is not None

    web_case = _open(api, restricted=True)["ref"]
    web_login(client, app, people["admin"].email)
    page = client.get(f"/cases/{web_case}")
    assert "Lift restriction" in page.text
    client.post(
        f"/cases/{web_case}/lift-restriction",
        data={"reason": "published by the ministry", "csrf_token": csrf_from(page.text)},
    )
    assert _restricted(app, web_case) == (False, False)

    cli_case = _open(api, gag_order=True)["ref"]
    refused(
        runner.invoke(
            ["cases", "lift-restriction", cli_case, "--as", "exec@example.org", "--reason", "x"]
        ),
        "only an admin",
    )
    ok(
        runner.invoke(
            ["cases", "lift-restriction", cli_case, "--as", "admin@example.org", "--reason", "ok"]
        )
    )
    assert _restricted(app, cli_case) == (False, True)
    assert [e.origin.split()[0] for e in _events(app, "case.restriction_lifted")] == [
        "api",
        "web",
        "cli",
    ]


# --- membership ------------------------------------------------------------------------------


def test_assigned_leads_only_a_lead_who_joins_later_does_not_see_the_case(app, api, people):
    case = _open(api, restricted=True)
    late = _user(app, people, "late", ["lead"], ["legal"])
    assert api("legal").get(f"/cases/{case['ref']}").status_code == 200
    assert api("late").get(f"/cases/{case['ref']}").status_code == 404
    assert case["ref"] not in api("late").get("/cases").text
    assert case["ref"] not in api("late").get("/search?q=capability").text
    body = {"function": "legal", "analysis": "late view", "recommendation": "comply-narrowly"}
    assert api("late").post(f"/cases/{case['ref']}/analyses", json=body).status_code == 404
    newer = _open(api, restricted=True)  # opened after they joined: they are assigned
    assert api("late").get(f"/cases/{newer['ref']}").status_code == 200
    assert late.email in {
        m["email"] for m in api("admin").get(f"/cases/{newer['ref']}/members").get_json()
    }


def test_the_opener_names_the_leads_of_a_function(app, api, people):
    _user(app, people, "legal2", ["lead"], ["legal"])
    case = _open(api, restricted=True, leads={"legal": ["legal2@example.org"]})
    assert api("legal2").get(f"/cases/{case['ref']}").status_code == 200
    assert api("legal").get(f"/cases/{case['ref']}").status_code == 404  # not named for legal
    assert api("rights").get(f"/cases/{case['ref']}").status_code == 200  # function not named
    members = api("admin").get(f"/cases/{case['ref']}/members").get_json()
    legal = [m["email"] for m in members if m["function"] == "legal"]
    assert legal == ["legal2@example.org"]
    assert members[0] == members[0] | {"email": "admin@example.org", "kind": "opener"}
    for leads in ({"legal": ["rights@example.org"]}, {"export-control": ["tech@example.org"]}):
        response = api("admin").post(
            "/cases", json={"title": "Bad leads", **SECRET, "restricted": True, "leads": leads}
        )
        assert response.status_code == 422, response.get_json()
        assert response.get_json()["error"]["field"] == "leads"


def test_members_are_added_and_removed_on_every_door(app, api, people, client, runner):
    counsel = _user(app, people, "counsel", ["lead"], ["export-control"])
    case = _open(api, restricted=True)
    ref = case["ref"]
    assert api("counsel").get(f"/cases/{ref}").status_code == 404

    # API: the admin (the opener) names outside counsel; they see it at once, everywhere
    response = api("admin").post(f"/cases/{ref}/members", json={"user": counsel.email})
    assert response.status_code == 201, response.get_json()
    named = [m for m in response.get_json() if m["kind"] == "named"]
    assert [(m["email"], m["added_by"]) for m in named] == [(counsel.email, "admin@example.org")]
    assert (
        api("admin").post(f"/cases/{ref}/members", json={"user": counsel.email}).status_code == 409
    )
    assert (
        api("admin").post(f"/cases/{ref}/members", json={"user": "nobody@x.org"}).status_code == 422
    )
    assert api("counsel").get(f"/cases/{ref}").status_code == 200
    assert ref in api("counsel").get("/cases").text
    assert ref in api("counsel").get("/search?q=capability").text
    web_login(client, app, counsel.email)
    assert client.get(f"/cases/{ref}").status_code == 200

    # refused: a member who is not the opener, an admin or an executive; a non-member (404)
    assert (
        api("legal").post(f"/cases/{ref}/members", json={"user": "tech@example.org"}).status_code
        == 403
    )
    assert api("legal").delete(f"/cases/{ref}/members/{counsel.email}").status_code == 403
    assert (
        api("outsider").post(f"/cases/{ref}/members", json={"user": "x@example.org"}).status_code
        == 404
    )
    assert [e.actor for e in _events(app, "case.member_add", "denied")] == ["legal@example.org"]
    assert [e.actor for e in _events(app, "case.member_remove", "denied")] == ["legal@example.org"]

    # API: removed (by user id): access ends at the next request, on every page and list
    members = api("admin").get(f"/cases/{ref}/members").get_json()
    counsel_id = next(m["user_id"] for m in members if m["email"] == counsel.email)
    assert api("exec").delete(f"/cases/{ref}/members/{counsel_id}").status_code == 200
    assert api("counsel").get(f"/cases/{ref}").status_code == 404
    assert client.get(f"/cases/{ref}").status_code == 404
    assert ref not in api("counsel").get("/cases").text
    assert ref not in api("counsel").get("/search?q=capability").text
    assert api("exec").delete(f"/cases/{ref}/members/{counsel_id}").status_code == 404
    assert api("admin").delete(f"/cases/{ref}/members/admin@example.org").status_code == 409

    # the legal lead (assigned) is removed too: no more access, even as a lead of the function
    assert api("admin").delete(f"/cases/{ref}/members/legal@example.org").status_code == 200
    assert api("legal").get(f"/cases/{ref}").status_code == 404

    # web: the Members panel adds and removes
    admin = app.test_client()
    web_login(admin, app, people["admin"].email)
    page = admin.get(f"/cases/{ref}")
    assert "Members" in page.text and "Add member" in page.text
    token = csrf_from(page.text)
    admin.post(f"/cases/{ref}/members", data={"user": counsel.email, "csrf_token": token})
    assert client.get(f"/cases/{ref}").status_code == 200
    assert counsel.email in admin.get(f"/cases/{ref}").text
    admin.post(f"/cases/{ref}/members/{counsel.email}/remove", data={"csrf_token": token})
    assert client.get(f"/cases/{ref}").status_code == 404

    # CLI
    ok(runner.invoke(["cases", "members", "add", ref, counsel.email, "--as", "exec@example.org"]))
    assert counsel.email in ok(
        runner.invoke(["cases", "members", "list", ref, "--as", "counsel@example.org"])
    )
    refused(
        runner.invoke(
            ["cases", "members", "remove", ref, counsel.email, "--as", "rights@example.org"]
        ),
        "only the case's opener",
    )
    ok(
        runner.invoke(
            ["cases", "members", "remove", ref, counsel.email, "--as", "admin@example.org"]
        )
    )
    assert api("counsel").get(f"/cases/{ref}").status_code == 404

    added = _events(app, "case.member_added")
    removed = _events(app, "case.member_removed")
    assert [e.origin.split()[0] for e in added] == ["api", "web", "cli"]
    assert [e.origin.split()[0] for e in removed] == ["api", "api", "web", "cli"]
    assert removed[1].details == {
        "member": "legal@example.org",
        "was": ["assigned"],
        "functions": ["legal"],
    }


def test_the_opener_manages_members_of_their_own_case(app, api, people):
    _user(app, people, "counsel", ["lead"], ["export-control"])
    case = open_case(api, restricted=True)  # the triager opens it
    ref = case["ref"]
    assert (
        api("triager")
        .post(f"/cases/{ref}/members", json={"user": "counsel@example.org"})
        .status_code
        == 201
    )
    assert api("counsel").get(f"/cases/{ref}").status_code == 200


# --- privileged analyses ---------------------------------------------------------------------

ADVICE = "Counsel advises the notice is ultra vires zxqwadvice"


@pytest.fixture
def privileged_case(app, api, people):
    _user(app, people, "counsel", ["lead"], ["export-control"])
    case = open_case(api, title="Public takedown order")  # unrestricted, opened by the triager
    body = {
        "function": "legal",
        "analysis": ADVICE,
        "recommendation": "challenge-in-court",
        "answers": {  # every required question: a filing, not a draft
            "legal-basis": "Answer zxqwanswer",
            "scope": "The 140 URLs listed in the order",
            "penalties-deadline": "48 hours; fines",
        },
        "privileged": True,
    }
    response = api("legal").post(f"/cases/{case['ref']}/analyses", json=body)
    assert response.status_code == 201, response.get_json()
    return case


@pytest.mark.parametrize(
    ("who", "reads"),
    [
        ("admin", True),
        ("exec", True),
        ("triager", True),  # the opener
        ("legal", True),  # the assigned lead who filed it
        ("rights", True),  # an assigned lead of another function
        ("outsider", False),  # a lead of an unassigned function
        ("counsel", False),  # not named (yet)
    ],
)
def test_a_privileged_analysis_is_read_only_by_members(
    app, api, people, client, privileged_case, who, reads
):
    ref = privileged_case["ref"]
    (analysis,) = api(who).get(f"/cases/{ref}").get_json()["analyses"]
    assert analysis["privileged"] is True and analysis["withheld"] is (not reads)
    assert (analysis["analysis"] == ADVICE) is reads
    assert (analysis["recommendation"] == "challenge-in-court") is reads
    assert ("zxqwanswer" in str(analysis["answers"])) is reads

    web_login(client, app, people[who].email)
    page = client.get(f"/cases/{ref}").text
    assert (ADVICE in page) is reads and ("zxqwanswer" in page) is reads
    assert ("Privileged — visible to case members" in page) is (not reads)
    dossier = client.get(f"/cases/{ref}/dossier.md").text
    assert (ADVICE in dossier) is reads
    assert (
        "PRIVILEGED &amp; CONFIDENTIAL — legal advice" in dossier
        or "PRIVILEGED & CONFIDENTIAL — legal advice" in dossier
    ) is reads
    assert ("Privileged — visible to case members" in dossier) is (not reads)
    # never indexed: no search shows (or ranks by) its words, to anyone
    assert ref not in api(who).get("/search?q=zxqwadvice").text
    timeline = api(who).get(f"/cases/{ref}/timeline").text
    assert "challenge-in-court" not in timeline


def test_naming_a_member_lets_them_read_privileged_advice(app, api, privileged_case):
    ref = privileged_case["ref"]
    assert (
        api("admin").post(f"/cases/{ref}/members", json={"user": "counsel@example.org"}).status_code
        == 201
    )
    assert api("counsel").get(f"/cases/{ref}").get_json()["analyses"][0]["analysis"] == ADVICE


def test_the_web_form_files_a_privileged_analysis(app, api, people, client):
    case = open_case(api)
    web_login(client, app, people["legal"].email)
    form_page = client.get(f"/cases/{case['ref']}/analysis/legal")
    assert 'name="privileged"' in form_page.text
    response = client.post(
        f"/cases/{case['ref']}/analysis/legal",
        data={
            "analysis": "Web advice zxqweb",
            "recommendation": "comply-narrowly",
            "answer-legal-basis": "Article 8 of the law",  # the required questions
            "answer-scope": "The 140 URLs listed in the order",
            "answer-penalties-deadline": "48 hours; fines",
            "privileged": "on",
            "csrf_token": csrf_from(form_page.text),
        },
    )
    assert response.status_code == 302, response.text[:500]
    (analysis,) = api("outsider").get(f"/cases/{case['ref']}").get_json()["analyses"]
    assert analysis["privileged"] and analysis["withheld"] and analysis["analysis"] == ""


def test_the_web_form_names_the_leads_of_a_function(app, api, people, client):
    """The opener ticks the leads on the new-case form: only those are assigned (members of
    the restricted case); a function of another playbook ticked on the form is ignored; a
    function with nothing ticked gets all its leads."""
    _user(app, people, "legal2", ["lead"], ["legal"])
    web_login(client, app, people["triager"].email)
    form_page = client.get("/cases/new")
    assert 'name="lead:legal"' in form_page.text and 'value="legal2@example.org"' in form_page.text
    data = {
        "title": "Order naming its readers",
        **SECRET,
        "restricted": "on",
        "lead:legal": "legal2@example.org",
        "lead:no-such-function": "legal@example.org",
        "csrf_token": csrf_from(form_page.text),
    }
    response = client.post("/cases/new", data=data)
    assert response.status_code == 302, response.text[:800]
    ref = response.headers["Location"].rsplit("/", 1)[-1]
    assert api("legal2").get(f"/cases/{ref}").status_code == 200
    assert api("legal").get(f"/cases/{ref}").status_code == 404  # not ticked for legal
    assert api("rights").get(f"/cases/{ref}").status_code == 200  # nothing ticked: all leads
    members = api("admin").get(f"/cases/{ref}/members").get_json()
    assert [m["email"] for m in members if m["function"] == "legal"] == ["legal2@example.org"]
    # A ticked person who does not lead that function is the form's error, not a 500.
    form_page = client.get("/cases/new")
    wrong = data | {"lead:legal": "rights@example.org", "csrf_token": csrf_from(form_page.text)}
    refused = client.post("/cases/new", data=wrong)
    assert refused.status_code == 422 and "does not lead" in refused.text
