"""Schema management: the schema is only ever created by the Alembic migrations."""

from __future__ import annotations

from flask_migrate import upgrade

from . import MIGRATIONS_DIR


def upgrade_database() -> None:
    """Bring the database to the latest migration; a no-op when it is already there."""
    upgrade(directory=MIGRATIONS_DIR)


# Full-text search structures that only the migrations create (no model can describe them).
# SQLite: case_fts (unrestricted cases) and search_restricted (restricted cases), each over a
# view of case_documents, and case_documents.restricted_fts saying which one holds a document.
MIGRATION_ONLY_TABLES = ("case_fts", "search_restricted")
MIGRATION_ONLY_COLUMNS = {("case_documents", "tsv"), ("case_documents", "restricted_fts")}
MIGRATION_ONLY_INDEXES = ("ix_case_documents_tsv",)


def include_object(obj, name, type_, reflected, compare_to) -> bool:  # noqa: ANN001
    """Alembic filter: leave the dialect-specific full-text objects to the migrations."""
    if type_ == "table" and name and name.startswith(MIGRATION_ONLY_TABLES):
        return False
    if type_ == "column" and (obj.table.name, name) in MIGRATION_ONLY_COLUMNS:
        return False
    return not (type_ == "index" and name in MIGRATION_ONLY_INDEXES)
