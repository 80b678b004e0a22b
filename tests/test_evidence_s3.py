"""Evidence on an S3-compatible store ([ATTACHMENTS] STORE = "s3"): a real S3 implementation
on loopback (moto's server mode, ``ThreadedMotoServer`` on 127.0.0.1 and a free port), reached
through boto3 with credentials from the environment, as in production."""

from __future__ import annotations

import hashlib
import socket
from pathlib import Path

import boto3
import pytest
from conftest import open_case
from evidence_files import PDF, docx, upload

BUCKET = "incident-hub-evidence"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def s3_server():
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3(s3_server, monkeypatch):
    """A fresh bucket on the loopback server; boto3 finds its credentials in the environment."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    client = boto3.client("s3", endpoint_url=s3_server, region_name="us-east-1")
    for existing in client.list_buckets().get("Buckets", []):
        for obj in client.list_objects_v2(Bucket=existing["Name"]).get("Contents", []):
            client.delete_object(Bucket=existing["Name"], Key=obj["Key"])
        client.delete_bucket(Bucket=existing["Name"])
    client.create_bucket(Bucket=BUCKET)
    return client


@pytest.fixture
def config_overrides(s3, s3_server):
    return {
        "ATTACHMENTS": {
            "STORE": "s3",
            "BUCKET": BUCKET,
            "ENDPOINT_URL": s3_server,
            "REGION": "us-east-1",
            "PREFIX": "cases/",
        }
    }


def test_an_upload_lands_in_the_bucket_under_its_sha256_and_downloads_back(app, api, s3):
    case = open_case(api)
    made = api("legal").post(
        f"/cases/{case['ref']}/attachments",
        data=upload(docx(), "../memo.docx"),
        content_type="multipart/form-data",
    )
    assert made.status_code == 201, made.get_json()
    sha = hashlib.sha256(docx()).hexdigest()
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])]
    assert keys == [f"cases/{sha[:2]}/{sha}"]
    assert s3.get_object(Bucket=BUCKET, Key=keys[0])["Body"].read() == docx()
    answer = api("rights").get(f"/cases/{case['ref']}/attachments/{made.get_json()['id']}")
    assert answer.status_code == 200 and answer.data == docx()
    assert answer.headers["Content-Disposition"] == 'attachment; filename="memo.docx"'
    assert not (Path(app.instance_path) / "attachments").exists()  # nothing kept locally


def test_a_restricted_case_file_in_s3_is_404_to_a_non_member(app, api, s3):
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
    assert api("outsider").get(f"/cases/{case['ref']}/attachments/{made['id']}").status_code == 404
    assert api("exec").get(f"/cases/{case['ref']}/attachments/{made['id']}").data == PDF


def test_an_object_changed_in_the_bucket_is_not_served(app, api, s3):
    case = open_case(api)
    made = (
        api("legal")
        .post(
            f"/cases/{case['ref']}/attachments",
            data=upload(PDF, "order.pdf"),
            content_type="multipart/form-data",
        )
        .get_json()
    )
    sha = made["sha256"]
    s3.put_object(Bucket=BUCKET, Key=f"cases/{sha[:2]}/{sha}", Body=b"%PDF-1.4 forged")
    answer = api("legal").get(f"/cases/{case['ref']}/attachments/{made['id']}")
    assert answer.status_code == 503


def test_a_missing_bucket_is_a_clear_503_and_no_row(app, api, s3):
    s3.delete_bucket(Bucket=BUCKET)
    case = open_case(api)
    answer = api("legal").post(
        f"/cases/{case['ref']}/attachments",
        data=upload(PDF, "order.pdf"),
        content_type="multipart/form-data",
    )
    assert answer.status_code == 503
    assert "could not be stored" in answer.get_json()["error"]["message"]
    assert api("legal").get(f"/cases/{case['ref']}/attachments").get_json() == []
