"""Stakeholder engagement through the API: who sees a case's log, who sees confidential entries,
recording and correcting entries, the organisations directory, validation and the audit trail.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from conftest import open_case

SECRET_ORG = "Digital Rights Watch Istanbul"
DAY = "2026-01-12"


def _record(api, who: str, ref: str, **body):  # noqa: ANN001, ANN202
    data = {"engaged_on": DAY, "summary": "Discussed the order", "confidential": False, **body}
    return api(who).post(f"/cases/{ref}/engagements", json=data)


def _org(api, who: str = "legal", name: str = "Article 19", kind: str = "civil_society", **kw):  # noqa: ANN001, ANN202
    return api(who).post("/organisations", json={"name": name, "kind": kind, **kw})


def _patch(api, who: str, path: str, body: dict):  # noqa: ANN001, ANN202
    client, person = api(who).client, api(who).person
    return client.patch(f"/api/v1{path}", json=body, headers=person.headers)


def _listed(api, who: str, ref: str) -> list[str] | int:  # noqa: ANN001
    response = api(who).get(f"/cases/{ref}/engagements")
    if response.status_code != 200:
        return response.status_code
    return [e["organisation"]["name"] for e in response.get_json()]


def test_only_participants_see_and_keep_the_log_of_a_public_case(api):
    case = open_case(api)  # opened by the triager; content-takedown assigns legal, not export
    ref = case["ref"]
    org = _org(api).get_json()
    response = _record(api, "legal", ref, organisation_id=org["id"], contact="Head of legal")
    assert response.status_code == 201, response.get_json()
    entry = response.get_json()
    assert entry["organisation"] == {"id": org["id"], "name": "Article 19", "kind": "civil_society"}
    assert entry["case"] == ref and entry["recorded_by"] == "legal@example.org"
    for who in ("triager", "legal", "rights", "exec", "admin"):  # opener, leads, exec, admin
        assert _listed(api, who, ref) == ["Article 19"], who
    # The export-control lead can read the public case, but is not on it: no log.
    assert api("outsider").get(f"/cases/{ref}").status_code == 200
    assert _listed(api, "outsider", ref) == 403
    assert _record(api, "outsider", ref, organisation_id=org["id"]).status_code == 403
    # ... and the organisation's page does not say it was consulted on this case.
    detail = api("outsider").get(f"/organisations/{org['id']}").get_json()
    assert detail["consultations"] == []
    seen = api("rights").get(f"/organisations/{org['id']}").get_json()["consultations"]
    assert [(c["case"], c["engagement"]) for c in seen] == [(ref, entry["id"])]


def test_a_restricted_case_log_does_not_exist_for_outsiders(api):
    case = open_case(api, restricted=True)
    ref = case["ref"]
    org = _org(api).get_json()
    entry = _record(api, "legal", ref, organisation_id=org["id"]).get_json()
    for who in ("outsider",):
        assert _listed(api, who, ref) == 404
        assert _record(api, who, ref, organisation_id=org["id"]).status_code == 404
        assert _patch(api, who, f"/cases/{ref}/engagements/{entry['id']}", {}).status_code == 404
        body = json.dumps(api(who).get(f"/organisations/{org['id']}").get_json())
        assert ref not in body and case["title"] not in body
    assert _listed(api, "exec", ref) == ["Article 19"]


def test_confidential_entries_are_shown_only_to_those_allowed(api):
    case = open_case(api)
    ref = case["ref"]
    named = _org(api, name="Access Now").get_json()
    # The public-policy lead records two consultations; one organisation may not be named.
    assert _record(api, "policy", ref, organisation_id=named["id"]).status_code == 201
    secret = _record(
        api,
        "policy",
        ref,
        organisation={"name": SECRET_ORG, "kind": "civil_society"},
        confidential=True,
    )
    assert secret.status_code == 201, secret.get_json()
    secret_id = secret.get_json()["organisation"]["id"]
    both = ["Access Now", SECRET_ORG]
    for who in ("exec", "admin", "rights", "policy"):  # executives, admins, human rights, recorder
        assert _listed(api, who, ref) == both, who
    for who in ("legal", "triager", "tech"):  # participants all the same
        assert _listed(api, who, ref) == ["Access Now"], who
    # Added with a confidential entry, the organisation is not in their directory at all.
    for who in ("legal", "triager", "outsider"):
        detail = api(who).get(f"/organisations/{secret_id}")
        assert detail.status_code == 404, who
        assert ref not in json.dumps(detail.get_json()) and SECRET_ORG not in detail.text
    for who in ("rights", "exec", "policy"):
        seen = api(who).get(f"/organisations/{secret_id}").get_json()["consultations"]
        assert [(c["case"], c["confidential"]) for c in seen] == [(ref, True)], who


def test_a_hidden_confidential_entry_cannot_be_edited_or_probed(api):
    ref = open_case(api)["ref"]
    entry = _record(
        api, "rights", ref, organisation={"name": SECRET_ORG, "kind": "expert"}, confidential=True
    ).get_json()
    path = f"/cases/{ref}/engagements/{entry['id']}"
    # The legal lead may see the log but not this entry: it does not exist for them.
    assert _patch(api, "legal", path, {"summary": "x"}).status_code == 404
    assert _patch(api, "legal", f"/cases/{ref}/engagements/999999", {}).status_code == 404
    # An executive sees it, but did not record it: not theirs to correct.
    assert _patch(api, "exec", path, {"summary": "x"}).status_code == 403


def test_recorder_and_admin_correct_an_entry_others_may_not(app, api):
    ref = open_case(api)["ref"]
    first = _org(api, name="Article 19").get_json()
    second = _org(api, name="Privacy International", kind="civil_society").get_json()
    entry = _record(api, "legal", ref, organisation_id=first["id"], advice="Ask for the order").json
    path = f"/cases/{ref}/engagements/{entry['id']}"
    for who in ("exec", "rights", "triager"):
        response = _patch(api, who, path, {"summary": "rewritten"})
        assert response.status_code == 403, who
    fixed = _patch(api, "legal", path, {"organisation_id": second["id"], "advice": "Challenge it"})
    assert fixed.status_code == 200, fixed.get_json()
    assert fixed.get_json()["organisation"]["name"] == "Privacy International"
    assert _patch(api, "admin", path, {"confidential": True}).get_json()["confidential"] is True
    assert api("legal").delete(path).status_code == 405  # append-only: no deletion
    events = api("admin").get("/audit?action=engagement.updated").get_json()
    changes = [e["details"]["changes"] for e in events]
    assert {"confidential": {"before": False, "after": True}} in changes
    assert {
        "organisation_id": {"before": first["id"], "after": second["id"]},
        "advice": {"before": "Ask for the order", "after": "Challenge it"},
    } in changes
    denied = api("admin").get("/audit?action=engagement.update&outcome=denied").get_json()
    assert {e["actor"] for e in denied} >= {"exec@example.org", "rights@example.org"}


def test_audit_names_organisations_by_id_and_keeps_the_log_off_the_case_timeline(api):
    ref = open_case(api)["ref"]
    created = _record(
        api, "rights", ref, organisation={"name": SECRET_ORG, "kind": "expert"}, confidential=True
    ).get_json()
    org_id = created["organisation"]["id"]
    _patch(api, "rights", f"/cases/{ref}/engagements/{created['id']}", {"contact": "Director"})
    trail = api("admin").get(f"/audit?case={ref}").get_json()
    actions = {e["action"]: e for e in trail}
    assert {"engagement.recorded", "engagement.updated"} <= set(actions)
    recorded = actions["engagement.recorded"]["details"]
    assert recorded["organisation"] == org_id and recorded["confidential"] is True
    everything = json.dumps(api("admin").get("/audit?limit=10000").get_json())
    assert SECRET_ORG not in everything
    assert '"organisation.created"' in everything  # the directory's addition, by id only
    # Everyone who can read the case reads its timeline: the log's events are not on it.
    timeline = json.dumps(api("outsider").get(f"/cases/{ref}/timeline").get_json())
    assert "engagement" not in timeline and SECRET_ORG not in timeline


def test_directory_refuses_a_duplicate_name_naming_the_existing_one(api):
    first = _org(api, name="Access Now", country="us", website="https://www.accessnow.org/")
    assert first.status_code == 201, first.get_json()
    assert first.get_json()["country"] == "US"
    again = _org(api, who="exec", name="  access   NOW ")
    assert again.status_code == 409
    assert "Access Now" in again.get_json()["error"]["message"]
    assert str(first.get_json()["id"]) in again.get_json()["error"]["message"]
    ref = open_case(api)["ref"]
    inline = _record(api, "legal", ref, organisation={"name": "ACCESS NOW", "kind": "peer"})
    assert inline.status_code == 409 and "Access Now" in inline.get_json()["error"]["message"]
    other = _org(api, name="Ärzte ohne Grenzen").get_json()
    assert _org(api, name="ärzte OHNE grenzen").status_code == 409  # beyond ASCII too
    rename = _patch(api, "legal", f"/organisations/{other['id']}", {"name": "access now"})
    assert rename.status_code == 409
    assert api("admin").get("/organisations").headers["X-Total-Count"] == "2"


def test_organisation_edits_are_the_creators_or_an_admins_and_audited(api):
    org = _org(api, who="legal", name="Article 19").get_json()
    path = f"/organisations/{org['id']}"
    assert _patch(api, "rights", path, {"notes": "x"}).status_code == 403
    response = _patch(api, "legal", path, {"country": "GB", "notes": "London office"})
    assert response.status_code == 200 and response.get_json()["country"] == "GB"
    assert _patch(api, "admin", path, {"kind": "expert"}).get_json()["kind"] == "expert"
    events = api("admin").get("/audit?action=organisation.updated").get_json()
    assert [e["details"]["changes"] for e in events] == [
        {"kind": {"before": "civil_society", "after": "expert"}},
        {
            "country": {"before": "", "after": "GB"},
            "notes": {"before": "", "after": "London office"},
        },
    ]


def test_directory_filters_and_pages(api):
    for name, kind, country in [
        ("Article 19", "civil_society", "GB"),
        ("Access Now", "civil_society", "US"),
        ("UN Special Rapporteur on freedom of expression", "intergovernmental", ""),
        ("Ministry of Transport", "government", "TR"),
    ]:
        assert _org(api, name=name, kind=kind, country=country).status_code == 201
    names = lambda q: [o["name"] for o in api("tech").get(f"/organisations?{q}").get_json()]  # noqa: E731
    assert names("") == [
        "Access Now",
        "Article 19",
        "Ministry of Transport",
        "UN Special Rapporteur on freedom of expression",
    ]
    assert names("kind=civil_society") == ["Access Now", "Article 19"]
    assert names("country=tr") == ["Ministry of Transport"]
    assert names("q=RAPPORTEUR") == ["UN Special Rapporteur on freedom of expression"]
    assert names("q=%25") == []  # a LIKE wildcard is only a character
    page = api("tech").get("/organisations?limit=2&offset=2")
    assert page.headers["X-Total-Count"] == "4" and len(page.get_json()) == 2
    assert api("tech").get("/organisations?kind=ngo").status_code == 422
    assert api("tech").get("/organisations?country=Narnia").status_code == 422


FUTURE = (datetime.now(UTC) + timedelta(days=3)).date().isoformat()
CASES = [  # (what is sent, status, field named)
    ({"engaged_on": FUTURE}, 422, "engaged_on"),
    ({"engaged_on": "12/01/2026"}, 422, "engaged_on"),
    ({"engaged_on": None}, 422, "engaged_on"),
    ({"summary": "   "}, 422, "summary"),
    ({"summary": "x" * 20_001}, 422, "summary"),
    ({"advice": "x" * 20_001}, 422, "advice"),
    ({"contact": "x" * 301}, 422, "contact"),
    ({"summary": "a\u0000b"}, 422, "summary"),
    ({"confidential": None}, 422, "confidential"),
    ({"confidential": "perhaps"}, 422, "confidential"),
    ({"organisation_id": 999_999}, 404, "organisation_id"),
    ({"organisation_id": 2**40}, 404, "organisation_id"),
    ({"organisation_id": "abc"}, 404, "organisation_id"),
    ({"organisation_id": None}, 422, "organisation_id"),
    ({"organisation": "Access Now"}, 422, "organisation"),
    ({"organisation": {"name": "New", "kind": "ngo"}}, 422, "organisation.kind"),
    ({"organisation": {"name": "", "kind": "peer"}}, 422, "organisation.name"),
    ({"organisation": {"name": "x" * 201, "kind": "peer"}}, 422, "organisation.name"),
    (
        {"organisation": {"name": "N", "kind": "peer", "website": "javascript:alert(1)"}},
        422,
        "organisation.website",
    ),
    (
        {"organisation": {"name": "N", "kind": "peer", "country": "Narnia"}},
        422,
        "organisation.country",
    ),
]


@pytest.mark.parametrize(("sent", "status", "field"), CASES, ids=[c[2] for c in CASES])
def test_bad_entries_get_a_clear_4xx_and_change_nothing(api, sent, status, field):
    ref = open_case(api)["ref"]
    org = _org(api).get_json()
    body = {"organisation_id": org["id"], **sent}
    if "organisation" in sent:
        body.pop("organisation_id")
    response = _record(api, "legal", ref, **body)
    assert response.status_code == status, response.get_json()
    assert response.get_json()["error"].get("field") == field
    assert api("admin").get(f"/cases/{ref}/engagements").get_json() == []
    assert api("admin").get("/organisations").headers["X-Total-Count"] == "1"


@pytest.mark.parametrize(
    ("sent", "field"),
    [
        ({"website": "ftp://example.org/"}, "website"),
        ({"website": "javascript:alert(1)"}, "website"),
        ({"website": "https://"}, "website"),
        ({"website": "http://[::1"}, "website"),
        ({"kind": "ngo"}, "kind"),
        ({"name": " "}, "name"),
        ({"notes": "x" * 5001}, "notes"),
        ({"country": 49}, "country"),
    ],
)
def test_bad_organisations_are_refused(api, sent, field):
    response = api("legal").post("/organisations", json={"name": "N", "kind": "peer", **sent})
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["error"]["field"] == field


def test_both_an_organisation_and_a_new_one_or_no_json_are_refused(api):
    ref = open_case(api)["ref"]
    org = _org(api).get_json()
    both = _record(
        api, "legal", ref, organisation_id=org["id"], organisation={"name": "B", "kind": "peer"}
    )
    assert both.status_code == 422 and both.get_json()["error"]["field"] == "organisation_id"
    assert api("legal").post(f"/cases/{ref}/engagements", json=[1]).status_code == 400
    for bad in ("0", "-1", "2147483648", "x"):
        assert api("legal").get(f"/organisations/{bad}").status_code == 404, bad
