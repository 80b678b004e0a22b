"""search split: restricted cases' search documents in their own full-text index (SQLite)

SQLite's bm25 ranks with statistics of the whole FTS5 table (how many documents, how many hold
each term, their average length), so one index over every case let a restricted case change
the ranks non-members see. From here on ``case_fts`` indexes only the documents of unrestricted
cases and ``search_restricted`` those of restricted cases (see incident_hub/precedent/search.py
for how each is ranked). Both are external-content FTS5 tables over a view of
``case_documents``; a SQLite-only column ``restricted_fts`` (kept in step with
``cases.restricted`` by a trigger) says which index holds a document, so the triggers always
delete a document from the index it is in.

PostgreSQL: nothing to do for search (ts_rank reads only the document and the query).

Both databases: ``organisations.seal`` (0, or the engagement entry an organisation was added
with when that entry is confidential or on a restricted case: then only those who may see the
entry see the organisation), and the name is unique per seal instead of overall. Existing
organisations are sealed when their first entry was recorded by whoever added them, within a
minute, and is confidential or on a restricted case.

Revision ID: 0016_search_split
Revises: 0007_alert_reports
Create Date: 2026-12-03 15:00:00

"""
from datetime import datetime, timedelta

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0016_search_split'
down_revision = '0014_case_members'
branch_labels = None
depends_on = None

TOKENIZE = "tokenize='porter unicode61 remove_diacritics 2'"
OLD_TRIGGERS = ("case_documents_ai", "case_documents_ad", "case_documents_au")


def _index(restricted: int) -> str:
    return "search_restricted" if restricted else "case_fts"


def _fts(name: str, view: str) -> str:
    return (
        f"CREATE VIRTUAL TABLE {name} USING fts5(title, body, content='{view}', "
        f"content_rowid='case_id', {TOKENIZE})"
    )


SPLIT = [
    "ALTER TABLE case_documents ADD COLUMN restricted_fts INTEGER NOT NULL DEFAULT 0",
    "UPDATE case_documents SET restricted_fts = coalesce((SELECT CASE WHEN restricted THEN 1 "
    "ELSE 0 END FROM cases WHERE cases.id = case_documents.case_id), 0)",
    "CREATE VIEW case_documents_public AS SELECT case_id, title, body FROM case_documents "
    "WHERE restricted_fts = 0",
    "CREATE VIEW case_documents_restricted AS SELECT case_id, title, body FROM case_documents "
    "WHERE restricted_fts = 1",
    _fts("case_fts", "case_documents_public"),
    _fts("search_restricted", "case_documents_restricted"),
    # A new document goes to the public index, then is routed by its case (the update below
    # moves it when the case is restricted).
    "CREATE TRIGGER case_documents_ai AFTER INSERT ON case_documents BEGIN "
    "INSERT INTO case_fts(rowid, title, body) VALUES (new.case_id, new.title, new.body); "
    "UPDATE case_documents SET restricted_fts = 1 WHERE case_id = new.case_id "
    "AND (SELECT restricted FROM cases WHERE id = new.case_id); END",
    *(
        f"CREATE TRIGGER {name} AFTER DELETE ON case_documents WHEN old.restricted_fts = {r} "
        f"BEGIN INSERT INTO {_index(r)}({_index(r)}, rowid, title, body) "
        "VALUES ('delete', old.case_id, old.title, old.body); END"
        for name, r in (("case_documents_ad", 0), ("case_documents_ad_restricted", 1))
    ),
    *(
        f"CREATE TRIGGER {name} AFTER UPDATE ON case_documents "
        f"WHEN old.restricted_fts = {old} AND new.restricted_fts = {new} BEGIN "
        f"INSERT INTO {_index(old)}({_index(old)}, rowid, title, body) "
        "VALUES ('delete', old.case_id, old.title, old.body); "
        f"INSERT INTO {_index(new)}(rowid, title, body) "
        "VALUES (new.case_id, new.title, new.body); END"
        for name, old, new in (
            ("case_documents_au", 0, 0),
            ("case_documents_au_restricted", 1, 1),
            ("case_documents_route", 0, 1),
            ("case_documents_route_back", 1, 0),
        )
    ),
    # A case restricted (a gag order) or lifted later: its document changes index.
    "CREATE TRIGGER cases_restricted_fts AFTER UPDATE OF restricted ON cases "
    "WHEN old.restricted IS NOT new.restricted BEGIN "
    "UPDATE case_documents SET restricted_fts = CASE WHEN new.restricted THEN 1 ELSE 0 END "
    "WHERE case_id = new.id; END",
    "INSERT INTO case_fts(case_fts) VALUES ('rebuild')",
    "INSERT INTO search_restricted(search_restricted) VALUES ('rebuild')",
]
ALL_TRIGGERS = (
    "case_documents_ai",
    "case_documents_ad",
    "case_documents_ad_restricted",
    "case_documents_au",
    "case_documents_au_restricted",
    "case_documents_route",
    "case_documents_route_back",
    "cases_restricted_fts",
)
# The index as migration 0004 made it (one table over every document).
JOINED = [
    "CREATE VIRTUAL TABLE case_fts USING fts5(title, body, content='case_documents', "
    f"content_rowid='case_id', {TOKENIZE})",
    "CREATE TRIGGER case_documents_ai AFTER INSERT ON case_documents BEGIN "
    "INSERT INTO case_fts(rowid, title, body) VALUES (new.case_id, new.title, new.body); END",
    "CREATE TRIGGER case_documents_ad AFTER DELETE ON case_documents BEGIN "
    "INSERT INTO case_fts(case_fts, rowid, title, body) "
    "VALUES ('delete', old.case_id, old.title, old.body); END",
    "CREATE TRIGGER case_documents_au AFTER UPDATE ON case_documents BEGIN "
    "INSERT INTO case_fts(case_fts, rowid, title, body) "
    "VALUES ('delete', old.case_id, old.title, old.body); "
    "INSERT INTO case_fts(rowid, title, body) VALUES (new.case_id, new.title, new.body); END",
    "INSERT INTO case_fts(case_fts) VALUES ('rebuild')",
]


class _ForeignKeysOff:
    """SQLite rebuilds a table to change a constraint, and engagements refer to organisations:
    with foreign keys on, dropping the old table fails. They are off for the rebuild (the rows
    are copied as they are) and checked afterwards."""

    def __enter__(self):
        self.sqlite = op.get_bind().dialect.name == "sqlite"
        if self.sqlite:
            op.execute("PRAGMA foreign_keys = OFF")

    def __exit__(self, *exc):
        if self.sqlite:
            op.execute("PRAGMA foreign_keys = ON")
            broken = op.get_bind().execute(sa.text("PRAGMA foreign_key_check")).first()
            if broken is not None and not any(exc):
                raise RuntimeError(f"foreign key broken by the rebuild: {tuple(broken)}")


def _seal_organisations():
    with _ForeignKeysOff(), op.batch_alter_table("organisations") as batch_op:
        batch_op.add_column(sa.Column("seal", sa.Integer(), server_default="0", nullable=False))
        batch_op.drop_constraint("uq_organisations_name", type_="unique")
        batch_op.create_unique_constraint("uq_organisations_name_seal", ["name", "seal"])
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT o.id, o.created_by_id, o.created_at, e.id, e.recorded_by_id, e.recorded_at, "
            "e.confidential, c.restricted FROM organisations o "
            "JOIN engagements e ON e.id = (SELECT min(id) FROM engagements "
            "WHERE organisation_id = o.id) JOIN cases c ON c.id = e.case_id"
        )
    ).all()
    for org_id, added_by, added_at, entry, recorded_by, recorded_at, confidential, restricted in rows:
        if not (confidential or restricted) or added_by != recorded_by:
            continue
        if isinstance(added_at, str):  # SQLite hands back text
            added_at, recorded_at = map(datetime.fromisoformat, (added_at, recorded_at))
        apart = recorded_at.replace(tzinfo=None) - added_at.replace(tzinfo=None)
        if abs(apart) <= timedelta(minutes=1):
            bind.execute(
                sa.text("UPDATE organisations SET seal = :entry WHERE id = :id"),
                {"entry": entry, "id": org_id},
            )


def _unseal_organisations():
    with _ForeignKeysOff(), op.batch_alter_table("organisations") as batch_op:
        batch_op.drop_constraint("uq_organisations_name_seal", type_="unique")
        batch_op.drop_column("seal")
        batch_op.create_unique_constraint("uq_organisations_name", ["name"])


def upgrade():
    _seal_organisations()
    if op.get_bind().dialect.name != "sqlite":
        return
    for trigger in OLD_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS case_fts")
    for statement in SPLIT:
        op.execute(statement)


def downgrade():
    # Two organisations of the same name (one sealed) cannot both stay: downgrading then fails
    # on the unique name, and says so.
    _unseal_organisations()
    if op.get_bind().dialect.name != "sqlite":
        return
    for trigger in ALL_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS search_restricted")
    op.execute("DROP TABLE IF EXISTS case_fts")
    op.execute("DROP VIEW IF EXISTS case_documents_restricted")
    op.execute("DROP VIEW IF EXISTS case_documents_public")
    with op.batch_alter_table("case_documents") as batch_op:
        batch_op.drop_column("restricted_fts")
    for statement in JOINED:
        op.execute(statement)
