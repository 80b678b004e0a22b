"""0032_case_outcomes: the table of what the government did next per case and round comes and
goes, on SQLite and PostgreSQL; its (case_id, round) pair is unique. Ends at head again
(PostgreSQL databases are shared per worker)."""

from __future__ import annotations

import pytest
from conftest import _base_config
from flask_migrate import downgrade, upgrade
from migration_rows import case_row, user_row
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError
from test_migration_alert_reports import empty_database  # noqa: F401  (the fixture)

from incident_hub import MIGRATIONS_DIR, create_app
from incident_hub.clock import now
from incident_hub.extensions import db

BEFORE = "0031_attachments"
REVISION = "0032_case_outcomes"
OUTCOME = (
    "INSERT INTO case_outcomes (case_id, round, government_response, note, lesson, "
    "recorded_by_id, recorded_at) VALUES (:case, :round, 'fined', '', 'a lesson', :user, :at)"
)


def _tables() -> set[str]:
    return set(inspect(db.engine).get_table_names())


def test_0032_adds_case_outcomes_and_drops_it_again(empty_database):  # noqa: F811
    app = create_app(_base_config(empty_database))
    with app.app_context():
        upgrade(directory=MIGRATIONS_DIR, revision=BEFORE)
        assert "case_outcomes" not in _tables()
        upgrade(directory=MIGRATIONS_DIR, revision=REVISION)
        assert "case_outcomes" in _tables()
        stamp = now()
        user_id = user_row(stamp)
        case_id = case_row(stamp, user_id, status="closed", round_=2)
        for round_ in (1, 2):
            db.session.execute(
                text(OUTCOME), {"case": case_id, "round": round_, "user": user_id, "at": stamp}
            )
        db.session.commit()
        with pytest.raises(IntegrityError):
            db.session.execute(
                text(OUTCOME), {"case": case_id, "round": 1, "user": user_id, "at": stamp}
            )
            db.session.commit()
        db.session.rollback()
        assert db.session.execute(text("SELECT count(*) FROM case_outcomes")).scalar_one() == 2
        db.session.remove()
        downgrade(directory=MIGRATIONS_DIR, revision=BEFORE)
        assert "case_outcomes" not in _tables()
        assert db.session.execute(text("SELECT count(*) FROM cases")).scalar_one() == 1
        db.session.remove()
        upgrade(directory=MIGRATIONS_DIR, revision=REVISION)
        assert "case_outcomes" in _tables()
        db.session.remove()
        upgrade(directory=MIGRATIONS_DIR)  # head
        db.session.remove()
