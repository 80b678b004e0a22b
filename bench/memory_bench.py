"""Memory of the scheduler over a simulated day, and of a gunicorn web worker under load.

scheduler: in this process, the three periodic jobs run as the scheduler would over 24 hours of
simulated time (deliver every 10 s, poll and reminders every 60 s: 8,640 + 2 × 1,440 runs)
against 20 loopback feeds whose items change every hour, the loopback Slack, and 60 open cases
whose analyses fall overdue, so every job does real work. The resident set size (RSS) is read
from /proc every simulated hour.

web: one gunicorn worker serves 20,000 requests over the main pages (case list, case pages,
triage queue, my work) of a seeded database (``--cases``/``--alerts``); its RSS is read from
/proc/<pid>/status every 1,000 requests.

Stable means: after warm-up (the first simulated hour / first 2,000 requests), RSS grows by
less than 10 % to the end. Prints the samples and the verdict per part.

    python bench/memory_bench.py [--part scheduler|web|both] [--cases 2000] [--alerts 20000]
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from feedserver import FeedServer, rss, start  # noqa: E402
from seeded import free_port, make_app, seeded_database, sign_in_cookie, wait_until_up  # noqa: E402
from slackserver import TOKEN, SlackServer  # noqa: E402
from slackserver import start as start_slack  # noqa: E402

T0 = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)


def rss_kib(pid: int | str = "self") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def verdict(samples: list[tuple[str, int]], warm: int) -> str:
    base, last = samples[warm][1], samples[-1][1]
    growth = (last - base) / base * 100
    peak = max(kib for _, kib in samples[warm:])
    ok = growth < 10
    return (
        f"after warm-up {base / 1024:.1f} MiB → end {last / 1024:.1f} MiB "
        f"(peak {peak / 1024:.1f} MiB): {growth:+.1f}% — {'STABLE' if ok else 'GROWING'}"
    )


def scheduler_day(url: str) -> None:
    from incident_hub.auth.models import User
    from incident_hub.extensions import db
    from incident_hub.jobs import deliver_notices, poll_due_feeds, send_reminders
    from incident_hub.ops.stats import recorded

    feeds, slack = FeedServer(), SlackServer()
    feed_httpd, _ = start(feeds)
    slack_httpd = start_slack(slack)
    app = make_app(url, slack_url=slack.url, slack_token=TOKEN)
    with app.app_context():
        from incident_hub.actor import Actor
        from incident_hub.cases.service import open_case
        from incident_hub.clock import frozen_at
        from incident_hub.watch.sources import add_source

        def person(local: str) -> Actor:
            who = db.select(User).filter_by(email=f"{local}@bench.invalid")
            return Actor(user=db.session.execute(who).scalar_one(), via="cli")

        actor, admin = person("triager"), person("admin")
        for i in range(20):
            feeds.serve(f"/f{i}.xml", rss([{"title": f"Bill {i} on takedown orders", "guid": "0"}]))
            add_source(
                admin,
                {"key": f"f{i}", "title": f"Feed {i}", "url": feeds.url(f"/f{i}.xml")},
            )
        with frozen_at(T0):
            for i in range(60):
                open_case(actor, {"title": f"Case {i}", "playbook": "content-takedown",
                                  "jurisdiction": "TR"})  # fmt: skip
        jobs = {
            "deliver": (recorded("deliver", deliver_notices), 10),
            "poll": (recorded("poll", poll_due_feeds), 60),
            "reminders": (recorded("reminders", send_reminders), 60),
        }
        samples: list[tuple[str, int]] = []
        started = time.perf_counter()
        for second in range(0, 24 * 3600, 10):
            at = T0 + timedelta(seconds=second)
            if second % 3600 == 0:
                hour = second // 3600
                for i in range(20):  # every feed changes every hour
                    items = [{"title": f"Bill {i} amended, hour {hour}", "guid": str(hour)}]
                    feeds.serve(f"/f{i}.xml", rss(items))
                samples.append((f"hour {hour:2d}", rss_kib()))
            for _name, (job, every) in jobs.items():
                if second % every == 0:
                    with frozen_at(at):
                        job(at)
            db.session.remove()
        samples.append(("hour 24", rss_kib()))
    elapsed = time.perf_counter() - started
    feed_httpd.shutdown()
    slack_httpd.shutdown()
    print(f"\nscheduler: 24 h simulated in {elapsed:.0f} s; {len(slack.messages())} Slack posts")
    for label, kib in samples[::3] + [samples[-1]]:
        print(f"  {label}: {kib / 1024:.1f} MiB")
    print("  " + verdict(samples, warm=1))


def web_worker(url: str, cases: int, alerts: int) -> None:
    seeded_database(url, cases=cases, alerts=alerts)
    port = free_port()
    env = dict(os.environ, DATABASE_URL=url, INCIDENT_HUB_BENCH_SECRET="bench")  # noqa: S106
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            "1",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "seeded:wsgi()",
        ],  # fmt: skip
        cwd=ROOT / "bench",
        env=env,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base)
        cookie = sign_in_cookie(base)
        worker = _only_child(server.pid)
        with httpx.Client(base_url=base, cookies=cookie, trust_env=False, timeout=30) as client:
            from sqlalchemy import create_engine, text

            engine = create_engine(url)
            with engine.connect() as conn:
                refs = list(conn.execute(text("SELECT ref FROM cases LIMIT 500")).scalars())
            engine.dispose()
            paths = ["/cases", "/triage", "/", "/cases?page=3"]
            rng, samples = random.Random(1), []
            for n in range(20_000):
                path = rng.choice(paths) if n % 2 else f"/cases/{rng.choice(refs)}"
                assert client.get(path).status_code == 200, path
                if n % 1000 == 0:
                    samples.append((f"{n:6d} requests", rss_kib(worker)))
            samples.append(("20000 requests", rss_kib(worker)))
    finally:
        server.terminate()
        server.wait(30)
    print("\nweb worker (gunicorn, 1 worker):")
    for label, kib in samples[::4] + [samples[-1]]:
        print(f"  {label}: {kib / 1024:.1f} MiB")
    print("  " + verdict(samples, warm=2))


def _only_child(pid: int) -> int:
    for _ in range(100):
        children = Path(f"/proc/{pid}/task/{pid}/children")
        found = children.read_text().split() if children.exists() else []
        if found:
            return int(found[0])
        time.sleep(0.1)
    raise RuntimeError("gunicorn started no worker")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("scheduler", "web", "both"), default="both")
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--alerts", type=int, default=20000)
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as tmp:
        if args.part in ("scheduler", "both"):
            scheduler_day(os.environ.get("DATABASE_URL") or f"sqlite:///{tmp}/sched.sqlite3")
        if args.part in ("web", "both"):
            url = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp}/web.sqlite3"
            web_worker(url, args.cases, args.alerts)


if __name__ == "__main__":
    main()
