"""Backups restore into a fresh database with the audit chain intact (docs/DEPLOYMENT.md).

PostgreSQL: ``pg_dump --format=custom`` then ``pg_restore`` into a new, empty database — the
procedure the deployment guide gives. SQLite: the online backup API (what ``sqlite3 DB
".backup FILE"`` uses). In both, the restored copy passes ``incident-hub audit verify``, ends
on the same head hash, and keeps its append-only triggers.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess

import pytest
from conftest import Runner, analysis_body, open_case
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from incident_hub import create_app


def _history(api, app) -> None:
    """A little of everything: cases, an analysis, a decision, a refused look."""
    case = open_case(api)
    body = analysis_body(app, case, "legal")
    assert api("legal").post(f"/cases/{case['ref']}/analyses", json=body).status_code == 201
    decision = {"option": "comply-narrowly", "rationale": "narrow", "override": True}
    assert api("exec").post(f"/cases/{case['ref']}/decision", json=decision).status_code == 201
    open_case(api, title="Restricted order", restricted=True)


def _verify(app) -> tuple[str, str]:
    runner = Runner(app)
    result = runner.invoke(["audit", "verify"])
    assert result.exit_code == 0, result.output
    head = runner.invoke(["audit", "head"])
    assert head.exit_code == 0, head.output
    return result.output.strip(), head.output.strip()


def _restored_app(app, url: str):
    config = {k: app.config[k] for k in ("TESTING", "SECRET_KEY")}
    return create_app(dict(config, DATABASE_URL=url))


def test_postgres_dump_restores_into_a_fresh_database_and_verifies(backend, app, api, tmp_path):
    if backend["name"] != "postgresql":
        pytest.skip("pg_dump/pg_restore: PostgreSQL only (the SQLite test is below)")
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump/pg_restore are not installed")
    _history(api, app)
    before = _verify(app)
    source = make_url(backend["url"])
    dump = tmp_path / "incident_hub.dump"
    plain = source.set(drivername="postgresql").render_as_string(hide_password=False)
    subprocess.run(["pg_dump", "--format=custom", f"--file={dump}", plain], check=True)
    fresh = source.set(database=f"{source.database}_restored")
    admin = create_engine(source.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{fresh.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{fresh.database}"'))
    try:
        target = fresh.set(drivername="postgresql").render_as_string(hide_password=False)
        subprocess.run(
            ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={target}", str(dump)],
            check=True,
        )
        restored = _restored_app(app, fresh.render_as_string(hide_password=False))
        assert _verify(restored) == before
        _assert_append_only(restored)
        from incident_hub.extensions import db

        with restored.app_context():
            db.engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{fresh.database}" WITH (FORCE)'))
        admin.dispose()


def test_sqlite_backup_restores_and_verifies(backend, app, api, tmp_path):
    if backend["name"] != "sqlite":
        pytest.skip("the SQLite backup API: SQLite only")
    _history(api, app)
    before = _verify(app)
    live = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database
    copy = tmp_path / "restored.sqlite3"
    with sqlite3.connect(live) as src, sqlite3.connect(copy) as dst:
        src.backup(dst)
    restored = _restored_app(app, f"sqlite:///{copy}")
    assert _verify(restored) == before
    _assert_append_only(restored)


def _assert_append_only(app) -> None:
    from sqlalchemy.exc import DatabaseError

    from incident_hub.extensions import db

    with app.app_context():
        with pytest.raises(DatabaseError):
            db.session.execute(text("UPDATE audit_events SET action = 'x'"))
        db.session.rollback()
