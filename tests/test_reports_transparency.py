"""The transparency export (RDR F6, P11, F10, G4): exact counts in JSON and CSV, restricted and
gag-order cases excluded, who may export, the audit trail, and the CLI."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from conftest import web_login

from incident_hub.audit.models import AuditEvent
from incident_hub.clock import frozen_at
from incident_hub.extensions import db

IN_2025 = datetime(2025, 3, 1, 12, tzinfo=UTC)
COURT = "Ankara Criminal Judgeship of Peace"
FORMULA = '=HYPERLINK("http://x")'
# (playbook, country, authority, instrument, decision option or None, extra intake)
SEED = [
    ("content-takedown", "TR", COURT, "Law 5651", "comply-narrowly", {}),
    ("content-takedown", "TR", COURT, "", "comply-narrowly", {}),
    ("content-takedown", "TR", "", "Law 5651", "partially-reject", {}),
    ("content-takedown", "DE", "", "", None, {}),
    ("surveillance-data-demand", "IN", "Ministry of Home Affairs", "", "challenge-in-court", {}),
    ("network-shutdown", "MM", "Ministry of Transport", "", "seek-clarification", {}),
    ("platform-regulation", "BR", FORMULA, "", "notify-and-publish", {}),
    # never counted: restricted, under a gag order
    ("content-takedown", "TR", COURT, "", "comply-narrowly", {"restricted": True}),
    ("surveillance-data-demand", "IN", "Ministry of Home Affairs", "", None, {"gag_order": True}),
]
EXPECTED = [  # indicator order, then country, authority, playbook, outcome
    ("F6", "DE", "not stated", "content-takedown", "", "pending", 1),
    ("F6", "TR", COURT, "content-takedown", "comply-narrowly", "complied", 2),
    ("F6", "TR", "Law 5651", "content-takedown", "partially-reject", "partially complied", 1),
    ("P11", "IN", "Ministry of Home Affairs", "surveillance-data-demand", "challenge-in-court")
    + ("not complied", 1),
    ("F10", "MM", "Ministry of Transport", "network-shutdown", "seek-clarification")
    + ("pending", 1),
    ("G4", "BR", FORMULA, "platform-regulation", "notify-and-publish", "complied", 1),
]


@pytest.fixture
def seeded(api):
    refs = []
    with frozen_at(IN_2025):
        for playbook, country, authority, instrument, option, extra in SEED:
            body = {"title": "A demand", "playbook": playbook, "jurisdiction": country}
            body |= {"authority": authority, "instrument": instrument, **extra}
            response = api("admin").post("/cases", json=body)
            assert response.status_code == 201, response.get_json()
            ref = response.get_json()["ref"]
            if option:
                decision = {"option": option, "rationale": "r", "override": True}
                assert api("exec").post(f"/cases/{ref}/decision", json=decision).status_code == 201
            refs.append(ref)
    # another year: not in 2025's export
    body = {"title": "Later", "playbook": "content-takedown", "jurisdiction": "TR"}
    assert api("admin").post("/cases", json=body | {"authority": COURT}).status_code == 201
    return refs


def _rows(data: list[dict]) -> list[tuple]:
    keys = ("indicator", "country", "legal_authority", "playbook", "outcome", "compliance")
    return [tuple(r[k] for k in keys) + (int(r["count"]),) for r in data]


def test_json_export_counts_exactly_and_excludes_restricted_and_gag_orders(app, api, seeded):
    response = api("triager").get("/reports/transparency?year=2025&format=json")
    assert response.status_code == 200, response.get_json()
    assert (
        response.headers["Content-Disposition"] == 'attachment; filename="transparency-2025.json"'
    )
    data = response.get_json()
    assert data["year"] == 2025 and "gag order are excluded" in data["excluded"]
    assert _rows(data["rows"]) == EXPECTED
    totals = {t["indicator"]: t for t in data["totals"]}
    assert (totals["F6"]["count"], totals["F6"]["complied"]) == (4, 2)
    assert (totals["F6"]["partially_complied"], totals["F6"]["pending"]) == (1, 1)
    assert (totals["P11"]["count"], totals["P11"]["not_complied"]) == (1, 1)
    assert (totals["F10"]["count"], totals["G4"]["count"]) == (1, 1)
    assert data["demand_types"]["content-takedown"] == "F6"
    assert data["compliance_by_option"]["partially-reject"] == "partially complied"
    titles = {r["outcome"]: r["outcome_title"] for r in data["rows"]}
    assert titles["comply-narrowly"] == "Comply narrowly" and titles[""] == "No decision yet"

    other_year = api("exec").get("/reports/transparency?year=2024").get_json()
    assert other_year["rows"] == [] and {t["count"] for t in other_year["totals"]} == {0}
    this_year = api("exec").get("/reports/transparency").get_json()  # default: this year
    assert this_year["year"] == datetime.now(UTC).year
    assert sum(r["count"] for r in this_year["rows"]) == 1

    with app.app_context():
        events = db.session.execute(
            db.select(AuditEvent).where(AuditEvent.action == "report.exported")
        ).scalars()
        details = [(e.actor, e.outcome, e.details) for e in events]
    assert details[0] == (
        "triager@example.org",
        "ok",
        {"kind": "transparency", "year": 2025, "format": "json"},
    )
    assert len(details) == 3


def test_csv_export_matches_and_says_what_is_excluded(app, client, people, seeded):
    web_login(client, app, people["admin"].email)
    response = client.get("/reports/transparency.csv?year=2025")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert response.headers["Cache-Control"] == "no-store"
    text = response.get_data(as_text=True)
    comments = [line for line in text.splitlines() if line.startswith("#")]
    assert any("gag order are excluded" in line for line in comments)
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    rows = list(csv.DictReader(io.StringIO(body)))
    # a cell a spreadsheet would run as a formula is quoted
    expected = [r if r[2] != FORMULA else r[:2] + ("'" + FORMULA,) + r[3:] for r in EXPECTED]
    assert _rows(rows) == expected
    assert {r["year"] for r in rows} == {"2025"}

    page = client.get("/reports").get_data(as_text=True)
    assert "Download CSV" in page and "/reports/transparency.json" in page


@pytest.mark.parametrize("who", ["legal", "outsider"])
def test_leads_may_not_export_and_the_refusal_is_audited(app, api, client, people, who):
    response = api(who).get("/reports/transparency?year=2025")
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"
    web_login(client, app, people[who].email)
    assert client.get("/reports/transparency.json?year=2025").status_code == 403
    with app.app_context():
        denied = db.session.execute(
            db.select(AuditEvent.outcome).where(AuditEvent.action == "report.exported")
        ).scalars()
        assert list(denied) == ["denied", "denied"]


def test_bad_year_or_format_is_422(api):
    for query in ("year=20x5", "year=99999", "year=1066", "year=%00", "format=xml", "format=pdf"):
        response = api("exec").get(f"/reports/transparency?{query}")
        assert response.status_code == 422, (query, response.get_json())
        assert response.get_json()["error"]["field"] == query.split("=")[0]


def test_cli_transparency(runner, seeded, tmp_path, people):
    out = tmp_path / "t.csv"
    result = runner.invoke(
        ["reports", "transparency", "--year", "2025", "--format", "csv", "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    lines = [line for line in out.read_text().splitlines() if not line.startswith("#")]
    assert len(lines) == 1 + len(EXPECTED)
    stdout = runner.invoke(["reports", "transparency", "--year", "2025"])
    assert stdout.exit_code == 0 and '"indicator": "P11"' in stdout.output

    bad = runner.invoke(["reports", "transparency", "--year", "next"])
    assert bad.exit_code == 1 and "year must be a four-digit year" in bad.output
    assert isinstance(bad.exception, SystemExit)  # a message, not a traceback
    refused = runner.invoke(["reports", "transparency", "--as", people["legal"].email])
    assert refused.exit_code == 1 and "only admins, executives and triagers" in refused.output
    nobody = runner.invoke(["reports", "transparency", "--as", "nobody@example.org"])
    assert nobody.exit_code == 1 and "nobody@example.org" in nobody.output
    assert "Traceback" not in nobody.output + bad.output
    unwritable = runner.invoke(["reports", "transparency", "--output", str(tmp_path / "no/x")])
    assert unwritable.exit_code == 1 and "cannot write" in unwritable.output
