"""No trace of a restricted case reaches a non-member (issue 14, finding 4).

Each leak the assessment reproduced, as a user hits it: through the web pages, the JSON API and
the CLI. "outsider" leads a function no takedown case uses, so it is a member of no restricted
case; the triager opened them (a member); the executive and the admin see every case.
"""

from __future__ import annotations

import json

import pytest
from conftest import Runner, open_case, web_login

from incident_hub.extensions import db

SECRET_TITLE = "Secret interception notice on backups"


def restricted_case(api, **extra) -> str:
    return open_case(api, title=SECRET_TITLE, restricted=True, **extra)["ref"]


def page(app, email: str, path: str) -> str:
    client = app.test_client()
    web_login(client, app, email)
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def link(api, who: str, ref: str, other: str, kind: str = "related"):  # noqa: ANN201
    return api(who).post(f"/cases/{ref}/links", json={"other": other, "kind": kind})


def no_trace(text: str, *refs: str) -> None:
    """Nothing in ``text`` tells of a restricted case: no reference, no title, no label."""
    for ref in refs:
        assert ref not in text
    assert SECRET_TITLE not in text
    assert "restricted case" not in text.lower()


# 1. A merge does not write people's emails, or a restricted case, into another timeline.


def test_a_merge_names_no_follower_on_the_other_case(app, api, people):
    original = open_case(api, title="Order to remove 40 posts")["ref"]
    dup = open_case(api, title="Same order, reported twice")["ref"]
    # followers who are not members (the Members panel names the case's members by design)
    for who in ("exec", "outsider", "admin"):
        assert api(who).post(f"/cases/{dup}/follow").status_code == 200
    assert link(api, "triager", dup, original, "duplicate_of").status_code == 201
    for who in ("outsider", "admin"):
        timeline = api(who).get(f"/cases/{original}/timeline").get_json()
        text = json.dumps(timeline)
        for name in ("exec", "outsider", "admin"):
            assert people[name].email not in text
        (merged_in,) = [e for e in timeline if e["action"] == "case.merged_in"]
        assert merged_in["details"]["followers_moved"] == 3  # how many, not who
    body = page(app, people["outsider"].email, f"/cases/{original}")
    assert people["exec"].email not in body and people["admin"].email not in body


def test_a_restricted_duplicate_leaves_no_trace_on_the_case_it_was_merged_into(app, api, people):
    original = open_case(api, title="Order to remove 40 posts")["ref"]
    dup = restricted_case(api)
    assert link(api, "triager", dup, original, "duplicate_of").status_code == 201
    outsider = api("outsider")
    no_trace(json.dumps(outsider.get(f"/cases/{original}/timeline").get_json()), dup)
    no_trace(json.dumps(outsider.get(f"/cases/{original}/links").get_json()), dup)
    no_trace(page(app, people["outsider"].email, f"/cases/{original}"), dup)
    dossier = outsider.get(f"/cases/{original}/dossier?format=md")
    assert dossier.status_code == 200
    no_trace(dossier.get_data(as_text=True), dup)
    # Its members see the merge, by reference.
    seen = json.dumps(api("triager").get(f"/cases/{original}/timeline").get_json())
    assert dup in seen


def test_a_public_duplicate_merged_into_a_restricted_case_is_only_closed(app, api, people):
    secret = restricted_case(api)
    dup = open_case(api, title="Same order, reported twice")["ref"]
    assert link(api, "triager", dup, secret, "duplicate_of").status_code == 201
    timeline = api("outsider").get(f"/cases/{dup}/timeline").get_json()
    no_trace(json.dumps(timeline), secret)
    assert "case.closed" in [e["action"] for e in timeline]
    assert not [e for e in timeline if e["action"].startswith(("case.merged", "case.linked"))]
    no_trace(page(app, people["outsider"].email, f"/cases/{dup}"), secret)
    assert secret in json.dumps(api("exec").get(f"/cases/{dup}/timeline").get_json())


# 2. A link to a case the viewer may not see is not shown at all.


def test_a_link_to_a_restricted_case_is_not_shown_to_a_non_member(app, api, people):
    public = open_case(api, title="Public takedown order")["ref"]
    secret = restricted_case(api)
    made = link(api, "triager", public, secret)
    assert made.status_code == 201
    outsider = api("outsider")
    listed = outsider.get(f"/cases/{public}/links")
    assert listed.get_json() == [] and listed.headers["X-Total-Count"] == "0"
    timeline = outsider.get(f"/cases/{public}/timeline").get_json()
    no_trace(json.dumps(timeline), secret)
    assert "case.linked" not in [e["action"] for e in timeline]
    no_trace(page(app, people["outsider"].email, f"/cases/{public}"), secret)
    dossier = outsider.get(f"/cases/{public}/dossier?format=md").get_data(as_text=True)
    no_trace(dossier, secret)
    # Removing the link leaves no trace either; its members saw both events.
    assert (
        api("triager").delete(f"/cases/{public}/links/{made.get_json()['id']}").status_code == 200
    )
    timeline = outsider.get(f"/cases/{public}/timeline").get_json()
    no_trace(json.dumps(timeline), secret)
    actions = [e["action"] for e in api("triager").get(f"/cases/{public}/timeline").get_json()]
    assert actions.count("case.linked") == 1 and actions.count("case.unlinked") == 1


def test_a_link_hidden_once_the_other_case_is_restricted_later(app, api, ctx):
    from incident_hub.cases.models import Case

    public = open_case(api, title="Public takedown order")["ref"]
    later = open_case(api, title=SECRET_TITLE)["ref"]
    assert link(api, "triager", public, later).status_code == 201
    assert later in json.dumps(api("outsider").get(f"/cases/{public}/timeline").get_json())
    case = db.session.execute(db.select(Case).filter_by(ref=later)).scalar_one()
    case.restricted = True  # as a gag order would make it
    db.session.commit()
    no_trace(json.dumps(api("outsider").get(f"/cases/{public}/timeline").get_json()), later)


# 3. An alert tied to a restricted case is only "triaged" ("handled") for a non-member.


def _new_alerts(app, count: int) -> list[int]:
    from incident_hub.watch.models import Alert, FeedItem, Source

    with app.app_context():
        source = Source(key="gazette", title="Official gazette", url="https://feeds.example.org/")
        alerts = []
        for i in range(count):
            item = FeedItem(
                source=source, guid=str(i), content_hash=f"{i:064d}", title=f"Order {i} published"
            )
            alerts.append(Alert(item=item, source=source, score=1.0, status="new"))
        db.session.add_all([source, *alerts])
        db.session.commit()
        return [a.id for a in alerts]


def test_an_alert_tied_to_a_restricted_case_tells_a_non_member_nothing(app, api, people):
    opened_from, linked, public_alert = _new_alerts(app, 3)
    secret = restricted_case(api, alert_ids=[opened_from])
    assert api("triager").post(f"/alerts/{linked}/link", json={"case": secret}).status_code == 200
    public = open_case(api, title="Public takedown order", alert_ids=[public_alert])["ref"]
    outsider = api("outsider")
    listed = outsider.get("/alerts").get_json()
    by_id = {a["id"]: a for a in listed}
    for alert_id in (opened_from, linked):
        for shown in (by_id[alert_id], outsider.get(f"/alerts/{alert_id}").get_json()):
            assert (shown["status"], shown["triage_note"]) == ("triaged", "handled")
    assert by_id[public_alert]["status"] == "case-opened"
    assert by_id[public_alert]["triage_note"] == f"opened {public}"
    no_trace(json.dumps(listed), secret)
    # Filtering by status counts as shown: nothing was linked or opened that it may see.
    for status, expected in (
        ("case-opened", [public_alert]),
        ("linked", []),
        ("triaged", [opened_from, linked]),
    ):
        answer = outsider.get(f"/alerts?status={status}")
        assert sorted(a["id"] for a in answer.get_json()) == sorted(expected), status
        assert answer.headers["X-Total-Count"] == str(len(expected))
    for query in ("?status=", "?status=case-opened", "?status=linked", "?status=triaged"):
        no_trace(page(app, people["outsider"].email, f"/triage{query}"), secret)
    # Its members (and those who see every case) see the reference.
    for who in ("triager", "exec"):
        mine = {a["id"]: a for a in api(who).get("/alerts").get_json()}
        assert mine[opened_from]["status"] == "case-opened"
        assert mine[opened_from]["triage_note"] == f"opened {secret}"
        assert mine[linked]["triage_note"] == f"linked to {secret}"
        assert api(who).get("/alerts?status=triaged").get_json() == []
    assert f"opened {secret}" in page(app, people["triager"].email, "/triage?status=")
    # A triager who may not see the case is told only that the alert was triaged.
    refused = api("admin").post(f"/alerts/{linked}/link", json={"case": public})
    assert refused.status_code == 409 and "linked" in refused.get_json()["error"]["message"]
    from conftest import CLI

    from incident_hub.auth.service import create_user, issue_token

    with app.app_context():
        second = create_user(CLI, email="night@example.org", name="Night", roles=["triager"])
        token = issue_token(CLI, second, "test")
    headers = {"Authorization": f"Bearer {token}"}
    for alert_id in (opened_from, linked):
        for path, body in (
            (f"/alerts/{alert_id}/link", {"case": public}),
            (f"/alerts/{alert_id}/dismiss", {"reason": "x"}),
        ):
            refused = app.test_client().post(f"/api/v1{path}", json=body, headers=headers)
            assert refused.status_code == 409, refused.get_json()
            message = refused.get_json()["error"]["message"]
            assert "triaged" in message and "linked" not in message and "case-opened" not in message
    opened = app.test_client().post(
        "/api/v1/cases",
        json={
            "title": "Again",
            "playbook": "content-takedown",
            "jurisdiction": "TR",
            "alert_ids": [linked],
        },
        headers=headers,
    )
    assert opened.status_code == 409 and "already triaged" in opened.get_json()["error"]["message"]
    # The dashboard's source yield counts nothing a non-member cannot see.
    (gazette,) = outsider.get("/reports/summary").get_json()["source_yield"]
    assert (gazette["alerts"], gazette["led_to_case"], gazette["linked"]) == (3, 1, 0)
    (gazette,) = api("exec").get("/reports/summary").get_json()["source_yield"]
    assert (gazette["alerts"], gazette["led_to_case"], gazette["linked"]) == (3, 2, 1)


# 4-6. Two worlds that differ only in a hidden restricted case look the same to a non-member:
# search ranks, snippets, order and totals; similar cases and their scores; every count.

WORD = "zanzibarite"
PUBLIC = [
    ("Order citing zanzibarite rules", "The zanzibarite provisions of the press code apply."),
    ("Order to remove posts", "A short notice; zanzibarite is mentioned once in passing here."),
    ("Second order, zanzibarite again", "Zanzibarite, zanzibarite: the word three times."),
    ("Unrelated order on videos", "Nothing of the kind here, only videos of the strike."),
]
SEARCHES = [WORD, f"{WORD} order", "order", f'"{WORD} provisions"', "videos OR zanzibarite"]


def _world(api) -> list[str]:
    return [
        open_case(api, title=title, summary=summary, instrument="Press Law 5187")["ref"]
        for title, summary in PUBLIC
    ]


def _hidden(app, api) -> str:
    """A restricted case full of the searched words, with an analysis, a follower and an
    organisation recorded on it."""
    from conftest import analysis_body

    case = open_case(
        api,
        title=f"{WORD} {WORD} secret order",
        summary=f"{WORD} " * 30 + "order order order videos provisions",
        instrument="Press Law 5187",
        restricted=True,
    )
    body = analysis_body(app, case, "legal")
    body["analysis"] = f"{WORD} analysis: the zanzibarite doctrine, order upheld."
    assert api("legal").post(f"/cases/{case['ref']}/analyses", json=body).status_code == 201
    assert api("triager").post(f"/cases/{case['ref']}/follow").status_code == 200
    return case["ref"]


def _cli(app, args: list[str]) -> str:
    result = Runner(app).invoke(args)
    assert result.exit_code == 0, result.output
    return result.output


def _view(app, api, who: str, public: list[str]) -> dict:
    """Everything ``who`` is shown that a hidden case could change, minus clock readings."""
    caller = api(who)
    seen: dict = {"cli cases list": _cli(app, ["cases", "list", "--as", f"{who}@example.org"])}
    for q in SEARCHES:
        for window in ("", "&limit=2&offset=1"):
            answer = caller.get(f"/search?q={q}{window}")
            assert answer.status_code == 200, answer.get_json()
            seen[f"search {q}{window}"] = (answer.get_json(), answer.headers["X-Total-Count"])
    for ref in public:
        seen[f"similar {ref}"] = caller.get(f"/cases/{ref}/similar?limit=10").get_json()
    summary = caller.get("/reports/summary").get_json()
    summary.pop("generated_at")
    assert summary.pop("scope").startswith("cases you may see")
    seen["summary"] = summary
    cases = caller.get("/cases?limit=100")
    seen["cases"] = (cases.get_json(), cases.headers["X-Total-Count"])
    return seen


@pytest.mark.parametrize(
    "member_elsewhere", [False, True], ids=["member-of-none", "member-of-another"]
)
def test_a_hidden_case_changes_nothing_a_non_member_is_shown(app, api, member_elsewhere):
    """The outsider sees no restricted case, or (``member_elsewhere``) one of its own (the
    export-control lead is on every network-shutdown case): never the hidden one."""
    who = "outsider"
    public = _world(api)
    if member_elsewhere:
        mine = open_case(
            api, playbook="network-shutdown", title="Restricted order on videos", restricted=True
        )["ref"]
        assert api(who).get(f"/cases/{mine}").status_code == 200
    before = _view(app, api, who, public)
    assert before[f"search {WORD}"][1] == "3"
    secret = _hidden(app, api)
    after = _view(app, api, who, public)
    assert after == before
    no_trace(json.dumps(after), secret)
    # Its members find it (and the admin, who sees every case).
    for member in ("triager", "admin"):
        found = [h["ref"] for h in api(member).get(f"/search?q={WORD}").get_json()]
        assert secret in found and len(found) == 4


# 5. An organisation added with a confidential entry, or with one on a restricted case, is in
# the directory only for those who may see that entry.

HIDDEN_ORG = "Digital Rights Watch Istanbul"


def _consult(api, who: str, ref: str, name: str, confidential: bool):  # noqa: ANN202
    body = {
        "engaged_on": "2026-01-12",
        "summary": "Discussed the order",
        "confidential": confidential,
        "organisation": {"name": name, "kind": "civil_society", "country": "TR"},
    }
    made = api(who).post(f"/cases/{ref}/engagements", json=body)
    assert made.status_code == 201, made.get_json()
    return made.get_json()["organisation"]["id"]


def _directory(api, who: str) -> tuple[list[str], str]:
    answer = api(who).get("/organisations")
    assert answer.status_code == 200
    return [o["name"] for o in answer.get_json()], answer.headers["X-Total-Count"]


@pytest.mark.parametrize("how", ["confidential-entry", "restricted-case"])
def test_an_organisation_added_with_a_hidden_entry_is_not_in_the_directory(app, api, people, how):
    assert (
        api("legal")
        .post("/organisations", json={"name": "Access Now", "kind": "civil_society"})
        .status_code
        == 201
    )
    if how == "confidential-entry":
        ref = open_case(api, title="Public takedown order")["ref"]
        org_id = _consult(api, "policy", ref, HIDDEN_ORG, confidential=True)
        kept_from, shown_to = (
            ("legal", "triager", "outsider"),
            ("policy", "rights", "exec", "admin"),
        )
    else:
        ref = restricted_case(api)
        org_id = _consult(api, "legal", ref, HIDDEN_ORG, confidential=False)
        kept_from, shown_to = ("outsider",), ("legal", "triager", "exec", "admin")
    for who in kept_from:
        assert _directory(api, who) == (["Access Now"], "1"), who
        assert api(who).get(f"/organisations/{org_id}").status_code == 404
        assert api(who).get("/organisations?q=istanbul").get_json() == []
        for path in ("/organisations", "/organisations?q=Digital"):
            body = page(app, people[who].email, path)
            assert HIDDEN_ORG not in body and "Policy" not in body, (who, path)
    for who in shown_to:
        assert _directory(api, who) == (["Access Now", HIDDEN_ORG], "2"), who
        shown = api(who).get(f"/organisations/{org_id}").get_json()
        assert shown["name"] == HIDDEN_ORG
    # Adding the same name again is not refused (a 409 would tell the name is there): the
    # shared directory gets its own entry, which everyone sees.
    again = api("outsider").post("/organisations", json={"name": HIDDEN_ORG, "kind": "expert"})
    assert again.status_code == 201, again.get_json()
    assert _directory(api, "outsider") == (["Access Now", HIDDEN_ORG], "2")
    # Whoever sees both is shown both; the shared one is refused a second time as before.
    assert _directory(api, "exec")[1] == "3"
    twice = api("legal").post("/organisations", json={"name": HIDDEN_ORG.upper(), "kind": "expert"})
    assert twice.status_code == 409


# 6. /metrics is read by operators, members of no case: restricted cases are not counted.

METRICS_TOKEN = "metrics-token-for-tests"
CASE_METRICS = ("incident_hub_cases{", "incident_hub_alerts{", "incident_hub_time_to_decision")


def _metrics(client) -> list[str]:
    answer = client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert answer.status_code == 200
    lines = answer.get_data(as_text=True).splitlines()
    return [line for line in lines if line.startswith(CASE_METRICS)]


@pytest.mark.config(OPS={"METRICS_TOKEN": METRICS_TOKEN})
def test_metrics_count_no_restricted_case(app, api, client):
    opened_from, linked = _new_alerts(app, 2)
    public = open_case(api, title="Public takedown order")["ref"]
    decision = {"option": "comply-narrowly", "rationale": "r", "override": True}
    assert api("exec").post(f"/cases/{public}/decision", json=decision).status_code == 201
    before = _metrics(client)
    assert 'incident_hub_cases{status="decided"} 1.0' in before
    secret = restricted_case(api, alert_ids=[opened_from])
    assert api("triager").post(f"/alerts/{linked}/link", json={"case": secret}).status_code == 200
    assert api("exec").post(f"/cases/{secret}/decision", json=decision).status_code == 201
    after = _metrics(client)
    new_alerts = 'incident_hub_alerts{status="new"} 2.0'
    assert new_alerts in before and new_alerts not in after
    assert 'incident_hub_alerts{status="triaged"} 2.0' in after
    assert [m for m in after if "alerts" not in m] == [m for m in before if "alerts" not in m]
