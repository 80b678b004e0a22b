"""Migration 0013 (API token names and expiry) on SQLite and PostgreSQL: existing tokens keep
working for 90 days after the upgrade, every live name is unique per user, downgrade works."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from conftest import _base_config
from flask_migrate import downgrade, upgrade
from sqlalchemy import text
from test_migration_alert_reports import empty_database  # noqa: F401  (the fixture)

from incident_hub import MIGRATIONS_DIR, create_app
from incident_hub.auth.tokens import user_for_token
from incident_hub.clock import frozen_at, now
from incident_hub.extensions import db

BEFORE = "0012_sessions_oidc"  # the revision before 0013


def test_0013_names_and_dates_existing_tokens(empty_database):  # noqa: F811
    app = create_app(_base_config(empty_database))
    with app.app_context():
        upgrade(directory=MIGRATIONS_DIR, revision=BEFORE)
        db.session.execute(
            text(
                "INSERT INTO users (id, email, name, active, session_epoch, created_at) "
                "VALUES (1, 'a@example.org', 'A', true, 0, :at)"
            ),
            {"at": now()},
        )
        for token_id, label, revoked in [(1, "ci", None), (2, "ci", None), (3, "", None),
                                         (4, "ci", now())]:  # fmt: skip
            db.session.execute(
                text(
                    "INSERT INTO api_tokens (id, user_id, token_hash, label, created_at, "
                    "revoked_at) VALUES (:id, 1, :hash, :label, :at, :revoked)"
                ),
                {"id": token_id, "hash": hashlib.sha256(f"ih_{token_id}".encode()).hexdigest(),
                 "label": label, "at": now() - timedelta(days=400), "revoked": revoked},
            )  # fmt: skip
        db.session.commit()
        db.session.remove()  # no transaction of ours may hold a lock while DDL runs
        upgraded_at = now()
        upgrade(directory=MIGRATIONS_DIR)
        rows = db.session.execute(text("SELECT id, name FROM api_tokens ORDER BY id")).all()
        assert [tuple(r) for r in rows] == [(1, "ci"), (2, "ci-2"), (3, "token-3"), (4, "ci")]
        # A 400-day-old token still works right after the upgrade, and stops 90 days later.
        assert user_for_token("ih_1") is not None
        with frozen_at(upgraded_at + timedelta(days=89)):
            assert user_for_token("ih_2") is not None
        with frozen_at(upgraded_at + timedelta(days=91)):
            assert user_for_token("ih_2") is None
        db.session.remove()
        downgrade(directory=MIGRATIONS_DIR, revision=BEFORE)
        labels = db.session.execute(text("SELECT label FROM api_tokens ORDER BY id")).scalars()
        assert list(labels) == ["ci", "ci-2", "token-3", "ci"]
        db.session.remove()
        upgrade(directory=MIGRATIONS_DIR)
        db.session.remove()
        db.engine.dispose()
