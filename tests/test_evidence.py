"""Evidence through the JSON API, on the local store: who may attach and read, what is
accepted (by content, not name), how a file is served, and what the audit trail keeps."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from conftest import open_case
from evidence_files import EXE, HTML, PDF, PNG, TEXT, docx, upload
from sqlalchemy import select

from incident_hub.audit.models import AuditEvent
from incident_hub.evidence.models import Attachment
from incident_hub.extensions import db


def attach(api, who: str, ref: str, data: bytes, name: str, **fields: str):
    return api(who).post(
        f"/cases/{ref}/attachments",
        data=upload(data, name, **fields),
        content_type="multipart/form-data",
    )


def path(made: dict) -> str:
    """A download_url as the ``api`` helper takes it (without /api/v1)."""
    return made["download_url"].removeprefix("/api/v1")


def events(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        query = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        return list(db.session.execute(query).scalars())


def test_a_lead_attaches_a_pdf_and_it_is_listed_with_its_sha256(app, api):
    case = open_case(api)
    answer = attach(api, "legal", case["ref"], PDF, "Order 2026-114.pdf", description="The order")
    assert answer.status_code == 201, answer.get_json()
    body = answer.get_json()
    assert body["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert body["filename"] == "Order 2026-114.pdf" and body["type"] == "pdf"
    assert body["size"] == len(PDF) and body["content_type"] == "application/pdf"
    assert body["uploaded_by"] == "legal@example.org" and body["function"] is None
    assert answer.headers["Location"] == body["download_url"]
    listed = api("rights").get(f"/cases/{case['ref']}/attachments")
    assert listed.status_code == 200 and listed.headers["X-Total-Count"] == "1"
    assert listed.get_json()[0]["sha256"] == body["sha256"]
    added = events(app, "attachment.added")
    assert len(added) == 1 and added[0].details["sha256"] == body["sha256"]
    assert added[0].actor == "legal@example.org"


def test_the_file_is_stored_under_its_sha256_in_the_instance_folder(app, api):
    case = open_case(api)
    answer = attach(api, "legal", case["ref"], PDF, "../../etc/passwd.pdf")
    assert answer.status_code == 201
    assert answer.get_json()["filename"] == "passwd.pdf"
    sha = hashlib.sha256(PDF).hexdigest()
    stored = Path(app.instance_path) / "attachments" / sha[:2] / sha
    assert stored.read_bytes() == PDF
    assert stat_mode(stored) == 0o600
    everything = [p for p in (Path(app.instance_path) / "attachments").rglob("*") if p.is_file()]
    assert everything == [stored]  # nothing under any name the client sent


def stat_mode(path: Path) -> int:
    return os.stat(path).st_mode & 0o777


def test_download_is_an_attachment_with_its_type_nosniff_and_audited(app, api):
    case = open_case(api)
    made = attach(api, "legal", case["ref"], docx(), "Gutachten für den Vorstand.docx").get_json()
    answer = api("rights").get(path(made))
    assert answer.status_code == 200
    assert answer.data == docx()
    assert answer.headers["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    disposition = answer.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="Gutachten_fur_den_Vorstand.docx"')
    assert "filename*=UTF-8''Gutachten%20f%C3%BCr%20den%20Vorstand.docx" in disposition
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in answer.headers["Cache-Control"]
    downloaded = events(app, "attachment.downloaded")
    assert [(e.actor, e.outcome, e.details["sha256"]) for e in downloaded] == [
        ("rights@example.org", "ok", made["sha256"])
    ]


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("tool.exe", EXE, "“.exe” files are not accepted"),
        ("invoice.pdf", EXE, "its content is a EXE file"),
        ("order.pdf", HTML, "content is not recognised"),
        ("page.html", HTML, "“.html” files are not accepted"),
        ("picture.png", PDF, "its content is a PDF file"),
        ("urls.txt", "Stra\xdfe".encode("latin-1"), "must be UTF-8 text"),
        ("urls.csv", b"a,b\n\x00\x01\x02", "control character U+0000"),
        ("README", TEXT, "without an extension is not accepted"),
        ("memo.docx", PDF, "its content is a PDF file"),
    ],
)
def test_wrong_types_are_refused_by_content_with_422(app, api, name, data, words):
    case = open_case(api)
    answer = attach(api, "legal", case["ref"], data, name)
    assert answer.status_code == 422, answer.get_json()
    error = answer.get_json()["error"]
    assert words in error["message"] and error["field"] == "file"
    assert count(app) == 0


@pytest.mark.parametrize(
    ("sent", "shown"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\x\\y.pdf", "y.pdf"),
        ("C:y.pdf", "y.pdf"),
        ("\\\\server\\share\\..\\memo.docx", "memo.docx"),
        ("..pdf", "attachment.pdf"),
        (".bashrc", "attachment.bashrc"),
        ("report.", "report"),
        ("ordre  final .pdf", "ordre final.pdf"),
        ("tab\there\n.pdf", "tabhere.pdf"),
        ("", ""),
    ],
)
def test_clean_name(sent, shown):
    from incident_hub.evidence.detect import clean_name

    assert clean_name(sent) == shown


def count(app) -> int:
    with app.app_context():
        return len(db.session.execute(select(Attachment)).scalars().all())


@pytest.mark.parametrize(
    ("sent", "shown"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\\\x\\\\y.pdf", "y.pdf"),  # as a browser escapes it: C:\\x\\y.pdf arrives
        ("bad\x00name.pdf", "badname.pdf"),
        ("..pdf", "attachment.pdf"),
        ("\u202ereverse\u202c.pdf", "reverse.pdf"),
        ("a" * 1000 + ".pdf", "a" * 196 + ".pdf"),
    ],
    ids=["dotdot", "windows", "nul", "only-dots", "bidi", "long"],
)
def test_path_like_and_odd_filenames_are_cleaned(app, api, sent, shown):
    case = open_case(api)
    answer = attach(api, "legal", case["ref"], PDF, sent)
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["filename"] == shown
    download = api("legal").get(path(answer.get_json()))
    fallback = download.headers["Content-Disposition"].split('filename="')[1].split('"')[0]
    assert "/" not in fallback and "\\" not in fallback and not fallback.startswith(".")


@pytest.mark.config(ATTACHMENTS={"MAX_BYTES": 1000})
def test_an_oversized_file_is_refused_with_413(app, api):
    case = open_case(api)
    big = PDF + b"%" * 1000
    answer = attach(api, "legal", case["ref"], big, "big.pdf")
    assert answer.status_code == 413
    message = answer.get_json()["error"]["message"]
    assert message == "the file is 1.1 kB; attachments may be at most 1 kB", message
    huge = PDF + b"%" * 400_000  # past the request limit itself: werkzeug's 413, answered as JSON
    answer = attach(api, "legal", case["ref"], huge, "huge.pdf")
    assert answer.status_code == 413
    assert answer.get_json()["error"]["code"] == "request_entity_too_large"
    assert "attachments may be at most" in answer.get_json()["error"]["message"]
    assert count(app) == 0


def test_the_same_content_twice_on_one_case_is_refused_naming_the_first(app, api):
    case = open_case(api)
    first = attach(api, "legal", case["ref"], PDF, "order.pdf").get_json()
    again = attach(api, "rights", case["ref"], PDF, "order-copy.pdf")
    assert again.status_code == 409
    assert f"attachment {first['id']}" in again.get_json()["error"]["message"]
    other = open_case(api)
    assert attach(api, "legal", other["ref"], PDF, "order.pdf").status_code == 201


def test_a_function_attachment_must_name_a_function_of_the_case(app, api):
    case = open_case(api)
    answer = attach(api, "legal", case["ref"], PDF, "memo.pdf", function="legal")
    assert answer.status_code == 201 and answer.get_json()["function"] == "legal"
    wrong = attach(api, "legal", case["ref"], docx(), "memo.docx", function="export-control")
    assert wrong.status_code == 422 and wrong.get_json()["error"]["field"] == "function"


def test_who_may_attach(app, api):
    case = open_case(api)
    assert attach(api, "outsider", case["ref"], PDF, "x.pdf").status_code == 403
    denied = events(app, "attachment.add")
    assert denied and denied[-1].outcome == "denied"
    assert attach(api, "triager", case["ref"], PNG, "screenshot.png").status_code == 201
    assert attach(api, "exec", case["ref"], TEXT, "urls.txt").status_code == 201
    assert attach(api, None, case["ref"], PDF, "x.pdf").status_code == 401
    missing = api("legal").post(
        f"/cases/{case['ref']}/attachments", data={"description": "no file"}
    )
    assert missing.status_code == 400


def test_a_restricted_cases_files_are_404_to_a_non_member(app, api):
    case = open_case(api, restricted=True)
    made = attach(api, "legal", case["ref"], PDF, "order.pdf").get_json()
    assert api("outsider").get(path(made)).status_code == 404
    assert api("outsider").get(f"/cases/{case['ref']}/attachments").status_code == 404
    assert attach(api, "outsider", case["ref"], docx(), "x.docx").status_code == 404
    refused = events(app, "attachment.downloaded")
    assert [(e.actor, e.outcome, e.case_id) for e in refused] == [
        ("outsider@example.org", "denied", None)
    ]
    assert api("exec").get(path(made)).status_code == 200
    assert api("outsider").get(f"/cases/{case['ref']}/attachments/999").status_code == 404


def test_a_privileged_file_is_read_only_by_those_who_read_privileged_analyses(app, api):
    case = open_case(api)
    made = attach(
        api, "legal", case["ref"], docx(), "advice.docx", function="legal", privileged="true"
    ).get_json()
    assert made["privileged"] is True
    assert api("outsider").get(path(made)).status_code == 404
    assert api("outsider").get(f"/cases/{case['ref']}/attachments").get_json() == []
    assert api("exec").get(path(made)).status_code == 200
    assert len(api("rights").get(f"/cases/{case['ref']}/attachments").get_json()) == 1


def test_a_file_on_a_privileged_analysis_is_protected_as_the_analysis(app, api):
    from conftest import analysis_body

    case = open_case(api)
    made = attach(api, "legal", case["ref"], PDF, "memo.pdf", function="legal").get_json()
    assert api("outsider").get(path(made)).status_code == 200
    filed = api("legal").post(
        f"/cases/{case['ref']}/analyses",
        json=analysis_body(app, case, "legal") | {"privileged": True},
    )
    assert filed.status_code == 201, filed.get_json()
    assert api("outsider").get(path(made)).status_code == 404
    assert api("outsider").get(f"/cases/{case['ref']}/attachments").get_json() == []
    assert api("legal").get(path(made)).status_code == 200


def test_bad_attachment_ids_are_404_not_500(app, api):
    case = open_case(api)
    for wanted in ("abc", "-1", "99999999999999999999", "1%00"):
        assert api("legal").get(f"/cases/{case['ref']}/attachments/{wanted}").status_code == 404
    other = open_case(api)
    made = attach(api, "legal", other["ref"], PDF, "x.pdf").get_json()
    # an attachment of another case is not found through this one
    assert api("legal").get(f"/cases/{case['ref']}/attachments/{made['id']}").status_code == 404


def test_a_store_that_changed_the_file_is_not_served(app, api):
    case = open_case(api)
    made = attach(api, "legal", case["ref"], PDF, "x.pdf").get_json()
    sha = made["sha256"]
    (Path(app.instance_path) / "attachments" / sha[:2] / sha).write_bytes(PDF + b"tampered")
    answer = api("legal").get(path(made))
    assert answer.status_code == 503
    assert "does not match its recorded SHA-256" in answer.get_json()["error"]["message"]


@pytest.mark.parametrize(
    ("attachments", "words"),
    [
        ({"MAX_BYTES": 0}, "ATTACHMENTS.MAX_BYTES"),
        ({"MAX_BYTES": "25MB"}, "ATTACHMENTS.MAX_BYTES must be an integer"),
        ({"ALLOWED_TYPES": ["pdf", "exe"]}, "unknown: 'exe'"),
        ({"ALLOWED_TYPES": []}, "ATTACHMENTS.ALLOWED_TYPES"),
        ({"STORE": "ftp"}, 'ATTACHMENTS.STORE must be "local" or "s3"'),
        ({"STORE": "s3"}, "ATTACHMENTS.BUCKET must name the bucket"),
        ({"ENDPOINT_URL": "127.0.0.1:9000"}, "ATTACHMENTS.ENDPOINT_URL"),
        ({"BUCKETS": "x"}, "unknown key ATTACHMENTS.BUCKETS"),
    ],
)
def test_bad_attachment_settings_stop_start_up_naming_the_key(make_app, attachments, words):
    from incident_hub.config import ConfigError

    with pytest.raises(ConfigError) as info:
        make_app(ATTACHMENTS=attachments)
    assert words in str(info.value)


@pytest.mark.config(ATTACHMENTS={"ALLOWED_TYPES": ["PDF"]})
def test_allowed_types_limit_what_is_accepted(app, api):
    case = open_case(api)
    assert attach(api, "legal", case["ref"], PDF, "a.pdf").status_code == 201
    refused = attach(api, "legal", case["ref"], docx(), "a.docx")
    assert refused.status_code == 422
    assert "attach one of .pdf" in refused.get_json()["error"]["message"]
