"""Similar-case lookup over 10,000 past cases, on SQLite and PostgreSQL (target p95 <= 50 ms).

For each backend: a fresh database (a temporary SQLite file; a PostgreSQL database of its own,
created on the server given and dropped afterwards), migrated, then seeded with N realistic
cases by ``incident_hub.scale.seed_cases`` (every playbook, ~40 jurisdictions, analyses and
decisions for most, assessments for some, 5% restricted). On PostgreSQL the tables are then
vacuumed and analysed, as autovacuum does after a bulk load. Then LOOKUPS similar-case lookups
on random cases, each through the service function the API and the case page call, as a lead
(so restricted cases are filtered out), each in its own transaction; a few warm-up lookups are
not counted. Reports p50 / p95 / max per backend, and the same through the HTTP API.

    python bench/similar_bench.py [--cases 10000] [--lookups 300] [--backend sqlite|postgresql|all]
                                  [--postgres postgresql://postgres@127.0.0.1:5432]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG_DATABASE = "incident_hub_similar_bench"
TARGET_MS = 50.0


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def timed(calls: list[Callable[[], object]]) -> list[float]:
    out = []
    for call in calls:
        started = time.perf_counter()
        call()
        out.append((time.perf_counter() - started) * 1000)
    return out


def run(url: str, name: str, cases: int, lookups: int, instance: Path) -> tuple[float, float]:
    from sqlalchemy import select, text

    from incident_hub import create_app
    from incident_hub.actor import Actor
    from incident_hub.auth.models import User
    from incident_hub.auth.service import issue_token
    from incident_hub.cases.models import Case
    from incident_hub.database import upgrade_database
    from incident_hub.extensions import db
    from incident_hub.precedent.similar import similar_cases
    from incident_hub.scale import ensure_staff, seed_cases

    os.environ["INCIDENT_HUB_INSTANCE_PATH"] = str(instance)
    limits = {"API": "1000000 per minute"}  # the bench measures lookups, not rate limits
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "LIMITS": limits})
    with app.app_context():
        upgrade_database()
        staff = ensure_staff()
        started = time.perf_counter()
        seed_cases(cases, staff=staff, seed=1)
        seeded = time.perf_counter() - started
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
        refs = list(
            db.session.execute(select(Case.ref).where(Case.restricted.is_(False))).scalars()
        )
        lead_id = staff.leads["legal"]
        token = issue_token(Actor(None, "cli"), db.session.get(User, lead_id), "bench")
    print(f"[{name}] seeded {cases} cases in {seeded:.1f} s")
    rng = random.Random(7)
    picks = [rng.choice(refs) for _ in range(lookups + 20)]

    def lookup(ref: str) -> Callable[[], object]:
        def call() -> object:
            with app.app_context():
                actor = Actor(user=db.session.get(User, lead_id), via="api")
                found = similar_cases(actor, ref)
                db.session.rollback()
                return found

        return call

    service = timed([lookup(ref) for ref in picks])[20:]
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}

    def request(ref: str) -> Callable[[], object]:
        def call() -> object:
            response = client.get(f"/api/v1/cases/{ref}/similar", headers=headers)
            assert response.status_code == 200, response.get_data(as_text=True)
            return response

        return call

    http = timed([request(ref) for ref in picks])[20:]
    with app.app_context():
        db.engine.dispose()
    for label, values in (("service", service), ("HTTP API", http)):
        print(
            f"[{name}] similar-case lookup ({label}) over {cases} cases, {len(values)} lookups: "
            f"p50 {statistics.median(values):.1f} ms, p95 {percentile(values, 0.95):.1f} ms, "
            f"max {max(values):.1f} ms [target p95 <= {TARGET_MS:.0f} ms]"
        )
    return percentile(service, 0.95), percentile(http, 0.95)


def postgres(server: str, cases: int, lookups: int, instance: Path) -> tuple[float, float]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = make_url(server.replace("postgresql://", "postgresql+psycopg://", 1))
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{PG_DATABASE}"'))
    try:
        url = base.set(database=PG_DATABASE).render_as_string(hide_password=False)
        return run(url, "postgresql", cases, lookups, instance)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)'))
        admin.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--lookups", type=int, default=300)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "all"], default="all")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432")
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        instance = Path(tmp) / "instance"
        if args.backend in ("sqlite", "all"):
            url = f"sqlite:///{Path(tmp) / 'similar.sqlite3'}"
            results["sqlite"] = run(url, "sqlite", args.cases, args.lookups, instance)
        if args.backend in ("postgresql", "all"):
            results["postgresql"] = postgres(args.postgres, args.cases, args.lookups, instance)
    failed = [name for name, (service, _) in results.items() if service > TARGET_MS]
    print("PASS" if not failed else f"FAIL: p95 above {TARGET_MS:.0f} ms on {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
