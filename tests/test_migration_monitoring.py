"""0026_monitoring: the re-review schedule and re-reviews tables come and go; a case still under
monitoring is decided again on downgrade (the code before knows no such status), on SQLite and
PostgreSQL. Ends at head again (PostgreSQL databases are shared per worker)."""

from __future__ import annotations

from conftest import _base_config
from flask_migrate import downgrade, upgrade
from migration_rows import case_row, user_row
from sqlalchemy import inspect, text
from test_migration_alert_reports import empty_database  # noqa: F401  (the fixture)

from incident_hub import MIGRATIONS_DIR, create_app
from incident_hub.clock import now
from incident_hub.extensions import db

BEFORE = "0025_law_stages"
REVISION = "0026_monitoring"


def _tables() -> set[str]:
    return set(inspect(db.engine).get_table_names())


def test_0026_adds_the_monitoring_tables_and_drops_them_again(empty_database):  # noqa: F811
    app = create_app(_base_config(empty_database))
    with app.app_context():
        upgrade(directory=MIGRATIONS_DIR, revision=BEFORE)
        assert "case_monitoring" not in _tables()
        upgrade(directory=MIGRATIONS_DIR, revision=REVISION)
        assert {"case_monitoring", "case_reviews"} <= _tables()
        stamp = now()
        user_id = user_row(stamp)
        case_id = case_row(stamp, user_id, status="monitoring")
        db.session.execute(
            text(
                "INSERT INTO case_monitoring (case_id, owner_id, next_review_at, every_days, "
                "note, round, started_at) VALUES (:case, :user, :at, 90, '', 1, :at)"
            ),
            {"case": case_id, "user": user_id, "at": stamp},
        )
        db.session.execute(
            text(
                "INSERT INTO case_reviews (case_id, round, due_at, reviewed_at, reviewer_id, "
                "outcome, note) VALUES (:case, 1, :at, :at, :user, 'continue', 'still')"
            ),
            {"case": case_id, "user": user_id, "at": stamp},
        )
        db.session.commit()
        db.session.remove()
        downgrade(directory=MIGRATIONS_DIR, revision=BEFORE)
        assert not {"case_monitoring", "case_reviews"} & _tables()
        assert db.session.execute(text("SELECT status FROM cases")).scalars().all() == ["decided"]
        db.session.remove()
        upgrade(directory=MIGRATIONS_DIR, revision=REVISION)
        assert {"case_monitoring", "case_reviews"} <= _tables()
        db.session.remove()
        upgrade(directory=MIGRATIONS_DIR)  # head
        db.session.remove()
