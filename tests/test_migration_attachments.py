"""0031_attachments: the attachments table comes and goes on SQLite and PostgreSQL, with a
row written at the revision; ends at head again (PostgreSQL databases are shared per worker)."""

from __future__ import annotations

from conftest import _base_config
from flask_migrate import downgrade, upgrade
from migration_rows import case_row, user_row
from sqlalchemy import inspect, text
from test_migration_alert_reports import empty_database  # noqa: F401  (the fixture)

from incident_hub import MIGRATIONS_DIR, create_app
from incident_hub.clock import now
from incident_hub.extensions import db

BEFORE = "0030_comments"
REVISION = "0031_attachments"


def _tables() -> set[str]:
    return set(inspect(db.engine).get_table_names())


def test_0031_adds_the_attachments_table_and_drops_it_again(empty_database):  # noqa: F811
    app = create_app(_base_config(empty_database))
    with app.app_context():
        upgrade(directory=MIGRATIONS_DIR, revision=BEFORE)
        assert "attachments" not in _tables()
        upgrade(directory=MIGRATIONS_DIR, revision=REVISION)
        assert "attachments" in _tables()
        stamp = now()
        user_id = user_row(stamp)
        case_id = case_row(stamp, user_id)
        db.session.execute(
            text(
                "INSERT INTO attachments (case_id, filename, kind, content_type, size, sha256, "
                "uploaded_by_id, uploaded_at) VALUES (:case, 'order.pdf', 'pdf', "
                "'application/pdf', 10, :sha, :user, :at)"
            ),
            {"case": case_id, "user": user_id, "at": stamp, "sha": "a" * 64},
        )
        row = db.session.execute(
            text("SELECT function_key, description, privileged FROM attachments")
        ).one()
        assert (row[0], row[1], bool(row[2])) == ("", "", False)  # the server defaults
        db.session.commit()
        db.session.remove()
        downgrade(directory=MIGRATIONS_DIR, revision=BEFORE)
        assert "attachments" not in _tables()
        db.session.remove()
        upgrade(directory=MIGRATIONS_DIR, revision=REVISION)
        assert "attachments" in _tables()
        db.session.remove()
        upgrade(directory=MIGRATIONS_DIR)  # head
        db.session.remove()
