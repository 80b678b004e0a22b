"""0022_sources_admin: existing sources get no admin overrides (the files keep setting them),
the column drops again on downgrade, on SQLite and PostgreSQL."""

from __future__ import annotations

from conftest import _base_config
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from test_migration_alert_reports import empty_database  # noqa: F401  (the fixture)

from incident_hub import MIGRATIONS_DIR, create_app
from incident_hub.clock import now
from incident_hub.extensions import db

BEFORE = "0020_mywork"  # the revision before 0022


def _columns() -> set[str]:
    return {c["name"] for c in inspect(db.engine).get_columns("sources")}


def test_0022_adds_admin_fields_empty_and_drops_them_again(empty_database):  # noqa: F811
    app = create_app(_base_config(empty_database))
    with app.app_context():
        upgrade(directory=MIGRATIONS_DIR, revision=BEFORE)
        db.session.execute(
            text(
                "INSERT INTO sources (key, title, url, jurisdiction, language, covers, "
                "interval_min, origin, enabled, created_at, last_status, last_error, "
                "error_count, effective_interval_min, items_seen, alerts_flagged) VALUES "
                "('old', 'Old', 'https://example.org/f', 'DE', 'de', '', 60, 'file', true, "
                ":at, 'never', '', 0, 60, 0, 0)"
            ),
            {"at": now()},
        )
        db.session.commit()
        db.session.remove()
        upgrade(directory=MIGRATIONS_DIR, revision="0022_sources_admin")
        assert "admin_fields" in _columns()
        from incident_hub.watch.models import Source

        (source,) = db.session.execute(db.select(Source)).scalars()
        assert source.admin_fields == []
        source.admin_fields = ["title"]
        db.session.commit()
        db.session.remove()
        downgrade(directory=MIGRATIONS_DIR, revision=BEFORE)
        assert "admin_fields" not in _columns()
        assert db.session.execute(text("SELECT key FROM sources")).scalars().all() == ["old"]
        db.session.remove()
        upgrade(directory=MIGRATIONS_DIR, revision="0022_sources_admin")
        assert "admin_fields" in _columns()
        db.session.remove()
