"""``incident-hub audit verify|head|export`` as an operator uses them (split from test_cli.py):
a clean history verifies, and every kind of tampering is named, never a traceback."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from cli_checks import count, ok, refused
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from incident_hub.audit.models import AuditEvent
from incident_hub.extensions import db

# --- audit verify ----------------------------------------------------------------------------


@contextmanager
def tampering(app):
    """An app context in which audit_events can be changed, as by someone with database access.

    The append-only triggers are dropped (SQLite: the test's database file is its own copy) or
    disabled and re-enabled afterwards (PostgreSQL: the database is shared by the session).
    """
    with app.app_context(), _append_only_guard_lifted():
        yield db.session


@contextmanager
def _append_only_guard_lifted():
    if db.engine.dialect.name == "sqlite":
        # The test's SQLite file is its own copy: the triggers need not come back.
        db.session.execute(text("DROP TRIGGER audit_events_no_update"))
        db.session.execute(text("DROP TRIGGER audit_events_no_delete"))
        db.session.commit()
        yield
        return
    db.session.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only"))
    db.session.commit()
    try:
        yield
    finally:
        db.session.rollback()
        db.session.execute(text("ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only"))
        db.session.commit()


def event_ids(app) -> list[int]:
    with app.app_context():
        return list(db.session.execute(select(AuditEvent.id).order_by(AuditEvent.id)).scalars())


def test_audit_verify_passes_on_a_clean_history(app, runner, people):
    output = ok(runner.invoke(["audit", "verify"]))
    assert f"audit chain OK: {count(app, AuditEvent)} events" in output
    assert count(app, AuditEvent) == 2 * len(people)  # user.created + token.issued each


def test_audit_verify_passes_on_an_empty_history(app, runner):
    assert "audit chain OK: 0 events" in ok(runner.invoke(["audit", "verify"]))


@pytest.mark.parametrize("statement", [
    "UPDATE audit_events SET actor = 'someone-else@example.org' WHERE id = :id",
    "DELETE FROM audit_events WHERE id = :id",
], ids=["update", "delete"])  # fmt: skip
def test_the_database_itself_refuses_to_change_audit_events(app, runner, people, statement):
    target = event_ids(app)[3]
    with app.app_context(), pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(text(statement), {"id": target})
        db.session.commit()
    assert event_ids(app)[3] == target and count(app, AuditEvent) == 2 * len(people)
    ok(runner.invoke(["audit", "verify"]))


def test_audit_verify_names_the_event_whose_content_was_altered(app, runner, people):
    target = event_ids(app)[5]
    with tampering(app) as session:
        session.execute(
            text("UPDATE audit_events SET actor = 'someone-else@example.org' WHERE id = :id"),
            {"id": target},
        )
        session.commit()
    output = refused(runner.invoke(["audit", "verify"]))
    assert f"BROKEN at event {target}:" in output and "content does not match" in output
    assert "(5 events verified before it)" in output


def test_audit_verify_names_the_event_after_a_deleted_one(app, runner, people):
    ids = event_ids(app)
    with tampering(app) as session:
        session.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": ids[2]})
        session.commit()
    output = refused(runner.invoke(["audit", "verify"]))
    assert f"BROKEN at event {ids[3]}:" in output and "previous hash" in output


def test_audit_verify_notices_a_recomputed_hash_that_breaks_the_link(app, runner, people):
    """Rewriting an event *and* its own hash still breaks the next event's link."""
    from incident_hub.audit.service import chain_hash

    ids = event_ids(app)
    with app.app_context():
        event = db.session.get(AuditEvent, ids[4])
        event.actor = "someone-else@example.org"
        forged = chain_hash(event.prev_hash, event)
        db.session.rollback()
    with tampering(app) as session:
        session.execute(
            text("UPDATE audit_events SET actor = 'someone-else@example.org', hash = :h "
                 "WHERE id = :id"), {"h": forged, "id": ids[4]})  # fmt: skip
        session.commit()
    output = refused(runner.invoke(["audit", "verify"]))
    assert f"BROKEN at event {ids[5]}:" in output
