"""0030_comments: the comments, comment_versions and comment_mentions tables come and go, on
SQLite and PostgreSQL. Ends at head again (PostgreSQL databases are shared per worker)."""

from __future__ import annotations

from conftest import _base_config
from flask_migrate import downgrade, upgrade
from migration_rows import case_row, user_row
from sqlalchemy import inspect, text
from test_migration_alert_reports import empty_database  # noqa: F401  (the fixture)

from incident_hub import MIGRATIONS_DIR, create_app
from incident_hub.clock import now
from incident_hub.extensions import db

BEFORE = "0029_required_questions"
REVISION = "0030_comments"
TABLES = {"comments", "comment_versions", "comment_mentions"}


def _tables() -> set[str]:
    return set(inspect(db.engine).get_table_names())


def test_0030_adds_the_comment_tables_and_drops_them_again(empty_database):  # noqa: F811
    app = create_app(_base_config(empty_database))
    with app.app_context():
        upgrade(directory=MIGRATIONS_DIR, revision=BEFORE)
        assert not TABLES & _tables()
        upgrade(directory=MIGRATIONS_DIR, revision=REVISION)
        assert _tables() >= TABLES
        stamp = now()
        user_id = user_row(stamp)
        case_id = case_row(stamp, user_id)
        # the server defaults fill what an older writer leaves out
        db.session.execute(
            text(
                "INSERT INTO comments (case_id, author_id, text, created_at) "
                "VALUES (:case, :user, 'Hello', :at)"
            ),
            {"case": case_id, "user": user_id, "at": stamp},
        )
        row = db.session.execute(
            text("SELECT function_key, to_function, privileged, round, version FROM comments")
        ).one()
        assert (row[0], row[1], bool(row[2]), row[3], row[4]) == ("", "", False, 1, 1)
        comment_id = db.session.execute(text("SELECT id FROM comments")).scalar_one()
        db.session.execute(
            text(
                "INSERT INTO comment_versions (comment_id, version, text, written_at) "
                "VALUES (:c, 1, 'Hi', :at)"
            ),
            {"c": comment_id, "at": stamp},
        )
        db.session.execute(
            text(
                "INSERT INTO comment_mentions (comment_id, user_id, notified_at) "
                "VALUES (:c, :u, :at)"
            ),
            {"c": comment_id, "u": user_id, "at": stamp},
        )
        db.session.commit()
        db.session.remove()
        downgrade(directory=MIGRATIONS_DIR, revision=BEFORE)
        assert not TABLES & _tables()
        db.session.remove()
        upgrade(directory=MIGRATIONS_DIR, revision=REVISION)
        assert _tables() >= TABLES
        db.session.remove()
        upgrade(directory=MIGRATIONS_DIR)  # head
        db.session.remove()
