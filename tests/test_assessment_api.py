"""The human-rights assessment through the JSON API: who may read and change it, what is
refused as invalid, the salience formula, the case list's order, filings and the audit trail."""

from __future__ import annotations

from conftest import analysis_body, open_case

from incident_hub.assessment.salience import band, compute
from incident_hub.audit.models import AuditEvent
from incident_hub.extensions import db

FULL = {
    "rights": ["privacy", "expression"],
    "at_risk_groups": ["journalists"],
    "groups_note": "Reporters covering the protests",
    "scale": 5,
    "scope": 3,
    "irremediability": 5,
    "likelihood": 4,
    "involvement": "contribute",
    "leverage": "GNI peers; home government",
}
TESTS_ONLY = {"tests": {"legal-basis": {"answer": "unclear", "note": "Decree not published"}}}


def _put(api, who: str, ref: str, body):  # noqa: ANN001, ANN201
    return api(who).client.put(
        f"/api/v1/cases/{ref}/assessment", json=body, headers=api(who)._headers()
    )


def _events(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        rows = db.session.execute(
            db.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        )
        found = list(rows.scalars())
        db.session.expunge_all()
        return found


def test_who_may_read_and_change_the_assessment(app, api):
    public = open_case(api)["ref"]
    hidden = api("admin").post(
        "/cases",
        json={"title": "Gagged order", "playbook": "content-takedown", "jurisdiction": "TR"}
        | {"restricted": True},
    )
    assert hidden.status_code == 201
    secret = hidden.get_json()["ref"]
    table = [  # (who, case, body or None for GET, status)
        ("rights", public, FULL, 200),  # the human-rights lead: everything
        ("rights", secret, FULL, 200),  # a participant of the restricted case
        ("admin", public, {"scope": 4}, 200),
        ("legal", public, TESTS_ONLY, 200),  # the legal lead: Telenor's tests only
        ("legal", public, {"scale": 2}, 403),
        ("legal", public, {"scale": 2} | TESTS_ONLY, 403),
        ("policy", public, TESTS_ONLY, 403),  # another function's lead
        ("tech", secret, {"scale": 1}, 403),
        ("exec", public, TESTS_ONLY, 403),
        ("triager", public, {"scale": 1}, 403),
        ("outsider", secret, TESTS_ONLY, 404),  # not a participant: no such case
        ("triager", secret, {"scale": 1}, 404),
        ("exec", public, None, 200),  # everyone who sees the case reads it
        ("exec", secret, None, 200),
        ("triager", public, None, 200),
        ("outsider", secret, None, 404),
        ("triager", secret, None, 404),
        (None, public, None, 401),
        (None, public, TESTS_ONLY, 401),
    ]
    for who, ref, body, status in table:
        if body is None:
            response = api(who).get(f"/cases/{ref}/assessment")
        else:
            response = _put(api, who, ref, body)
        assert response.status_code == status, (who, ref, body, response.get_json())
        if status == 200:
            assert response.get_json()["case"] == ref
        if status == 404:
            assert "Gagged" not in response.get_data(as_text=True)
    after = api("admin").get(f"/cases/{public}/assessment").get_json()
    assert after["scale"] == 5 and after["scope"] == 4  # the refused scale changes never landed
    assert after["tests"]["legal-basis"] == {"answer": "unclear", "note": "Decree not published"}
    denied = [e for e in _events(app, "assessment.update") if e.outcome == "denied"]
    assert {e.actor for e in denied} == {
        "legal@example.org",
        "policy@example.org",
        "tech@example.org",
        "exec@example.org",
        "triager@example.org",
    }


INVALID = [  # (body, the field the 422 names)
    ({"scale": 0}, "scale"),
    ({"scope": 6}, "scope"),
    ({"scale": 3, "scope": 6}, "scope"),  # all or nothing: scale is not saved either
    ({"irremediability": "3"}, "irremediability"),
    ({"likelihood": True}, "likelihood"),
    ({"likelihood": 2.5}, "likelihood"),
    ({"rights": ["expression", "flight"]}, "rights"),
    ({"rights": "expression"}, "rights"),
    ({"at_risk_groups": ["aliens"]}, "at_risk_groups"),
    ({"involvement": "benefit"}, "involvement"),
    ({"leverage": 7}, "leverage"),
    ({"groups_note": "x" * 2001}, "groups_note"),
    ({"tests": {"legality": {"answer": "yes"}}}, "tests"),
    ({"tests": {"legal-basis": {"answer": "maybe"}}}, "tests.legal-basis.answer"),
    ({"tests": {"legal-basis": {"answr": "yes"}}}, "tests.legal-basis.answr"),
    ({"tests": {"legal-basis": "yes"}}, "tests.legal-basis"),
    ({"severity": 5}, "severity"),
    ({"version": "1"}, "version"),
]


def test_invalid_values_are_refused_naming_the_field(app, api):
    ref = open_case(api)["ref"]
    for body, field in INVALID:
        response = _put(api, "rights", ref, body)
        assert response.status_code == 422, (body, response.get_json())
        assert response.get_json()["error"]["field"] == field, body
    assert api("rights").get(f"/cases/{ref}/assessment").get_json()["version"] == 0
    assert _events(app, "assessment.updated") == []


def test_a_body_that_is_not_an_object_is_a_bad_request(api):
    ref = open_case(api)["ref"]
    assert _put(api, "rights", ref, [1, 2]).status_code == 400
    assert _put(api, "rights", ref, None).status_code == 400


def test_salience_formula():
    """(scale + scope + 2 × irremediability) × likelihood; 0 until all four are scored."""
    assert compute(1, 1, 1, 1) == 4 and compute(5, 5, 5, 5) == 100
    assert compute(3, 3, 3, 3) == 36 and band(36) == "medium"
    assert compute(5, 3, 5, 4) == 72 and band(72) == "high"
    assert compute(5, 4, 5, 5) == 95 and band(95) == "critical"
    assert compute(2, 2, 1, 2) == 12 and band(12) == "low"
    assert compute(5, 5, None, 5) == 0 and band(0) is None
    assert [band(n) for n in (24, 25, 49, 50, 74, 75)] == [
        "low",
        "medium",
        "medium",
        "high",
        "high",
        "critical",
    ]


def test_partial_saves_recompute_salience_and_the_case_shows_it(api):
    ref = open_case(api)["ref"]
    empty = api("exec").get(f"/cases/{ref}/assessment").get_json()
    assert empty["version"] == 0 and empty["salience"] == 0 and empty["band"] is None
    assert empty["tests"]["transparency"] == {"answer": None, "note": ""}
    case = api("exec").get(f"/cases/{ref}").get_json()
    assert case["salience"] == 0 and case["assessment"] is None

    body = {k: v for k, v in FULL.items() if k != "likelihood"}
    first = _put(api, "rights", ref, body).get_json()
    assert first["salience"] == 0 and first["version"] == 1  # likelihood still missing
    second = _put(api, "rights", ref, {"likelihood": 4}).get_json()
    assert (second["salience"], second["band"], second["version"]) == (72, "high", 2)
    assert second["rights"] == ["expression", "privacy"]  # kept, in the vocabulary's order
    assert second["updated_by"] == "rights@example.org"
    third = _put(api, "admin", ref, {"scope": 4, "likelihood": 5}).get_json()
    assert (third["salience"], third["band"]) == (95, "critical")
    assert third["leverage"] == FULL["leverage"] and third["involvement"] == "contribute"
    assert third["updated_by"] == "admin@example.org" and third["version"] == 3

    case = api("triager").get(f"/cases/{ref}").get_json()
    assert case["salience"] == 95 and case["salience_band"] == "critical"
    assert case["assessment"]["scale"] == 5 and case["assessment"]["version"] == 3
    cleared = _put(api, "rights", ref, {"likelihood": None}).get_json()
    assert cleared["salience"] == 0 and cleared["band"] is None
    assert api("exec").get(f"/cases/{ref}").get_json()["salience"] == 0


def test_a_stale_version_is_a_conflict(api):
    ref = open_case(api)["ref"]
    assert _put(api, "rights", ref, {"scale": 3, "version": 0}).status_code == 200
    stale = _put(api, "rights", ref, {"scale": 4, "version": 0})
    assert stale.status_code == 409, stale.get_json()
    fresh = _put(api, "rights", ref, {"scale": 4, "version": 1})
    assert fresh.status_code == 200 and fresh.get_json()["version"] == 2
    assert api("rights").get(f"/cases/{ref}/assessment").get_json()["scale"] == 4


def test_every_change_is_audited_with_before_and_after(app, api):
    ref = open_case(api)["ref"]
    _put(api, "rights", ref, FULL)
    _put(api, "rights", ref, {"scale": 3, "leverage": FULL["leverage"]})  # leverage unchanged
    _put(api, "legal", ref, TESTS_ONLY)
    _put(api, "rights", ref, {"scale": 3})  # nothing changes: nothing is recorded
    first, second, third = _events(app, "assessment.updated")
    assert first.details["before"]["scale"] is None and first.details["after"]["scale"] == 5
    assert first.details["after"]["salience"] == 72 and first.details["before"]["salience"] == 0
    assert second.details == {
        "before": {"scale": 5, "salience": 72},
        "after": {"scale": 3, "salience": 64},
        "via": "assessment",
    }
    assert third.actor == "legal@example.org"
    assert third.details["before"] == {"tests": {"legal-basis": {"answer": None, "note": ""}}}
    assert third.details["after"] == {"tests": TESTS_ONLY["tests"]}
    timeline = api("exec").get(f"/cases/{ref}/timeline").get_json()
    assert [e["action"] for e in timeline].count("assessment.updated") == 3


def test_the_case_list_orders_by_salience_then_newest(api):
    oldest, middle, newest = (open_case(api, title=t)["ref"] for t in ("A", "B", "C"))

    def refs(query: str = "") -> list[str]:
        response = api("legal").get(f"/cases{query}")
        assert response.status_code == 200, response.get_json()
        return [c["ref"] for c in response.get_json()]

    assert refs() == [newest, middle, oldest]  # nothing assessed: newest first
    _put(api, "rights", oldest, {"scale": 3, "scope": 3, "irremediability": 3, "likelihood": 3})
    assert refs() == [oldest, newest, middle]
    _put(api, "rights", middle, FULL)
    assert refs() == [middle, oldest, newest]
    assert refs("?sort=newest") == [newest, middle, oldest]
    assert refs("?sort=salience&limit=1") == [middle]
    summaries = {c["ref"]: c for c in api("legal").get("/cases").get_json()}
    assert summaries[middle]["salience"] == 72 and summaries[middle]["salience_band"] == "high"
    assert summaries[newest]["salience"] == 0 and summaries[newest]["salience_band"] is None
    bad = api("legal").get("/cases?sort=oldest")
    assert bad.status_code == 422 and bad.get_json()["error"]["field"] == "sort"


def test_analyses_carry_the_assessment(app, api):
    case = open_case(api)
    ref = case["ref"]
    rights = analysis_body(app, case, "human-rights") | {"assessment": FULL | TESTS_ONLY}
    assert api("rights").post(f"/cases/{ref}/analyses", json=rights).status_code == 201
    filed = api("exec").get(f"/cases/{ref}").get_json()
    assert filed["salience"] == 72 and filed["assessment"]["involvement"] == "contribute"
    assert filed["assessment"]["tests"]["legal-basis"]["answer"] == "unclear"
    (event,) = _events(app, "assessment.updated")
    assert event.details["via"] == "analysis:human-rights"

    legal = analysis_body(app, case, "legal")
    wrong = api("legal").post(
        f"/cases/{ref}/analyses", json=legal | {"assessment": {"scale": 1} | TESTS_ONLY}
    )
    assert wrong.status_code == 422 and wrong.get_json()["error"]["field"] == "assessment.scale"
    tests = {"tests": {"transparency": {"answer": "no", "note": "Gag order"}}}
    ok = api("legal").post(f"/cases/{ref}/analyses", json=legal | {"assessment": tests})
    assert ok.status_code == 201
    after = ok.get_json()["assessment"]
    assert after["tests"]["transparency"] == {"answer": "no", "note": "Gag order"}
    assert after["tests"]["legal-basis"]["answer"] == "unclear" and after["scale"] == 5
    versions = [a["version"] for a in ok.get_json()["analyses"] if a["function"] == "legal"]
    assert versions == [1]  # the refused filing left no analysis behind

    policy = analysis_body(app, case, "public-policy") | {"assessment": TESTS_ONLY}
    refused = api("policy").post(f"/cases/{ref}/analyses", json=policy)
    assert refused.status_code == 422 and refused.get_json()["error"]["field"] == "assessment"
    bad = analysis_body(app, case, "human-rights") | {"assessment": {"scale": 6}}
    refused = api("rights").post(f"/cases/{ref}/analyses", json=bad)
    assert refused.status_code == 422 and refused.get_json()["error"]["field"] == "scale"
    assert api("exec").get(f"/cases/{ref}/assessment").get_json()["scale"] == 5
