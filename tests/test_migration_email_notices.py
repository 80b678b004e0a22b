"""0033_email_notices: existing users keep Slack (``notify_by`` = slack), the column drops
again on downgrade and comes back on upgrade, on SQLite and PostgreSQL."""

from __future__ import annotations

from conftest import _base_config
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from test_migration_alert_reports import empty_database  # noqa: F401  (the fixture)

from incident_hub import MIGRATIONS_DIR, create_app
from incident_hub.clock import now
from incident_hub.extensions import db

BEFORE = "0032_case_outcomes"  # the revision before 0033


def _columns() -> set[str]:
    return {c["name"] for c in inspect(db.engine).get_columns("users")}


def test_0033_gives_everyone_slack_and_drops_the_column_again(empty_database):  # noqa: F811
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
        upgrade(directory=MIGRATIONS_DIR, revision="0033_email_notices")
        assert "notify_by" in _columns()
        from incident_hub.auth.models import User

        (user,) = db.session.execute(db.select(User)).scalars()
        assert user.notify_by == "slack"
        user.notify_by = "both"
        db.session.commit()
        db.session.remove()
        downgrade(directory=MIGRATIONS_DIR, revision=BEFORE)
        assert "notify_by" not in _columns()
        assert db.session.execute(text("SELECT email FROM users")).scalars().all() == [
            "old@example.org"
        ]
        db.session.remove()
        upgrade(directory=MIGRATIONS_DIR, revision="head")
        assert "notify_by" in _columns()
        assert db.session.execute(text("SELECT notify_by FROM users")).scalar_one() == "slack"
        db.session.remove()
