"""README's first command: `incident-hub demo` seeds, polls the recorded feeds and serves."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import Runner, _base_config

from incident_hub import create_app


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_demo_seeds_prints_logins_and_serves_on_loopback(tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "INCIDENT_HUB_CONFIG")}
    env["INCIDENT_HUB_INSTANCE_PATH"] = str(tmp_path / "instance")
    exe = Path(sys.executable).parent / "incident-hub"
    proc = subprocess.Popen(
        [str(exe), "demo", "--port", str(port)],
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    output = []
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            output.append(line)
            if "Serving on" in line or proc.poll() is not None:
                break
        text = "".join(output)
        assert "Serving on http://127.0.0.1" in text, text[-2000:]
        assert re.search(r"flagged for triage", text) and "INC-" in text
        for _ in range(50):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2) as page:  # noqa: S310
                    assert page.status == 200 and b"Sign in" in page.read()
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise AssertionError("the demo did not answer on loopback")
        token = re.search(r"admin@\S+\s+\S+\s+(ih_\S+)", text).group(1)
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/alerts?status=new",
            headers={"Authorization": f"Bearer {token}"},
        )
        with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310
            assert int(answer.headers["X-Total-Count"]) > 10
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.mark.config(BASE_URL="http://127.0.0.1:5000")  # configured: the demo keeps it
def test_demo_scale_seeds_a_large_history_with_progress(app, runner):
    from sqlalchemy import func, select

    from incident_hub.cases.models import Case
    from incident_hub.extensions import db
    from incident_hub.watch.models import Alert

    result = runner.invoke(["demo", "--no-serve", "--scale", "40"])
    assert result.exit_code == 0, result.output
    assert "Seeded 40 past cases and 400 alerts" in result.output
    with app.app_context():
        cases = db.session.execute(select(func.count()).select_from(Case)).scalar_one()
        alerts = db.session.execute(select(func.count()).select_from(Alert)).scalar_one()
        statuses = set(db.session.execute(select(Alert.status).distinct()).scalars())
    assert cases >= 40 + 3 and alerts >= 400
    assert {"new", "dismissed"} <= statuses
    bad = runner.invoke(["demo", "--no-serve", "--scale", "-5"])
    assert bad.exit_code == 2 and "--scale" in bad.output


def _demo_links(db_url, tmp_path, port: int, **config) -> tuple[str, set[str]]:
    """Run ``demo --no-serve --port`` on a fresh app; (its BASE_URL, case links in notices)."""
    from incident_hub.auth.oidc import redirect_uri
    from incident_hub.extensions import db
    from incident_hub.notify.models import Notice

    settings = _base_config(db_url)
    settings.update(FEEDS_DIR=str(tmp_path / "feeds"), FEEDS={"ALLOW_PRIVATE_NETWORKS": True})
    (tmp_path / "feeds").mkdir(exist_ok=True)
    settings.update(config)
    demo_app = create_app(settings)
    result = Runner(demo_app).invoke(["demo", "--no-serve", "--port", str(port)])
    assert result.exit_code == 0, result.output
    try:
        with demo_app.test_request_context():
            payloads = [str(n.payload) for n in db.session.scalars(db.select(Notice))]
            assert redirect_uri() == demo_app.config["BASE_URL"] + "/login/oidc/callback"
    finally:
        with demo_app.app_context():
            db.engine.dispose()
    links = {m for p in payloads for m in re.findall(r"https?://[^/|>'\s]+/cases/INC-", p)}
    return demo_app.config["BASE_URL"], links


def test_demo_links_point_at_the_port_it_serves_on(db_url, tmp_path):
    base, links = _demo_links(db_url, tmp_path, 5177)
    assert base == "http://127.0.0.1:5177"
    assert links == {"http://127.0.0.1:5177/cases/INC-"}  # every notice's case link


def test_demo_keeps_a_configured_base_url(db_url, tmp_path):
    base, links = _demo_links(db_url, tmp_path, 5177, BASE_URL="https://hub.example.org")
    assert base == "https://hub.example.org"
    assert links == {"https://hub.example.org/cases/INC-"}
