"""0023_user_timezone: existing users get no time zone of their own (they keep
[REMINDERS] TIMEZONE), the column drops again on downgrade, on SQLite and PostgreSQL."""

from __future__ import annotations

from conftest import _base_config
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from test_migration_alert_reports import empty_database  # noqa: F401  (the fixture)

from incident_hub import MIGRATIONS_DIR, create_app
from incident_hub.clock import now
from incident_hub.extensions import db

BEFORE = "0022_sources_admin"  # the revision before 0023


def _columns() -> set[str]:
    return {c["name"] for c in inspect(db.engine).get_columns("users")}


def test_0023_adds_a_null_timezone_and_drops_it_again(empty_database):  # noqa: F811
    app = create_app(_base_config(empty_database))
    with app.app_context():
        upgrade(directory=MIGRATIONS_DIR, revision=BEFORE)
        db.session.execute(
            text(
                "INSERT INTO users (email, name, active, session_epoch, created_at) VALUES "
                "('old@example.org', 'Old', true, 0, :at)"
            ),
            {"at": now()},
        )
        db.session.commit()
        db.session.remove()
        upgrade(directory=MIGRATIONS_DIR, revision="0023_user_timezone")
        assert "timezone" in _columns()
        # Rows, not today's User model: later revisions add columns this one lacks.
        assert db.session.execute(text("SELECT timezone FROM users")).scalars().all() == [None]
        db.session.execute(text("UPDATE users SET timezone = 'Asia/Tokyo'"))
        db.session.commit()
        db.session.remove()
        downgrade(directory=MIGRATIONS_DIR, revision=BEFORE)
        assert "timezone" not in _columns()
        assert db.session.execute(text("SELECT email FROM users")).scalars().all() == [
            "old@example.org"
        ]
        db.session.remove()
        upgrade(directory=MIGRATIONS_DIR, revision="head")
        assert "timezone" in _columns()
        db.session.remove()
