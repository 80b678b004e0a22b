"""The case dossier for the board (Markdown and PDF): its sections, recommendations side by
side, who sees which engagement entries and related cases, Unicode and long text in the PDF,
404 for a restricted case, the audit trail, and the CLI."""

from __future__ import annotations

import re
import zlib
from datetime import UTC, date, datetime, timedelta

import pytest
from conftest import analysis_body, web_login

from incident_hub.assessment.models import Assessment
from incident_hub.audit.models import AuditEvent
from incident_hub.auth.models import User
from incident_hub.cases.models import Case
from incident_hub.engagement.models import Engagement, Organisation
from incident_hub.extensions import db
from incident_hub.followthrough.models import Action, CaseLink

TITLE = "Order to block *opposition* accounts | Şırnak & Роскомнадзор"
SUMMARY = "The ministry's order:\n# not a heading\n- not a list\n<script>alert(1)</script>"
ARABIC = "هيئة تنظيم الاتصالات"
SECTIONS = [
    "Intake",
    "Human-rights assessment (UNGPs 17–19)",
    "Analyses and recommendations",
    "Decision",
    "Stakeholder engagement (UNGP 18, RDR G5)",
    "Evidence (attachments)",
    "Follow-through (UNGP 20)",
    "What happened next",
    "Related cases",
    "Similar past cases",
    "Timeline (from the audit trail)",
]


def _user_id(email: str) -> int:
    return db.session.execute(db.select(User.id).filter_by(email=email)).scalar_one()


def _case_id(ref: str) -> int:
    return db.session.execute(db.select(Case.id).filter_by(ref=ref)).scalar_one()


@pytest.fixture
def case(app, api, people):
    """A decided takedown case with two analyses, an assessment, engagement (one entry
    confidential), an action, and links to a public and to a restricted case."""
    body = {
        "title": TITLE,
        "playbook": "content-takedown",
        "jurisdiction": "TR",
        "summary": SUMMARY,
        "authority": ARABIC,
        "instrument": "Law 5651",
    }
    created = api("triager").post("/cases", json=body).get_json()
    ref = created["ref"]
    legal = analysis_body(app, created, "legal", "comply-narrowly")
    rights = analysis_body(app, created, "human-rights", "challenge-in-court")
    rights["analysis"] = "Overbroad: it hits journalists. " * 5
    for who, filing in (("legal", legal), ("rights", rights)):
        response = api(who).post(f"/cases/{ref}/analyses", json=filing)
        assert response.status_code == 201, response.get_json()
    decision = {
        "option": "partially-reject",
        "rationale": "Comply only with the court-reviewed items.",
        "conditions": "Legal dissents: it prefers full compliance.",
        "override": True,
    }
    assert api("exec").post(f"/cases/{ref}/decision", json=decision).status_code == 201
    other = api("triager").post("/cases", json=body | {"title": "Same law in Azerbaijan"})
    secret = api("admin").post("/cases", json=body | {"title": "Hidden", "restricted": True})
    with app.app_context():
        case_id, rights_id = _case_id(ref), _user_id(people["rights"].email)
        admin_id = _user_id(people["admin"].email)
        db.session.add(
            Assessment(
                case_id=case_id,
                rights=["expression", "assembly"],
                at_risk_groups=["journalists"],
                scale=4,
                scope=3,
                irremediability=2,
                likelihood=5,
                involvement="contribute",
                leverage="Coalition with peers through GNI.",
                tests={"legal_basis": {"answer": "unclear", "note": "Vague statute"}},
                updated_by_id=rights_id,
            )
        )
        for name, confidential, met in (
            ("Open Society Group", False, "the open group"),
            ("Quiet Source Org", True, "a source inside the regulator"),
        ):
            org = Organisation(name=name, kind="civil_society", created_by_id=rights_id)
            db.session.add(org)
            db.session.flush()
            db.session.add(
                Engagement(
                    case_id=case_id,
                    organisation_id=org.id,
                    engaged_on=date(2026, 2, 1),
                    summary=f"Consulted {met} on the order.",
                    contact=f"{name} contact person",
                    advice="Push back on the journalists' accounts.",
                    confidential=confidential,
                    recorded_by_id=rights_id,
                )
            )
        db.session.add(
            Action(
                case_id=case_id,
                title="Publish the order in the transparency report",
                owner_id=rights_id,
                due_at=datetime.now(UTC) + timedelta(days=30),
                detail="With the legal authority named.",
                created_by_id=admin_id,
            )
        )
        for linked, kind in (
            (other.get_json()["ref"], "same_law"),
            (secret.get_json()["ref"], "related"),
        ):
            db.session.add(
                CaseLink(
                    case_id=case_id, other_id=_case_id(linked), kind=kind, created_by_id=admin_id
                )
            )
        db.session.commit()
    return {"ref": ref, "other": other.get_json()["ref"], "secret": secret.get_json()["ref"]}


def _md(api, who: str, ref: str) -> str:
    response = api(who).get(f"/cases/{ref}/dossier?format=md")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.headers["Content-Type"].startswith("text/markdown")
    return response.get_data(as_text=True)


def test_markdown_dossier_has_every_section_and_recommendations_side_by_side(api, case):
    md = _md(api, "exec", case["ref"])
    headings = re.findall(r"^## (.+)$", md, re.M)
    assert headings == ["Contents", *[h.replace("(", "(") for h in SECTIONS]]
    table = re.search(r"### Recommendations side by side\n\n((?:\|.*\n)+)", md).group(1)
    rows = table.strip().splitlines()
    assert rows[0].startswith("| Function | Status | Recommendation |")
    assert any("Legal / product counsel | Filed | Comply narrowly" in r for r in rows)
    assert any("Human rights | Filed | Challenge in court" in r for r in rows)
    assert "- **Decision:** Partially reject" in md
    assert "**Conditions and dissent:**" in md and "Legal dissents" in md
    assert "- **Scale:** 4 of 5" in md and "Contributes to the harm (UNGP 19)" in md
    assert "Legal basis | Unclear" in md and "Vague statute" in md
    assert "Publish the order in the transparency report" in md
    assert "Same law, another country" in md
    assert ARABIC in md and "Şırnak" in md
    # user text is escaped: it reads as typed and is never markup
    assert "\\*opposition\\*" in md and "\\| Şırnak" in md
    assert "<script>" not in md and "\\<script\\>" in md
    assert "\n\\# not a heading" in md and "\n\\- not a list" in md
    timeline = md.split("## Timeline (from the audit trail)")[1]
    events = re.findall(r"^\| [^|]+ \| [^|]+ \| ([a-z_.]+) \|", timeline, re.M)
    assert events[0] == "case.opened" and events.count("analysis.filed") == 2
    assert "decision.recorded" in events and "recorded read" not in timeline


def test_engagement_and_related_cases_follow_what_the_exporter_may_see(api, case):
    exec_md = _md(api, "exec", case["ref"])
    assert "Open Society Group" in exec_md and "the open group" in exec_md
    # the confidential entry is shown to the executive, but never with the organisation's name
    assert "a source inside the regulator" in exec_md and "Quiet Source" not in exec_md
    assert "Withheld (confidential: the organisation may not be named)" in exec_md
    assert "Hidden" in exec_md and f"{case['secret']} (restricted)" in exec_md

    legal_md = _md(api, "legal", case["ref"])  # a participant, not allowed confidential entries
    assert "Open Society Group" in legal_md and "the open group" in legal_md
    assert "inside the regulator" not in legal_md and "Withheld" not in legal_md
    assert "Hidden" in legal_md  # a lead of legal is a participant of the restricted case

    triager_md = _md(api, "triager", case["ref"])  # the opener: a participant of this case only
    assert "Open Society Group" in triager_md and "inside the regulator" not in triager_md
    assert case["other"] in triager_md and "Hidden" not in triager_md
    assert case["secret"] not in triager_md  # the restricted case's reference, too

    outsider_md = _md(api, "outsider", case["ref"])  # may see the case, is no participant
    assert "Open Society Group" not in outsider_md
    assert "shown only to the case's participants" in outsider_md


def _pdf_pages(body: bytes) -> int:
    assert body.startswith(b"%PDF-") and body.rstrip().endswith(b"%%EOF")
    start = int(re.search(rb"startxref\s+(\d+)", body).group(1))
    assert body[start : start + 4] == b"xref"  # the cross-reference table is where it says
    pages = len(re.findall(rb"/Type /Page\b(?!s)", body))
    tree = next(obj for obj in body.split(b"endobj") if b"/Type /Pages" in obj)
    assert int(re.search(rb"/Count (\d+)", tree).group(1)) == pages
    return pages


def _content_text(body: bytes) -> str:
    """The decompressed page content streams, where a core font writes its text literally."""
    out = []
    for stream in re.findall(rb"/FlateDecode.*?stream\r?\n(.*?)\r?\nendstream", body, re.S):
        try:
            out.append(zlib.decompress(stream).decode("latin-1"))
        except zlib.error:
            continue
    return "\n".join(out)


def test_pdf_dossier_handles_unicode_long_text_and_many_pages(app, api, case):
    short = api("exec").get(f"/cases/{case['ref']}/dossier?format=pdf")
    assert short.status_code == 200 and short.headers["Content-Type"] == "application/pdf"
    assert short.headers["Content-Disposition"].endswith(f'{case["ref"]}-dossier.pdf"')
    few = _pdf_pages(short.data)
    assert b"/FontFile2" in short.data and b"DejaVuSans" in short.data  # Unicode font embedded

    with app.app_context():  # a very long analysis, an unbroken token, CJK and emoji
        row = db.session.execute(db.select(Case).filter_by(ref=case["ref"])).scalar_one()
        analysis = row.current_analyses()["legal"]
        analysis.text = ("Lorem ipsum dolor sit amet, Türkçe İçerik, Русский текст. " * 800) + (
            "https://example.org/" + "x" * 3000 + " 中文 🚫 " + ARABIC
        )
        db.session.commit()
    long = api("exec").get(f"/cases/{case['ref']}/dossier?format=pdf")
    assert long.status_code == 200
    assert _pdf_pages(long.data) >= few + 10


def test_pdf_falls_back_to_a_core_font_without_dejavu(api, case, monkeypatch, tmp_path):
    from incident_hub.reports import pdf

    monkeypatch.setattr(pdf, "FONT_DIRS", [tmp_path])
    response = api("legal").get(f"/cases/{case['ref']}/dossier?format=pdf")
    assert response.status_code == 200
    _pdf_pages(response.data)
    text = _content_text(response.data)
    assert "Comply only with the court-reviewed items." in text
    assert "?" in text and b"/FontFile2" not in response.data  # what Latin-1 cannot hold


def test_web_links_downloads_404_and_audit(app, api, client, people, case):
    web_login(client, app, people["legal"].email)
    page = client.get(f"/cases/{case['ref']}").get_data(as_text=True)
    assert f'href="/cases/{case["ref"]}/dossier.md"' in page
    assert f'href="/cases/{case["ref"]}/dossier.pdf"' in page and "Export dossier" in page
    md = client.get(f"/cases/{case['ref']}/dossier.md")
    assert md.status_code == 200 and "## Decision" in md.get_data(as_text=True)
    assert client.get(f"/cases/{case['ref']}/dossier.pdf").data.startswith(b"%PDF-")
    assert client.get(f"/cases/{case['ref']}/dossier.txt").status_code == 404
    again = client.get(f"/cases/{case['ref']}/dossier.md").get_data(as_text=True)
    assert "2 recorded read(s) of the case" in again  # the two exports: counted, not listed

    for who in ("triager", "outsider"):  # the restricted case does not exist for them
        assert api(who).get(f"/cases/{case['secret']}/dossier").status_code == 404
    assert api("exec").get(f"/cases/{case['secret']}/dossier?format=pdf").status_code == 200
    assert api("exec").get("/cases/INC-2999-9999/dossier").status_code == 404
    bad = api("exec").get(f"/cases/{case['ref']}/dossier?format=docx")
    assert bad.status_code == 422 and bad.get_json()["error"]["field"] == "format"

    with app.app_context():
        events = db.session.execute(
            db.select(AuditEvent).where(AuditEvent.action == "report.exported")
        ).scalars()
        seen = [(e.actor, e.object_ref, e.details["format"]) for e in events]
        denied = db.session.execute(
            db.select(AuditEvent.actor).where(
                AuditEvent.action == "case.viewed", AuditEvent.outcome == "denied"
            )
        ).scalars()
        assert sorted(denied) == ["outsider@example.org", "triager@example.org"]
    assert seen == [
        ("legal@example.org", case["ref"], "md"),
        ("legal@example.org", case["ref"], "pdf"),
        ("legal@example.org", case["ref"], "md"),
        ("exec@example.org", case["secret"], "pdf"),
    ]


def test_cli_dossier(runner, people, case, tmp_path):
    out = tmp_path / "dossier.pdf"
    args = ["reports", "dossier", case["ref"], "--as", people["legal"].email]
    result = runner.invoke([*args, "--format", "pdf", "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF-")
    md = runner.invoke(args)
    assert md.exit_code == 0 and "## Analyses and recommendations" in md.output

    for bad_args, message in (
        (["reports", "dossier", "INC-2999-9999", "--as", people["legal"].email], "no case"),
        (["reports", "dossier", case["secret"], "--as", people["outsider"].email], "no case"),
        (["reports", "dossier", case["ref"], "--as", "nobody@example.org"], "nobody@example.org"),
        ([*args, "--format", "docx"], "Invalid value"),
    ):
        failed = runner.invoke(bad_args)
        assert failed.exit_code != 0 and message in failed.output, (bad_args, failed.output)
        assert "Traceback" not in failed.output and isinstance(failed.exception, SystemExit)
