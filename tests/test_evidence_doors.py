"""Evidence through the web pages (case page and analysis form: multipart forms with CSRF),
the CLI (``cases attach``, ``cases attachments``) and the dossier."""

from __future__ import annotations

import hashlib
import re

import pytest
from cli_checks import ok, refused
from conftest import csrf_from, open_case, web_login
from evidence_files import EXE, PDF, TEXT, docx, upload

from incident_hub.pagecache import forget


@pytest.fixture(autouse=True)
def _fresh_pages():
    forget()
    yield
    forget()


def page(client, ref: str) -> str:
    answer = client.get(f"/cases/{ref}")
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


def post_file(client, ref: str, data: bytes, name: str, csrf: str, **fields: str):
    return client.post(
        f"/cases/{ref}/attachments",
        data=upload(data, name, csrf_token=csrf, **fields),
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def test_the_case_page_uploads_lists_and_serves_a_file(app, api, client):
    case = open_case(api)
    web_login(client, app, "legal@example.org")
    html = page(client, case["ref"])
    assert 'enctype="multipart/form-data"' in html and 'name="file"' in html
    answer = post_file(
        client, case["ref"], PDF, "Anordnung.pdf", csrf_from(html), description="The order"
    )
    assert answer.status_code == 200
    shown = answer.get_data(as_text=True)
    assert "Anordnung.pdf attached" in shown
    sha = hashlib.sha256(PDF).hexdigest()
    assert sha in shown and "The order" in shown
    link = re.search(r'href="(/cases/[^"]+/attachments/\d+)"', shown).group(1)
    download = client.get(link)
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Disposition"] == 'attachment; filename="Anordnung.pdf"'
    assert download.headers["X-Content-Type-Options"] == "nosniff"


def test_the_web_form_needs_its_csrf_token(app, api, client):
    case = open_case(api)
    web_login(client, app, "legal@example.org")
    answer = client.post(
        f"/cases/{case['ref']}/attachments",
        data=upload(PDF, "x.pdf"),
        content_type="multipart/form-data",
    )
    assert answer.status_code == 400
    assert api("legal").get(f"/cases/{case['ref']}/attachments").get_json() == []


def test_a_refused_file_comes_back_to_the_page_with_the_reason(app, api, client):
    case = open_case(api)
    web_login(client, app, "legal@example.org")
    csrf = csrf_from(page(client, case["ref"]))
    answer = post_file(client, case["ref"], EXE, "invoice.pdf", csrf)
    assert answer.status_code == 200
    assert "its content is a EXE file" in answer.get_data(as_text=True)
    answer = post_file(client, case["ref"], b"", "", csrf)
    assert "Choose a file to attach." in answer.get_data(as_text=True)


@pytest.mark.config(ATTACHMENTS={"MAX_BYTES": 2000})
def test_an_oversized_web_upload_answers_413_with_a_clear_message(app, api, client):
    case = open_case(api)
    web_login(client, app, "legal@example.org")
    csrf = csrf_from(page(client, case["ref"]))
    over = post_file(client, case["ref"], PDF + b"%" * 3000, "big.pdf", csrf)
    assert "The file is 3.1 kB; attachments may be at most 2 kB." in over.get_data(as_text=True)
    huge = client.post(
        f"/cases/{case['ref']}/attachments",
        data=upload(PDF + b"%" * 400_000, "huge.pdf", csrf_token=csrf),
        content_type="multipart/form-data",
    )
    assert huge.status_code == 413
    assert "The upload is too large: attachments may be at most 2 kB." in huge.get_data(
        as_text=True
    )


def test_the_analysis_form_attaches_to_its_function(app, api, client):
    case = open_case(api)
    web_login(client, app, "legal@example.org")
    form_page = client.get(f"/cases/{case['ref']}/analysis/legal")
    html = form_page.get_data(as_text=True)
    assert "Evidence for this analysis" in html and 'name="function" value="legal"' in html
    answer = post_file(
        client,
        case["ref"],
        docx(),
        "memo.docx",
        csrf_from(html),
        function="legal",
        back=f"/cases/{case['ref']}/analysis/legal",
    )
    assert answer.request.path == f"/cases/{case['ref']}/analysis/legal"
    assert "memo.docx" in answer.get_data(as_text=True)
    listed = api("legal").get(f"/cases/{case['ref']}/attachments").get_json()
    assert [(a["filename"], a["function"]) for a in listed] == [("memo.docx", "legal")]


def test_a_non_member_cannot_download_from_a_restricted_case_on_the_web(app, api, client):
    case = open_case(api, restricted=True)
    made = (
        api("legal")
        .post(
            f"/cases/{case['ref']}/attachments",
            data=upload(PDF, "order.pdf"),
            content_type="multipart/form-data",
        )
        .get_json()
    )
    web_login(client, app, "outsider@example.org")
    assert client.get(f"/cases/{case['ref']}/attachments/{made['id']}").status_code == 404


def test_the_cli_attaches_and_lists(app, api, runner, tmp_path):
    case = open_case(api)
    memo = tmp_path / "Counsel memo.docx"
    memo.write_bytes(docx())
    out = ok(
        runner.invoke(
            [
                "cases",
                "attach",
                "--as",
                "legal@example.org",
                case["ref"],
                str(memo),
                "--function",
                "legal",
            ]
        )
    )
    sha = hashlib.sha256(docx()).hexdigest()
    assert f"SHA-256 {sha}" in out
    listed = ok(runner.invoke(["cases", "attachments", "--as", "rights@example.org", case["ref"]]))
    assert sha in listed and "Counsel memo.docx" in listed and "1 attachment(s)." in listed
    bad = tmp_path / "tool.exe"
    bad.write_bytes(EXE)
    refused(
        runner.invoke(["cases", "attach", "--as", "legal@example.org", case["ref"], str(bad)]),
        "not accepted",
    )
    refused(
        runner.invoke(["cases", "attach", "--as", "outsider@example.org", case["ref"], str(memo)]),
        "only the people who work on the case",
    )
    secret = open_case(api, restricted=True)
    refused(
        runner.invoke(["cases", "attachments", "--as", "outsider@example.org", secret["ref"]]),
        "no case",
    )


@pytest.mark.config(ATTACHMENTS={"MAX_BYTES": 100})
def test_the_cli_refuses_an_oversized_file_before_reading_it(app, api, runner, tmp_path):
    case = open_case(api)
    big = tmp_path / "big.txt"
    big.write_bytes(TEXT * 10)
    refused(
        runner.invoke(["cases", "attach", "--as", "legal@example.org", case["ref"], str(big)]),
        "at most 100",
    )


def test_the_dossier_cites_each_file_by_sha256_never_its_content(app, api):
    case = open_case(api)
    secret_words = "Liste der beanstandeten URLs"
    made = (
        api("legal")
        .post(
            f"/cases/{case['ref']}/attachments",
            data=upload(TEXT, "urls.txt", description="What the order demands"),
            content_type="multipart/form-data",
        )
        .get_json()
    )
    private = (
        api("legal")
        .post(
            f"/cases/{case['ref']}/attachments",
            data=upload(PDF, "advice.pdf", privileged="on"),
            content_type="multipart/form-data",
        )
        .get_json()
    )
    md = api("exec").get(f"/cases/{case['ref']}/dossier?format=md").get_data(as_text=True)
    evidence = md.split("## Evidence (attachments)")[1].split("\n## ")[0]
    assert made["sha256"] in evidence and "urls.txt" in evidence and "Plain text" in evidence
    assert private["sha256"] in evidence and "(privileged)" in evidence
    assert "What the order demands" in evidence and secret_words not in md
    outsider = api("outsider").get(f"/cases/{case['ref']}/dossier?format=md").get_data(as_text=True)
    assert made["sha256"] in outsider and private["sha256"] not in outsider
    pdf = api("exec").get(f"/cases/{case['ref']}/dossier?format=pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
