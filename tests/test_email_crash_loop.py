"""No e-mail is lost, and none sent twice but for a kill, while the deliverer crash-loops:
`incident-hub tick` (the real console script) is killed with SIGKILL mid-delivery over 200
e-mail notices, each pass as of two minutes after the last (past the 60 s lease), then passes
run until the outbox is drained. Counted from what the loopback SMTP server received: every
notice arrives (none `failed`), and the duplicates — sends whose answer the killed pass could
not record — are at most one per kill, each with the same Message-ID as its first copy."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

from smtpserver import smtp_fixture  # noqa: F401  (the ``smtp`` fixture)
from sqlalchemy import func, select

from incident_hub.clock import now
from incident_hub.extensions import db
from incident_hub.notify.models import Notice
from incident_hub.notify.outbox import enqueue

SCRIPT = Path(sys.executable).parent / "incident-hub"
NOTICES, KILLS = 200, 10
PASS_GAP = timedelta(minutes=2)


def _environment(db_url: str, tmp_path: Path, port: int) -> dict[str, str]:
    feeds = tmp_path / "no-feeds"
    feeds.mkdir()
    config = tmp_path / "tick.toml"
    config.write_text(
        f"SECRET_KEY = {json.dumps('test-secret-key-not-for-production')}\n"
        f"FEEDS_DIR = {json.dumps(str(feeds))}\n"
        "[EMAIL]\n"
        "ENABLED = true\n"
        'SMTP_HOST = "127.0.0.1"\n'
        f"SMTP_PORT = {port}\n"
        'FROM = "hub@example.org"\n'
        "STARTTLS = false\n",
        encoding="utf-8",
    )
    env = dict(os.environ)
    env.update(
        DATABASE_URL=db_url,
        INCIDENT_HUB_CONFIG=str(config),
        INCIDENT_HUB_INSTANCE_PATH=str(tmp_path / "instance"),
    )
    return env


def _tick(env: dict[str, str], at: datetime) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [str(SCRIPT), "tick", "--at", at.isoformat()],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _statuses(app) -> Counter[str]:
    with app.app_context():
        query = select(Notice.status, func.count()).group_by(Notice.status)
        return Counter(dict(db.session.execute(query).all()))


def test_sigkill_mid_delivery_loses_no_e_mail(app, db_url, tmp_path, smtp):
    smtp.delay_s = 0.01  # each message takes a moment: kills land mid-send too
    subjects = [f"notice {n}" for n in range(NOTICES)]
    with app.app_context():
        for n, subject in enumerate(subjects):
            address = f"person{n % 7}@example.org"
            payload = {"to": address, "subject": subject, "text": f"body of {subject}"}
            enqueue("test", f"email:{address}", payload, f"crash:{n}")
        db.session.commit()
    env = _environment(db_url, tmp_path, smtp.port)
    dice = random.Random(17)
    at, killed = now(), 0
    for _ in range(3 * KILLS):
        if killed == KILLS:
            break
        at += PASS_GAP
        seen = len(smtp.received)
        tick = _tick(env, at)
        deadline = time.monotonic() + 60
        while len(smtp.received) == seen and tick.poll() is None:  # until it is sending
            assert time.monotonic() < deadline, "the tick never started sending"
            time.sleep(0.005)
        time.sleep(dice.uniform(0.0, 0.2))
        if tick.poll() is None:
            tick.kill()  # SIGKILL: no cleanup, no commit
            killed += 1
        tick.wait(10)
    for _ in range(30):
        at += PASS_GAP
        tick = _tick(env, at)
        _out, err = tick.communicate(timeout=120)
        assert tick.returncode == 0, err.decode()
        counts = _statuses(app)
        if not counts["pending"] and not counts["sending"]:
            break
    received = Counter(r.subject for r in smtp.received)
    lost = [s for s in subjects if not received[s]]
    duplicates = sum(n - 1 for n in received.values())
    assert killed == KILLS
    assert _statuses(app) == Counter({"sent": NOTICES}), _statuses(app)
    assert lost == [], f"{len(lost)} lost"
    assert duplicates <= KILLS, f"{duplicates} duplicates for {KILLS} kills"
    ids: dict[str, set[str]] = {}
    for r in smtp.received:
        ids.setdefault(r.subject, set()).add(str(r.message["Message-ID"]))
    assert all(len(v) == 1 for v in ids.values())  # a resend is recognisably the same message
    print(f"\ne-mail crash loop: {KILLS} kills, {NOTICES} notices, 0 lost, {duplicates} duplicates")
