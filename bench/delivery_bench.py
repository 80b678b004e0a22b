"""Slack delivery under load, through the real path (deliver_due, slack-sdk, HTTP on loopback).

(a) pace: 20 channels x 40 notices at MAX_PER_CHANNEL_PER_S=5; the sustained rate of every
    channel, measured from the loopback server's arrival times (target >= 0.95x configured,
    never more than the configured number of calls in any 1 s window).
(b) 429: 30% of calls answered 429 with Retry-After: 1; every notice delivered, none early
    (no call to a channel before the Retry-After of its last 429 expired).
(c) kill -9: a child process drains 500 notices while this process SIGKILLs it 20 times at
    random moments mid-delivery and restarts it; notices lost (must be 0) and duplicates
    (must be <= kills), counted from the messages the server received per notice.

The database is a temporary SQLite file, or $DATABASE_URL (a scratch database: its notices
table is emptied).

    python bench/delivery_bench.py [--part a|b|c|all] [--seed N]
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from slackserver import TOKEN, SlackServer, rate_limited, start  # noqa: E402

CHILD_LEASE_S = 2.0  # the drain child's claim lease: a killed child's rows return after it


def make_app(url: str, slack_url: str, rate: float, feeds_dir: str) -> Any:
    """The app on ``url``, pointed at the loopback Slack."""
    from incident_hub import create_app

    slack = {"BOT_TOKEN": TOKEN, "API_BASE_URL": f"{slack_url}/api/"}
    return create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench",
            "FEEDS_DIR": feeds_dir,
            "SLACK": {**slack, "MAX_PER_CHANNEL_PER_S": rate, "MAX_ATTEMPTS": 50},
        }
    )


def fresh_notices(app: Any, channels: int, per_channel: int, tag: str) -> None:
    """Empty the outbox and queue ``per_channel`` messages for each of ``channels`` channels."""
    from incident_hub.database import upgrade_database
    from incident_hub.extensions import db
    from incident_hub.notify.models import Notice
    from incident_hub.notify.outbox import enqueue

    with app.app_context():
        upgrade_database()
        db.session.execute(db.delete(Notice))
        for n in range(per_channel):
            for c in range(channels):
                text = f"{tag} {c}-{n}"
                enqueue("bench", f"#{tag}-{c}", {"text": text}, f"bench:{text}")
        db.session.commit()


def status_counts(app: Any) -> Counter[str]:
    from incident_hub.extensions import db
    from incident_hub.notify.models import Notice

    with app.app_context():
        rows = db.session.execute(db.select(Notice.status, db.func.count()).group_by(Notice.status))
        return Counter(dict(rows.all()))


def drain(app: Any, timeout_s: float = 300) -> float:
    """Run deliver_due passes until nothing is pending or sending; return the seconds taken."""
    from incident_hub.notify.deliver import deliver_due

    started = time.perf_counter()
    while time.perf_counter() - started < timeout_s:
        with app.app_context():
            deliver_due()
        counts = status_counts(app)
        if not counts["pending"] and not counts["sending"]:
            break
        time.sleep(0.02)
    return time.perf_counter() - started


def by_channel(server: SlackServer) -> dict[str, list[Any]]:
    """chat.postMessage calls per channel, in arrival order (answered ok or not)."""
    out: dict[str, list[Any]] = defaultdict(list)
    for call in sorted(server.messages(ok_only=False), key=lambda c: c.at):
        out[str(call.params.get("channel"))].append(call)
    return out


def part_a(url: str, tmp: str) -> None:
    channels, per_channel, rate = 20, 40, 5.0
    server = SlackServer()
    httpd = start(server)
    app = make_app(url, server.url, rate, tmp)
    fresh_notices(app, channels, per_channel, "pace")
    elapsed = drain(app)
    httpd.shutdown()
    rates, windows = [], []
    for calls in by_channel(server).values():
        times = [c.at for c in calls]
        rates.append((len(times) - 1) / (times[-1] - times[0]))
        windows.append(max(sum(1 for t in times[i:] if t - t0 < 1.0) for i, t0 in enumerate(times)))
    rates.sort()
    sent = status_counts(app)["sent"]
    print(
        f"(a) pace: {sent}/{channels * per_channel} sent over {len(rates)} channels in "
        f"{elapsed:.1f} s (one channel alone needs {(per_channel - 1) / rate:.1f} s); "
        f"per-channel rate min {rates[0]:.2f} / median {rates[len(rates) // 2]:.2f} / max "
        f"{rates[-1]:.2f} per s vs {rate:.0f} configured (min {rates[0] / rate:.3f}x, target "
        f">= 0.95x); most calls to one channel in any 1 s window: {max(windows)} (limit "
        f"{rate:.0f})"
    )


def part_b(url: str, tmp: str, seed: int) -> None:
    channels, per_channel, rate, share = 10, 20, 5.0, 0.3
    server = SlackServer()
    dice = random.Random(seed)
    server.decide = lambda call: rate_limited(1) if dice.random() < share else None
    httpd = start(server)
    app = make_app(url, server.url, rate, tmp)
    fresh_notices(app, channels, per_channel, "busy")
    elapsed = drain(app)
    httpd.shutdown()
    early, gaps = 0, []
    for calls in by_channel(server).values():
        for before, after in zip(calls, calls[1:], strict=False):
            if before.status == 429:
                gaps.append(after.at - before.at)
                early += after.at - before.at < 1.0
    limited = sum(1 for c in server.messages(ok_only=False) if c.status == 429)
    delivered = Counter(c.params["text"] for c in server.messages())
    total = channels * per_channel
    print(
        f"(b) 429s: {limited} calls of {len(server.messages(ok_only=False))} answered 429 "
        f"(Retry-After: 1); delivered {len(delivered)}/{total} "
        f"(duplicates {sum(delivered.values()) - len(delivered)}) in {elapsed:.1f} s; "
        f"calls before Retry-After expired: {early}; shortest gap after a 429: "
        f"{min(gaps, default=0):.3f} s"
    )


def child(url: str, slack_url: str, rate: float, feeds_dir: str) -> None:
    """The drain process the bench kills: deliver_due in a loop, forever."""
    from incident_hub.notify.deliver import deliver_due

    app = make_app(url, slack_url, rate, feeds_dir)
    while True:
        with app.app_context():
            claimed = deliver_due(lease_s=CHILD_LEASE_S).claimed
        if not claimed:
            time.sleep(0.05)


def part_c(url: str, tmp: str, seed: int) -> None:
    channels, per_channel, rate, kills = 5, 100, 10.0, 20
    server = SlackServer()
    httpd = start(server)
    app = make_app(url, server.url, rate, tmp)
    fresh_notices(app, channels, per_channel, "kill")
    dice = random.Random(seed)
    command = [sys.executable, __file__, "--child", url, server.url, str(rate), tmp]
    started = time.perf_counter()
    killed = 0
    for _ in range(kills):
        seen = len(server.calls)
        proc = subprocess.Popen(command, cwd=ROOT)  # noqa: S603
        while len(server.calls) == seen and proc.poll() is None:  # until it is sending
            time.sleep(0.005)
        time.sleep(dice.uniform(0.0, 0.4))
        proc.kill()  # SIGKILL: no cleanup, no commit, no goodbye
        proc.wait()
        killed += 1
    proc = subprocess.Popen(command, cwd=ROOT)  # noqa: S603
    while True:
        counts = status_counts(app)
        if counts["sent"] + counts["failed"] == channels * per_channel:
            break
        if time.perf_counter() - started > 300 or proc.poll() is not None:
            print(f"(c) gave up waiting: {dict(counts)}")
            break
        time.sleep(0.1)
    proc.kill()
    proc.wait()
    elapsed = time.perf_counter() - started
    httpd.shutdown()
    received = Counter(c.params["text"] for c in server.messages())
    expected = [f"kill {c}-{n}" for n in range(per_channel) for c in range(channels)]
    lost = sum(1 for text in expected if not received[text])
    duplicates = sum(n - 1 for n in received.values() if n > 1)
    counts = status_counts(app)
    from incident_hub.extensions import db
    from incident_hub.notify.models import Notice

    with app.app_context():
        no_ts = db.session.execute(
            db.select(db.func.count()).where(Notice.status == "sent", Notice.slack_ts == "")
        ).scalar_one()
    print(
        f"(c) kill -9: {killed} kills while draining {len(expected)} notices over {channels} "
        f"channels ({elapsed:.1f} s, lease {CHILD_LEASE_S:.0f} s); rows {dict(counts)} "
        f"({no_ts} sent without a ts); "
        f"lost {lost} (must be 0); duplicates {duplicates} (must be <= {killed})"
    )


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        url, slack_url, rate, feeds_dir = sys.argv[2:6]
        child(url, slack_url, float(rate), feeds_dir)
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["a", "b", "c", "all"], default="all")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("INCIDENT_HUB_INSTANCE_PATH", str(Path(tmp) / "instance"))
        url = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite3"
        print(f"[database {url.split(':')[0]}]")
        if args.part in ("a", "all"):
            part_a(url, tmp)
        if args.part in ("b", "all"):
            part_b(url, tmp, args.seed)
        if args.part in ("c", "all"):
            part_c(url, tmp, args.seed)


if __name__ == "__main__":
    main()
