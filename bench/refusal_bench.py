"""A restricted case's 404 and a missing case's 404, timed: the two medians should be alike.

Builds the app on a temporary SQLite database (or DATABASE_URL), opens one restricted case as
an admin, and asks for it as a lead who is not a member, alternating with a reference that
names no case, through the JSON API (the Flask test client: real routing, auth, queries and
audit writes, no network). Prints the median and p90 of each and their ratio. The test suite
checks the deterministic part (both run the same SQL statements,
tests/test_hardening.py::test_a_restricted_cases_404_does_the_same_work_as_a_missing_ones).

    python bench/refusal_bench.py [--rounds 300]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("DATABASE_URL") or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        os.environ["INCIDENT_HUB_INSTANCE_PATH"] = str(Path(tmp) / "instance")
        from incident_hub import create_app
        from incident_hub.actor import Actor
        from incident_hub.auth.service import create_user
        from incident_hub.auth.tokens import issue_token
        from incident_hub.database import upgrade_database
        from incident_hub.extensions import db

        limits = {"API": "1000000 per minute", "AUTH_FAILURES": "1000000 per minute"}
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "LIMITS": limits})
        cli = Actor(user=None, via="cli")
        with app.app_context():
            upgrade_database()
            admin = create_user(cli, email="admin@example.org", name="Admin", roles=["admin"])
            outsider = create_user(
                cli,
                email="outsider@example.org",
                name="Outsider",
                roles=["lead"],
                functions=["export-control"],
            )
            admin_token = issue_token(cli, admin, "bench")
            outsider_token = issue_token(cli, outsider, "bench")
        client = app.test_client()
        opened = client.post(
            "/api/v1/cases",
            json={
                "title": "A secret order",
                "playbook": "content-takedown",
                "jurisdiction": "TR",
                "restricted": True,
            },
            headers={"Authorization": f"Bearer {admin_token}"},
        )
        secret = opened.get_json()["ref"]
        headers = {"Authorization": f"Bearer {outsider_token}"}
        paths = {"restricted": f"/api/v1/cases/{secret}", "missing": "/api/v1/cases/INC-2999-9999"}
        times: dict[str, list[float]] = {name: [] for name in paths}
        for _ in range(10):  # warm-up
            for path in paths.values():
                client.get(path, headers=headers)
        for n in range(args.rounds):
            order = list(paths.items()) if n % 2 == 0 else list(reversed(paths.items()))
            for name, path in order:
                start = time.perf_counter()
                answer = client.get(path, headers=headers)
                times[name].append((time.perf_counter() - start) * 1000)
                assert answer.status_code == 404, (name, answer.status_code)
        with app.app_context():
            db.engine.dispose()
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name, values in times.items():
        p90 = statistics.quantiles(values, n=10)[-1]
        print(
            f"{name:10} median {medians[name]:6.2f} ms  p90 {p90:6.2f} ms  ({len(values)} requests)"
        )
    print(f"ratio restricted/missing: {medians['restricted'] / medians['missing']:.2f}")


if __name__ == "__main__":
    main()
