"""0027_rounds on SQLite and PostgreSQL: existing analyses are numbered by round from the audit
trail (one round more after each reopen), existing actions were never carried, and both
columns drop again on downgrade and come back on upgrade."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from conftest import CLI, _base_config
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from test_migration_alert_reports import empty_database  # noqa: F401  (the fixture)

from incident_hub import MIGRATIONS_DIR, create_app
from incident_hub.audit.models import AuditEvent
from incident_hub.auth.service import create_user
from incident_hub.cases.models import Case
from incident_hub.clock import now
from incident_hub.extensions import db
from incident_hub.types import UTCDateTime

BEFORE = "0023_user_timezone"  # the revision before 0027

# analyses as the revision before knew them (the model has a round now)
ANALYSES = sa.table(
    "analyses",
    sa.column("case_id", sa.Integer),
    sa.column("function_key", sa.String),
    sa.column("author_id", sa.Integer),
    sa.column("text", sa.Text),
    sa.column("answers", sa.JSON),
    sa.column("recommendation", sa.String),
    sa.column("version", sa.Integer),
    sa.column("current", sa.Boolean),
    sa.column("privileged", sa.Boolean),
    sa.column("filed_at", UTCDateTime),
)


def _columns(table: str) -> set[str]:
    return {c["name"] for c in inspect(db.engine).get_columns(table)}


def _event(case: Case, n: int, action: str, at) -> AuditEvent:  # noqa: ANN001
    return AuditEvent(
        at=at,
        actor="admin@example.org",
        action=action,
        object_type="case",
        object_ref=case.ref,
        case_id=case.id,
        origin="cli",
        outcome="ok",
        details={"reason": "amended"},
        prev_hash=f"{n:064d}",
        hash=f"{n + 1:064d}",
    )


def test_0027_numbers_analyses_by_round_and_downgrades_cleanly(empty_database):  # noqa: F811
    app = create_app(_base_config(empty_database))
    start = now() - timedelta(days=30)
    with app.app_context():
        upgrade(directory=MIGRATIONS_DIR, revision=BEFORE)
        create_user(CLI, email="admin@example.org", name="Admin", roles=["admin"])
        # Its id as a row: today's User model has columns this revision lacks.
        admin_id = db.session.execute(text("SELECT id FROM users")).scalar_one()
        case = Case(
            ref="INC-2026-0001",
            title="Amended order",
            playbook_key="content-takedown",
            jurisdiction="TR",
            opened_by_id=admin_id,
            opened_at=start,
            decision_due_at=start + timedelta(days=3),
            round=3,
        )
        db.session.add(case)
        db.session.flush()
        db.session.add_all(
            [
                _event(case, 1, "case.open", start + timedelta(days=10)),  # round 2
                _event(case, 3, "case.closed", start + timedelta(days=15)),
                _event(case, 5, "case.open", start + timedelta(days=20)),  # round 3
            ]
        )
        filed = [(1, 1), (5, 2), (12, 3), (25, 4)]  # (day, version)
        db.session.execute(
            ANALYSES.insert(),
            [
                {
                    "case_id": case.id,
                    "function_key": "legal",
                    "author_id": admin_id,
                    "text": f"version {version}",
                    "answers": {},
                    "recommendation": "comply-narrowly",
                    "version": version,
                    "current": version == 4,
                    "privileged": False,
                    "filed_at": start + timedelta(days=day),
                }
                for day, version in filed
            ],
        )
        db.session.commit()
        db.session.remove()

        upgrade(directory=MIGRATIONS_DIR, revision="0027_rounds")
        assert "round" in _columns("analyses")
        assert "carried_from_round" in _columns("case_actions")
        rounds = db.session.execute(
            text("SELECT version, round FROM analyses ORDER BY version")
        ).all()
        assert [tuple(r) for r in rounds] == [(1, 1), (2, 1), (3, 2), (4, 3)]
        db.session.remove()

        downgrade(directory=MIGRATIONS_DIR, revision=BEFORE)
        assert "round" not in _columns("analyses")
        assert "carried_from_round" not in _columns("case_actions")
        assert db.session.execute(text("SELECT count(*) FROM analyses")).scalar() == 4
        db.session.remove()

        upgrade(directory=MIGRATIONS_DIR)  # back to head: the database is left as found
        assert "round" in _columns("analyses")
        db.session.remove()
