"""No notice is lost while the deliverer crash-loops: `incident-hub tick` (the real console
script) is killed with SIGKILL 20 times mid-delivery over 500 notices, each pass as of two
minutes after the last (so every dead pass's claims have expired), then passes run until the
outbox is drained. Every notice must reach the loopback Slack (0 lost, none `failed`), and the
duplicates — sends whose answer the killed pass could not record — at most one per kill and
channel (a pass sends each channel's notices from its own worker, so a kill can find one send in
flight on each).

Counted from what the loopback Slack received, with the default SLACK.MAX_ATTEMPTS (8): before
the fix, each kill spent an attempt of every notice the dead pass had claimed, tried or not.
"""

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

from slackserver import TOKEN, SlackServer, start
from sqlalchemy import func, select

from incident_hub.clock import now
from incident_hub.extensions import db
from incident_hub.notify.models import Notice
from incident_hub.notify.outbox import enqueue

SCRIPT = Path(sys.executable).parent / "incident-hub"
NOTICES, CHANNELS, KILLS = 500, 2, 20
PASS_GAP = timedelta(minutes=2)  # past the 60 s lease: a dead pass's claims are taken back


def tick_environment(db_url: str, tmp_path: Path, section: str) -> dict[str, str]:
    """The environment of a real `incident-hub tick` on ``db_url``: no feeds, and ``section``
    (TOML: how it delivers) in its config file."""
    feeds = tmp_path / "no-feeds"
    feeds.mkdir()
    config = tmp_path / "tick.toml"
    config.write_text(
        f"SECRET_KEY = {json.dumps('test-secret-key-not-for-production')}\n"
        f"FEEDS_DIR = {json.dumps(str(feeds))}\n" + section,
        encoding="utf-8",
    )
    env = dict(os.environ)
    env.update(
        DATABASE_URL=db_url,
        INCIDENT_HUB_CONFIG=str(config),
        INCIDENT_HUB_INSTANCE_PATH=str(tmp_path / "instance"),
    )
    return env


def _environment(db_url: str, tmp_path: Path, slack_url: str) -> dict[str, str]:
    slack = (
        "[SLACK]\n"
        f"BOT_TOKEN = {json.dumps(TOKEN)}\n"
        f"API_BASE_URL = {json.dumps(slack_url + '/api/')}\n"
        "MAX_PER_CHANNEL_PER_S = 25\n"
    )
    return tick_environment(db_url, tmp_path, slack)


def start_tick(env: dict[str, str], at: datetime) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [str(SCRIPT), "tick", "--at", at.isoformat()],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def statuses(app) -> Counter[str]:
    with app.app_context():
        query = select(Notice.status, func.count()).group_by(Notice.status)
        return Counter(dict(db.session.execute(query).all()))


def test_sigkill_mid_delivery_loses_no_notice(app, db_url, tmp_path):
    slack = SlackServer()
    httpd = start(slack)
    try:
        texts = [f"notice {n}" for n in range(NOTICES)]
        with app.app_context():
            for n, text in enumerate(texts):
                enqueue("test", f"#crash-{n % CHANNELS}", {"text": text}, f"crash:{n}")
            db.session.commit()
        env = _environment(db_url, tmp_path, slack.url)
        dice = random.Random(11)
        at = now()
        killed = 0
        for _ in range(3 * KILLS):  # a pass that ends before its kill is no kill
            if killed == KILLS:
                break
            at += PASS_GAP
            seen = len(slack.calls)
            tick = start_tick(env, at)
            deadline = time.monotonic() + 60
            while len(slack.calls) == seen and tick.poll() is None:  # until it is sending
                assert time.monotonic() < deadline, "the tick never started sending"
                time.sleep(0.005)
            time.sleep(dice.uniform(0.0, 0.3))
            if tick.poll() is None:
                tick.kill()  # SIGKILL: no cleanup, no commit
                killed += 1
            tick.wait(10)
        for _ in range(30):  # then passes back to back until nothing waits
            at += PASS_GAP
            tick = start_tick(env, at)
            _out, err = tick.communicate(timeout=120)
            assert tick.returncode == 0, err.decode()
            counts = statuses(app)
            if not counts["pending"] and not counts["sending"]:
                break
        received = Counter(call.params["text"] for call in slack.messages())
    finally:
        httpd.shutdown()
        httpd.server_close()
    lost = [text for text in texts if not received[text]]
    duplicates = sum(n - 1 for n in received.values())
    assert killed == KILLS
    assert statuses(app) == Counter({"sent": NOTICES}), statuses(app)
    assert lost == [], f"{len(lost)} lost"
    assert duplicates <= KILLS * CHANNELS, f"{duplicates} duplicates for {KILLS} kills"
    print(f"\ncrash loop: {KILLS} kills, {NOTICES} notices, 0 lost, {duplicates} duplicates")
