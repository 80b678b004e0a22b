"""No e-mail is lost, and none sent twice but for a kill, while the deliverer crash-loops:
`incident-hub tick` (the real console script) is killed with SIGKILL mid-delivery over 200
e-mail notices, each pass as of two minutes after the last (past the 60 s lease), then passes
run until the outbox is drained. Counted from what the loopback SMTP server received: every
notice arrives (none `failed`), and the duplicates — sends whose answer the killed pass could
not record — are at most one per kill, each with the same Message-ID as its first copy."""

from __future__ import annotations

import random
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

from smtpserver import smtp_fixture  # noqa: F401  (the ``smtp`` fixture)
from test_delivery_crash_loop import start_tick, statuses, tick_environment

from incident_hub.clock import now
from incident_hub.extensions import db
from incident_hub.notify.outbox import enqueue

NOTICES, KILLS = 200, 10
PASS_GAP = timedelta(minutes=2)


def _environment(db_url: str, tmp_path: Path, port: int) -> dict[str, str]:
    mail = (
        "[EMAIL]\n"
        "ENABLED = true\n"
        'SMTP_HOST = "127.0.0.1"\n'
        f"SMTP_PORT = {port}\n"
        'FROM = "hub@example.org"\n'
        "STARTTLS = false\n"
    )
    return tick_environment(db_url, tmp_path, mail)


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
        tick = start_tick(env, at)
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
        tick = start_tick(env, at)
        _out, err = tick.communicate(timeout=120)
        assert tick.returncode == 0, err.decode()
        counts = statuses(app)
        if not counts["pending"] and not counts["sending"]:
            break
    received = Counter(r.subject for r in smtp.received)
    lost = [s for s in subjects if not received[s]]
    duplicates = sum(n - 1 for n in received.values())
    assert killed == KILLS
    assert statuses(app) == Counter({"sent": NOTICES}), statuses(app)
    assert lost == [], f"{len(lost)} lost"
    assert duplicates <= KILLS, f"{duplicates} duplicates for {KILLS} kills"
    ids: dict[str, set[str]] = {}
    for r in smtp.received:
        ids.setdefault(r.subject, set()).add(str(r.message["Message-ID"]))
    assert all(len(v) == 1 for v in ids.values())  # a resend is recognisably the same message
    print(f"\ne-mail crash loop: {KILLS} kills, {NOTICES} notices, 0 lost, {duplicates} duplicates")
