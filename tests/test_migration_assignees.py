"""0028_assignees on SQLite and PostgreSQL: the assignees table and assignments.questions_from
come and go; an existing assignment whose function has exactly one assigned lead on its case
gets that lead as owner, one with several stays unowned. Ends at head again."""

from __future__ import annotations

from conftest import _base_config
from flask_migrate import downgrade, upgrade
from migration_rows import case_row
from sqlalchemy import inspect, text
from test_migration_alert_reports import empty_database  # noqa: F401  (the fixture)

from incident_hub import MIGRATIONS_DIR, create_app
from incident_hub.clock import now
from incident_hub.extensions import db

BEFORE = "0026_monitoring"
REVISION = "0028_assignees"


def _columns() -> set[str]:
    return {c["name"] for c in inspect(db.engine).get_columns("assignments")}


def test_0028_adds_owners_of_one_lead_functions_and_downgrades(empty_database):  # noqa: F811
    app = create_app(_base_config(empty_database))
    with app.app_context():
        upgrade(directory=MIGRATIONS_DIR, revision=BEFORE)
        assert "assignees" not in inspect(db.engine).get_table_names()
        stamp = now()
        for name in ("a", "b", "c"):
            db.session.execute(
                text(
                    "INSERT INTO users (email, name, active, session_epoch, created_at) "
                    "VALUES (:email, :name, true, 0, :at)"
                ),
                {"email": f"{name}@example.org", "name": name, "at": stamp},
            )
        ids = dict(db.session.execute(text("SELECT name, id FROM users")).all())
        case_id = case_row(stamp, ids["a"])
        for key in ("legal", "human-rights"):
            db.session.execute(
                text(
                    "INSERT INTO assignments (case_id, function_key, required, due_at, status, "
                    "note) VALUES (:case, :key, true, :at, 'pending', '')"
                ),
                {"case": case_id, "key": key, "at": stamp},
            )
        members = [("b", "legal"), ("b", "human-rights"), ("c", "human-rights")]
        for name, key in members:
            db.session.execute(
                text(
                    "INSERT INTO case_members (case_id, user_id, kind, function_key, added_at) "
                    "VALUES (:case, :user, 'assigned', :key, :at)"
                ),
                {"case": case_id, "user": ids[name], "key": key, "at": stamp},
            )
        db.session.commit()
        db.session.remove()
        upgrade(directory=MIGRATIONS_DIR, revision=REVISION)
        assert "questions_from" in _columns()
        owners = db.session.execute(
            text(
                "SELECT a.function_key, s.user_id, s.role FROM assignees s "
                "JOIN assignments a ON a.id = s.assignment_id"
            )
        ).all()
        assert [tuple(r) for r in owners] == [("legal", ids["b"], "owner")]
        db.session.remove()
        downgrade(directory=MIGRATIONS_DIR, revision=BEFORE)
        assert "assignees" not in inspect(db.engine).get_table_names()
        assert "questions_from" not in _columns()
        db.session.remove()
        upgrade(directory=MIGRATIONS_DIR)  # head
        db.session.remove()
