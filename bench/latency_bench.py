"""State change -> Slack post latency with the real scheduler process running (target p95 <= 2 s).

Starts a loopback Slack Web API (tests/slackserver.py) and `incident-hub scheduler` as a separate
process on a temporary SQLite database (or DATABASE_URL), then opens cases one after another in
this process through the same service function the web and API use, and measures, for each, the
time from the commit to the announce-channel message arriving at the loopback Slack.

    python bench/latency_bench.py [--cases 40] [--gap 1.2]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from slackserver import TOKEN, SlackServer, start  # noqa: E402


def write_config(folder: Path, url: str, slack_url: str) -> Path:
    feeds = folder / "feeds"
    feeds.mkdir()
    path = folder / "config.toml"
    path.write_text(
        f'SECRET_KEY = "bench"\nDATABASE_URL = "{url}"\nFEEDS_DIR = "{feeds}"\n'
        f'[SLACK]\nBOT_TOKEN = "{TOKEN}"\nAPI_BASE_URL = "{slack_url}/api/"\n'
        "MAX_PER_CHANNEL_PER_S = 1.0\n"
    )
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=40)
    parser.add_argument("--gap", type=float, default=1.2, help="seconds between state changes")
    args = parser.parse_args()
    slack = SlackServer()
    httpd = start(slack)
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("DATABASE_URL") or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        config = write_config(Path(tmp), url, slack.url)
        env = {
            **os.environ,
            "INCIDENT_HUB_CONFIG": str(config),
            "INCIDENT_HUB_INSTANCE_PATH": str(Path(tmp) / "instance"),
        }
        env.pop("DATABASE_URL", None)
        os.environ.update(INCIDENT_HUB_CONFIG=str(config))
        from incident_hub import create_app
        from incident_hub.actor import Actor
        from incident_hub.auth.models import User
        from incident_hub.auth.service import create_user
        from incident_hub.cases.service import open_case
        from incident_hub.database import upgrade_database
        from incident_hub.extensions import db

        app = create_app()
        with app.app_context():
            upgrade_database()
            triager_id = create_user(
                Actor(None, "cli"), email="t@example.org", name="T", roles=["triager"]
            ).id
        exe = Path(sys.executable).parent / "incident-hub"
        scheduler = subprocess.Popen(
            [str(exe), "scheduler"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            time.sleep(3)  # let it start and run its first passes
            committed: dict[str, float] = {}
            with app.app_context():
                actor = Actor(user=db.session.get(User, triager_id), via="cli")
                for i in range(args.cases):
                    case = open_case(
                        actor,
                        {
                            "title": f"Bench case {i}",
                            "jurisdiction": "TR",
                            "playbook": "content-takedown",
                        },
                    )
                    committed[case.ref] = time.monotonic()
                    time.sleep(args.gap)
            deadline = time.monotonic() + 30
            latencies: dict[str, float] = {}
            while time.monotonic() < deadline and len(latencies) < len(committed):
                for call in slack.messages("#incident-hub"):
                    for ref, at in committed.items():
                        if ref not in latencies and ref in str(call.params.get("text", "")):
                            latencies[ref] = call.at - at
                time.sleep(0.2)
        finally:
            scheduler.terminate()
            scheduler.wait(timeout=30)
            httpd.shutdown()
    values = sorted(latencies.values())
    if not values:
        sys.exit("no message arrived: is the scheduler able to start?")
    p95 = values[min(len(values) - 1, int(0.95 * len(values)))]
    print(
        f"{len(values)}/{len(committed)} announcements arrived; latency commit -> Slack: "
        f"median {statistics.median(values):.2f} s, p95 {p95:.2f} s, max {values[-1]:.2f} s "
        f"[database {url.split(':')[0]}; target p95 <= 2 s]"
    )


if __name__ == "__main__":
    main()
