"""0029_required_questions: the draft filings table comes and goes; a draft assignment is
pending again on downgrade (the code before knows no such status), on SQLite and PostgreSQL.
Ends at head again (PostgreSQL databases are shared per worker)."""

from __future__ import annotations

from conftest import _base_config
from flask_migrate import downgrade, upgrade
from migration_rows import case_row, user_row
from sqlalchemy import inspect, text
from test_migration_alert_reports import empty_database  # noqa: F401  (the fixture)

from incident_hub import MIGRATIONS_DIR, create_app
from incident_hub.clock import now
from incident_hub.extensions import db

BEFORE = "0028_assignees"
REVISION = "0029_required_questions"


def _tables() -> set[str]:
    return set(inspect(db.engine).get_table_names())


def test_0029_adds_the_draft_filings_and_drops_them_again(empty_database):  # noqa: F811
    app = create_app(_base_config(empty_database))
    with app.app_context():
        upgrade(directory=MIGRATIONS_DIR, revision=BEFORE)
        assert "analysis_drafts" not in _tables()
        upgrade(directory=MIGRATIONS_DIR, revision=REVISION)
        assert "analysis_drafts" in _tables()
        stamp = now()
        user_id = user_row(stamp)
        case_id = case_row(stamp, user_id)
        db.session.execute(
            text(
                "INSERT INTO assignments (case_id, function_key, required, due_at, status, note) "
                "VALUES (:case, 'legal', true, :at, 'draft', ''), "
                "(:case, 'security', true, :at, 'filed', '')"
            ),
            {"case": case_id, "at": stamp},
        )
        # Written as an older client would: privileged and round come from server defaults.
        db.session.execute(
            text(
                "INSERT INTO analysis_drafts (case_id, function_key, author_id, text, answers, "
                "recommendation, saved_at) VALUES (:case, 'legal', :user, 'So far', '{}', "
                "'comply-narrowly', :at)"
            ),
            {"case": case_id, "user": user_id, "at": stamp},
        )
        row = db.session.execute(text("SELECT privileged, round FROM analysis_drafts")).one()
        assert (bool(row.privileged), row.round) == (False, 1)
        db.session.commit()
        db.session.remove()
        downgrade(directory=MIGRATIONS_DIR, revision=BEFORE)
        assert "analysis_drafts" not in _tables()
        statuses = db.session.execute(
            text("SELECT function_key, status FROM assignments ORDER BY function_key")
        ).all()
        assert [tuple(r) for r in statuses] == [("legal", "pending"), ("security", "filed")]
        db.session.remove()
        upgrade(directory=MIGRATIONS_DIR, revision=REVISION)
        assert "analysis_drafts" in _tables()
        db.session.remove()
        upgrade(directory=MIGRATIONS_DIR)  # head
        db.session.remove()
