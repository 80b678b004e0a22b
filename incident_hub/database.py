"""Schema management: the schema is only ever created by the Alembic migrations."""

from __future__ import annotations

from flask_migrate import upgrade

from . import MIGRATIONS_DIR


def upgrade_database() -> None:
    """Bring the database to the latest migration; a no-op when it is already there."""
    upgrade(directory=MIGRATIONS_DIR)
