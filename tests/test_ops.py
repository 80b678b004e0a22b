"""Operations endpoints and logs: /healthz, /metrics, request ids, JSON log lines."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest
from conftest import analysis_body, open_case
from prometheus_client.parser import text_string_to_metric_families

from incident_hub.clock import now
from incident_hub.extensions import db
from incident_hub.jobs import tick
from incident_hub.ops.models import JobStat

TOKEN = "metrics-token-for-tests"


METRICS_ON = pytest.mark.config(OPS={"METRICS_TOKEN": TOKEN})


@pytest.fixture
def json_logs(make_app):
    """An app logging JSON lines; after the test the process's shared log handler (see
    ``ops.logs.configure_logging``) goes back to text for the other tests."""
    yield make_app(OPS={"LOG_FORMAT": "json"})
    make_app(OPS={"LOG_FORMAT": "text"})


def scrape(client) -> dict[str, dict]:
    """Samples by metric name -> {labels tuple: value}."""
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200, response.data
    assert response.content_type.startswith("text/plain")
    out: dict[str, dict] = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            key = tuple(sorted(sample.labels.items()))
            out.setdefault(sample.name, {})[key] = sample.value
    return out


def test_healthz_needs_a_recent_periodic_job(app, client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json == {
        "status": "unhealthy",
        "database": "ok",
        "scheduler": "no periodic job has run yet",
    }
    with app.app_context():
        tick()
    response = client.get("/healthz")
    assert response.status_code == 200, response.json
    assert response.json["status"] == "ok" and response.json["last_job_success_age_s"] < 60
    with app.app_context():  # the scheduler died ten minutes ago
        for stat in db.session.query(JobStat):
            stat.last_ok_at = now() - timedelta(minutes=10)
        db.session.commit()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["scheduler"].startswith("stale: no job succeeded for 6")


def test_healthz_reports_an_unreachable_database_without_a_traceback(app, client, tmp_path):
    with app.app_context():
        db.engine.dispose()
    bad = tmp_path / "nowhere" / "db.sqlite3"
    from incident_hub import create_app

    broken = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{bad}", "SECRET_KEY": "x"})
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "unreachable"
    assert "Traceback" not in response.get_data(as_text=True)


@METRICS_ON
def test_metrics_off_without_token_and_refused_with_a_wrong_one(client, make_app):
    assert client.get("/metrics", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert client.get("/metrics").status_code == 401
    off = make_app(OPS={"METRICS_TOKEN": ""}).test_client()
    assert off.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 404


@METRICS_ON
def test_metrics_count_cases_notices_jobs_and_time_to_decision(app, client, api):
    case = open_case(api)
    body = analysis_body(app, case, "legal")
    assert api("legal").post(f"/cases/{case['ref']}/analyses", json=body).status_code == 201
    other = open_case(api, title="Second case")
    decision = {"option": "comply-narrowly", "rationale": "narrow", "override": True}
    assert api("exec").post(f"/cases/{other['ref']}/decision", json=decision).status_code == 201
    with app.app_context():
        tick()
        tick()
    samples = scrape(client)
    cases = samples["incident_hub_cases"]
    assert sum(cases.values()) == 2 and cases[(("status", "decided"),)] == 1
    assert samples["incident_hub_job_runs_total"][(("job", "poll"),)] == 2
    assert samples["incident_hub_job_failures_total"][(("job", "deliver"),)] == 0
    assert samples["incident_hub_time_to_decision_seconds_count"][()] == 1
    assert samples["incident_hub_time_to_decision_seconds_bucket"][(("le", "3600.0"),)] == 1
    assert samples["incident_hub_polls_total"][()] == 0  # no sources configured
    assert 0 <= samples["incident_hub_scheduler_heartbeat_age_seconds"][()] < 60
    assert "incident_hub_notices" in samples and "process_resident_memory_bytes" in samples


def test_request_lines_carry_a_request_id_and_json_when_asked(json_logs, caplog):
    client = json_logs.test_client()
    with caplog.at_level(logging.INFO, logger="incident_hub.request"):
        response = client.get("/login?next=/cases/INC-2026-0001", headers={"X-Request-ID": "abc-1"})
        evil = client.get("/login", headers={"X-Request-ID": "<script>" * 40})
    assert response.headers["X-Request-ID"] == "abc-1"
    assert len(evil.headers["X-Request-ID"]) == 32  # not an id: a fresh one replaces it
    record = next(r for r in caplog.records if getattr(r, "request_id", "") == "abc-1")
    assert (record.method, record.path, record.status) == ("GET", "/login", 200)
    assert "INC-2026-0001" not in record.getMessage()  # query strings stay out of the log


def test_json_formatter_writes_one_object_per_line(json_logs, capsys):
    json_logs.test_client().get("/login", headers={"X-Request-ID": "json-1"})
    lines = [line for line in capsys.readouterr().err.splitlines() if "json-1" in line]
    assert lines, "no request line on stderr"
    entry = json.loads(lines[-1])
    assert entry["request_id"] == "json-1" and entry["level"] == "INFO"
    assert entry["logger"] == "incident_hub.request" and entry["status"] == 200


def test_proxy_hops_trust_the_proxy_headers_only_when_configured(make_app):
    seen = {}
    for hops in (0, 1):
        proxied = make_app(OPS={"PROXY_HOPS": hops})

        @proxied.get("/_whoami")
        def whoami():  # noqa: ANN202
            from flask import request

            return {"addr": request.remote_addr, "scheme": request.scheme}

        headers = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
        seen[hops] = proxied.test_client().get("/_whoami", headers=headers).json
    assert seen[0] == {"addr": "127.0.0.1", "scheme": "http"}
    assert seen[1] == {"addr": "203.0.113.9", "scheme": "https"}


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def test_one_request_through_the_real_server_logs_one_line(app):
    """The development server (what ``incident-hub demo`` and ``flask run`` serve with) logs
    its own access line through the ``werkzeug`` logger; with ours that made two per request."""
    import threading
    import urllib.request

    from werkzeug.serving import make_server

    seen = _Collect()
    werkzeug = logging.getLogger("werkzeug")  # propagates to the root logger
    watched = [logging.getLogger(), logging.getLogger("incident_hub")]  # ours does not
    levels = [logger.level for logger in (*watched, werkzeug)]
    for logger in watched:
        logger.addHandler(seen)
    werkzeug.setLevel(logging.INFO)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/login?one-line-probe"
        with urllib.request.urlopen(url, timeout=5) as page:  # noqa: S310
            assert page.status == 200
    finally:
        server.shutdown()
        thread.join(5)
        for logger in watched:
            logger.removeHandler(seen)
        for logger, level in zip((*watched, werkzeug), levels, strict=True):
            logger.setLevel(level)
    request_lines = [line for line in seen.lines if "/login" in line]
    assert len(request_lines) == 1, request_lines
    assert request_lines[0].startswith("GET /login 200")
