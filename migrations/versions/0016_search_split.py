"""search split: restricted cases' search documents in their own full-text index (SQLite)

SQLite's bm25 ranks with statistics of the whole FTS5 table (how many documents, how many hold
each term, their average length), so one index over every case let a restricted case change
the ranks non-members see. From here on ``case_fts`` indexes only the documents of unrestricted
cases and ``search_restricted`` those of restricted cases (see incident_hub/precedent/search.py
for how each is ranked). Both are external-content FTS5 tables over a view of
``case_documents``; a SQLite-only column ``restricted_fts`` (kept in step with
``cases.restricted`` by a trigger) says which index holds a document, so the triggers always
delete a document from the index it is in.

PostgreSQL: nothing to do (ts_rank reads only the document and the query).

Revision ID: 0016_search_split
Revises: 0007_alert_reports
Create Date: 2026-12-03 15:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0016_search_split'
down_revision = '0007_alert_reports'
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


def upgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    for trigger in OLD_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS case_fts")
    for statement in SPLIT:
        op.execute(statement)


def downgrade():
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
