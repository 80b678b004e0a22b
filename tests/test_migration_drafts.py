"""Migration 0017_drafts: the drafts table comes and goes, on SQLite and PostgreSQL."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from incident_hub import MIGRATIONS_DIR
from incident_hub.extensions import db

BEFORE = "0016_search_split"


def test_drafts_table_upgrades_downgrades_and_upgrades_again(app):
    with app.app_context():
        assert "drafts" in inspect(db.engine).get_table_names()
        downgrade(directory=MIGRATIONS_DIR, revision=BEFORE)
        db.engine.dispose()
        assert "drafts" not in inspect(db.engine).get_table_names()
        upgrade(directory=MIGRATIONS_DIR, revision="0017_drafts")
        db.engine.dispose()
        columns = {c["name"] for c in inspect(db.engine).get_columns("drafts")}
        assert columns == {"id", "user_id", "case_id", "form_key", "fields", "updated_at"}
        version = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
        assert version == "0017_drafts"
        upgrade(directory=MIGRATIONS_DIR)  # back to the head: later tests share this database
        db.engine.dispose()
        assert "admin_fields" in {c["name"] for c in inspect(db.engine).get_columns("sources")}
