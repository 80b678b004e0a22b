"""Server-side time of the hot pages at scale: triage queue, case list, case page (p95 ≤ 50 ms).

Seeds ``--cases`` cases and ``--alerts`` alerts into a fresh SQLite file and, when
``--postgres URL`` is given (a server where a database may be created), into a fresh
PostgreSQL database too; then requests each page ``--requests`` times in-process through the
app (the Flask test client: the full request — session, permission checks, queries, template
rendering — without a network), as the person who uses it: the triage queue as a triager
(first pages and a deep page), the case list as a lead (whose visibility filter is the most
complex), case pages of random cases as the same lead. Prints p50/p95/max and the number of
SQL statements per page.

    python bench/pages_bench.py [--cases 10000] [--alerts 100000] [--requests 200]
                                [--postgres postgresql://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from seeded import PASSWORD, make_app  # noqa: E402
from sqlalchemy import create_engine, event, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402


def signed_in(app, local: str):  # noqa: ANN001, ANN201
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    form = {"email": f"{local}@bench.invalid", "password": PASSWORD, "csrf_token": token}
    assert client.post("/login", data=form).status_code == 302
    return client


def measure(client, paths: list[str], engine) -> dict:  # noqa: ANN001
    statements = []

    def count(*_args) -> None:  # noqa: ANN002
        statements.append(1)

    times, queries = [], []
    for path in paths:
        statements.clear()
        event.listen(engine, "before_cursor_execute", count)
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        event.remove(engine, "before_cursor_execute", count)
        assert response.status_code == 200, (path, response.status_code)
        queries.append(len(statements))
    times.sort()
    return {
        "p50": statistics.median(times),
        "p95": times[int(len(times) * 0.95) - 1],
        "max": times[-1],
        "queries": f"{min(queries)}–{max(queries)}",
    }


def run(url: str, args: argparse.Namespace) -> None:
    # Seeded in a process of its own: the measuring process starts as fresh as a web worker.
    seed = (
        f"from seeded import seeded_database; seeded_database({url!r}, cases={args.cases}, "
        f"alerts={args.alerts})"
    )
    subprocess.run([sys.executable, "-c", seed], cwd=ROOT / "bench", check=True)
    app = make_app(url)
    from incident_hub.extensions import db

    with app.app_context():
        engine = db.engine
        public = text("SELECT ref FROM cases WHERE NOT restricted")
        refs = [r for (r,) in db.session.execute(public)]
    rng, n = random.Random(3), args.requests
    triager, lead = signed_in(app, "triager"), signed_in(app, "legal")
    for client in (triager, lead):  # warm the template cache and the database's own caches
        client.get("/triage")
        client.get("/cases")
    pages = {
        "triage queue (page 1)": (triager, ["/triage"] * n),
        "triage queue (page 40)": (triager, ["/triage?page=40"] * n),
        "case list (page 1)": (lead, ["/cases"] * n),
        "case list (page 100)": (lead, ["/cases?page=100"] * n),
        "case list (filtered)": (lead, ["/cases?status=decided&playbook=content-takedown"] * n),
        "case page (random)": (lead, [f"/cases/{rng.choice(refs)}" for _ in range(n)]),
    }
    print(f"\n{make_url(url).get_backend_name()}: {args.cases} cases, {args.alerts} alerts, "
          f"{n} requests per page")  # fmt: skip
    with app.app_context():
        for name, (client, paths) in pages.items():
            figures = measure(client, paths, db.engine)
            verdict = "ok" if figures["p95"] <= 50 else "OVER 50 ms"
            print(
                f"  {name:<24} p50 {figures['p50']:6.1f} ms  p95 {figures['p95']:6.1f} ms  "
                f"max {figures['max']:6.1f} ms  queries {figures['queries']:>5}  {verdict}"
            )
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--alerts", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES_URL", ""))
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as tmp:
        if not args.skip_sqlite:
            run(f"sqlite:///{tmp}/pages.sqlite3", args)
    if args.postgres:
        base = make_url(args.postgres).set(drivername="postgresql+psycopg")
        name = f"incident_hub_pages_bench_{os.getpid()}"
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            run(base.set(database=name).render_as_string(hide_password=False), args)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
