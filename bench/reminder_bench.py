"""One reminder sweep over 10,000 open cases (target <= 1 s).

Seeds a fresh database (SQLite in a temporary folder, or DATABASE_URL) with N undecided cases of
the content-takedown playbook — 80% open with six assignments each, 20% awaiting a decision —
spread over the past days so that some assignments are overdue and some decision reminders and
escalations are due. Times the first sweep (writes the due reminders) and a second sweep at the
same moment (nothing new: the steady state of a scheduler running every minute).

    python bench/reminder_bench.py [--cases 10000]
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path


def seed(n: int, at: datetime) -> None:
    from sqlalchemy import insert

    from incident_hub.actor import Actor
    from incident_hub.auth.service import create_user
    from incident_hub.cases.models import Assignment, Case
    from incident_hub.extensions import db
    from incident_hub.playbooks import registry

    cli = Actor(user=None, via="cli")
    opener = create_user(cli, email="t@example.org", name="T", roles=["triager"])
    create_user(cli, email="e@example.org", name="E", roles=["executive"], slack_user_id="UEXEC")
    for index, fn in enumerate(registry().functions):
        create_user(
            cli,
            email=f"l{index}@example.org",
            name=f"L{index}",
            roles=["lead"],
            functions=[fn],
            slack_user_id=f"ULEAD{index}",
        )
    playbook = registry().get("content-takedown")
    rng = random.Random(7)
    cases = []
    for i in range(n):
        opened = at - timedelta(hours=rng.uniform(1, 24 * 6))
        awaiting = i % 5 == 0
        cases.append(
            {
                "ref": f"INC-2026-{i + 1:05d}",
                "title": f"Case {i}",
                "jurisdiction": "TR",
                "playbook_key": playbook.key,
                "summary": "",
                "instrument": "",
                "authority": "",
                "legal_basis": "",
                "gag_order": False,
                "source_url": "",
                "status": "awaiting_decision" if awaiting else "open",
                "restricted": False,
                "opened_by_id": opener.id,
                "opened_at": opened,
                "round": 1,
                "version": 1,
                "decision_due_at": opened + timedelta(days=playbook.decision_due_days),
                "awaiting_since": opened + timedelta(hours=2) if awaiting else None,
                "slack_channel_id": "",
            }
        )
    ids = db.session.scalars(
        insert(Case).returning(Case.id, sort_by_parameter_order=True), cases
    ).all()
    assignments = [
        {
            "case_id": case_id,
            "function_key": f.key,
            "required": f.required,
            "note": "",
            "due_at": row["opened_at"] + timedelta(days=f.due_days),
            "status": "filed" if row["status"] == "awaiting_decision" else "pending",
        }
        for case_id, row in zip(ids, cases, strict=True)
        for f in playbook.functions
    ]
    db.session.execute(insert(Assignment), assignments)
    db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    args = parser.parse_args()

    from sqlalchemy import func, select

    from incident_hub import create_app
    from incident_hub.clock import frozen_at
    from incident_hub.database import upgrade_database
    from incident_hub.extensions import db
    from incident_hub.jobs import sweep_reminders as sweep
    from incident_hub.notify.models import Notice

    at = datetime(2026, 11, 25, 11, 0, tzinfo=UTC)  # a Wednesday, within working hours
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("DATABASE_URL") or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
        with app.app_context(), frozen_at(at):
            upgrade_database()
            started = time.perf_counter()
            seed(args.cases, at)
            print(f"seeded {args.cases} undecided cases in {time.perf_counter() - started:.1f} s")
            for label in ("first sweep (writes due reminders)", "second sweep (steady state)"):
                started = time.perf_counter()
                counts = sweep(at)
                elapsed = time.perf_counter() - started
                print(f"{label}: {elapsed:.3f} s  {counts}")
            total = db.session.execute(select(func.count()).select_from(Notice)).scalar_one()
            print(f"notices written: {total}  [database {url.split(':')[0]}; target <= 1 s]")


if __name__ == "__main__":
    main()
