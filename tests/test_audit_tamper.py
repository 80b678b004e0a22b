"""Tampering with the audit trail is caught: every row altered, every row deleted, one at a time.

A history is seeded through the API (cases opened, analyses filed, decisions, follows, a close,
a reopen and a refused attempt), then for EVERY audit row:

(i) one character of one of its fields is changed — the field varies from row to row (details,
    actor, at, hash, prev_hash, action, ...; on SQLite some rows get a raw byte flip of the stored
    text instead, which may leave details that are no longer JSON) — and ``incident-hub audit
    verify`` must exit 1 naming that event (or the next one, for the hash links); then restored;
(ii) the row is deleted and verify must name the event after it, whose prev_hash no longer
    links; then it is put back.

To tamper, the append-only triggers are bypassed (dropped on the per-test SQLite copy, disabled
on PostgreSQL) and put back afterwards; without the bypass the database refuses both statements.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from conftest import analysis_body, lead_for, open_case
from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.exc import DBAPIError

from incident_hub.audit.models import AuditEvent
from incident_hub.extensions import db

EVENTS = AuditEvent.__table__
FIELDS = ("details", "actor", "at", "hash", "prev_hash", "action", "object_type", "object_ref")
FIELDS += ("origin", "outcome")
LINKS = ("hash", "prev_hash")  # a broken link may show on this event or on the next one
BROKEN = re.compile(r"audit chain BROKEN at event (\d+): ")
SQLITE_TRIGGERS = [  # as created by migration 0001
    f"CREATE TRIGGER audit_events_no_{verb.lower()} BEFORE {verb} ON audit_events "
    "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END"
    for verb in ("UPDATE", "DELETE")
]


def seed_history(app, api) -> None:
    """Two cases through most of the lifecycle, through the API (the people fixture adds users
    and tokens, which are audited too)."""
    takedown = open_case(api)
    shutdown = open_case(api, "network-shutdown", title="Order to cut mobile data")
    ref, other = takedown["ref"], shutdown["ref"]
    playbook = app.extensions["incident_hub.playbooks"].get("content-takedown")
    required = [f.key for f in playbook.functions if f.required]
    calls = [
        (lead_for(key), "post", f"/cases/{ref}/analyses", analysis_body(app, takedown, key), 201)
        for key in required
    ]
    decision = {"option": "seek-clarification", "rationale": "ask the authority first"}
    again = analysis_body(app, takedown, "legal", "challenge-in-court")
    denied = analysis_body(app, shutdown, "legal")  # the outsider leads no legal function
    calls += [
        ("exec", "post", f"/cases/{ref}/decision", decision, 201),
        ("legal", "post", f"/cases/{ref}/follow", None, 200),
        ("admin", "post", f"/cases/{ref}/close", {"note": ""}, 200),
        ("admin", "post", f"/cases/{ref}/reopen", {"note": "the order was amended"}, 200),
        ("legal", "post", f"/cases/{ref}/analyses", again, 201),
        ("outsider", "post", f"/cases/{other}/analyses", denied, 403),
        ("exec", "post", f"/cases/{other}/decision", decision | {"override": True}, 201),
        ("rights", "post", f"/cases/{other}/follow", None, 200),
        ("rights", "delete", f"/cases/{other}/follow", None, 200),
    ]
    for person, method, path, body, status in calls:
        call = getattr(api(person), method)
        response = call(path, json=body) if method == "post" else call(path)
        assert response.status_code == status, (path, response.get_json())


def rows(app) -> list[dict[str, Any]]:
    with app.app_context():
        found = db.session.execute(select(EVENTS).order_by(EVENTS.c.id)).mappings().all()
        return [dict(row) for row in found]


def write(app, statement, params: dict | None = None) -> None:
    with app.app_context():
        db.session.execute(statement, params or {})
        db.session.commit()


def verify(runner) -> tuple[int, str]:
    result = runner.invoke(["audit", "verify"])
    assert "Traceback" not in result.output
    assert result.exit_code == 0 or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


@contextmanager
def append_only_guard_lifted(app):
    """Drop (SQLite) or disable (PostgreSQL) the append-only triggers; put them back after."""
    with app.app_context():
        sqlite = db.engine.dialect.name == "sqlite"
        for statement in (
            ["DROP TRIGGER audit_events_no_update", "DROP TRIGGER audit_events_no_delete"]
            if sqlite
            else ["ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only"]
        ):
            db.session.execute(text(statement))
        db.session.commit()
    try:
        yield sqlite
    finally:
        with app.app_context():
            db.session.rollback()
            for statement in (
                SQLITE_TRIGGERS
                if sqlite
                else ["ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only"]
            ):
                db.session.execute(text(statement))
            db.session.commit()


def _flip_char(value: str, salt: int) -> str:
    """``value`` with one character changed (its code point's lowest bit flipped)."""
    i = salt % len(value)
    return value[:i] + chr(ord(value[i]) ^ 1) + value[i + 1 :]


def _flip_json(value: Any, salt: int) -> Any:
    """A copy of a JSON value with its first leaf (in key order) changed by one character."""
    if isinstance(value, dict):
        for key in sorted(value):
            changed = _flip_json(value[key], salt)
            if changed is not None:
                return {**value, key: changed}
    elif isinstance(value, list):
        for index, item in enumerate(value):
            changed = _flip_json(item, salt)
            if changed is not None:
                return [*value[:index], changed, *value[index + 1 :]]
    elif isinstance(value, bool):
        return not value
    elif isinstance(value, int | float):
        return value + 1
    elif isinstance(value, str) and value:
        return _flip_char(value, salt)
    return None


def tampered(row: dict[str, Any], field: str) -> Any:
    """The field's value with one character changed, or None when there is nothing to change."""
    value = row[field]
    if field == "at":  # one digit of the microseconds
        return value + timedelta(microseconds=-1 if value.microsecond % 10 == 9 else 1)
    if field == "details":
        return _flip_json(value, row["id"])
    return _flip_char(value, row["id"]) if value else None


def raw_text(app, event_id: int, field: str) -> str:
    with app.app_context():
        query = text(f"SELECT CAST({field} AS TEXT) FROM audit_events WHERE id = :id")  # noqa: S608
        return db.session.execute(query, {"id": event_id}).scalar_one()


def named(output: str) -> int:
    match = BROKEN.search(output)
    assert match, output
    return int(match.group(1))


def test_every_altered_or_deleted_audit_row_is_detected(app, api, runner):
    seed_history(app, api)
    original = rows(app)
    code, clean = verify(runner)
    assert code == 0 and f"audit chain OK: {len(original)} events" in clean
    assert len(original) >= 30
    fields_used: dict[str, int] = {}
    with append_only_guard_lifted(app) as sqlite:
        for index, row in enumerate(original):
            following = original[index + 1]["id"] if index + 1 < len(original) else None
            # (i) change one character of one field; which field varies from row to row
            for step in range(len(FIELDS)):
                field = FIELDS[(index + step) % len(FIELDS)]
                if tampered(row, field) is not None:
                    break
            raw = sqlite and field in ("details", "at") and (index // len(FIELDS)) % 2 == 1
            if raw:  # flip one character of the stored text itself, whatever it then means
                stored = raw_text(app, row["id"], field)
                change = text(f"UPDATE audit_events SET {field} = :v WHERE id = :id")  # noqa: S608
                write(app, change, {"v": _flip_char(stored, row["id"]), "id": row["id"]})
            else:
                write(app, update(EVENTS).where(EVENTS.c.id == row["id"]).values(
                    {field: tampered(row, field)}))  # fmt: skip
            code, output = verify(runner)
            allowed = {row["id"], following} if field in LINKS else {row["id"]}
            assert code == 1 and named(output) in allowed, (field, raw, row, output)
            if raw:
                write(app, change, {"v": stored, "id": row["id"]})
            else:
                write(app, update(EVENTS).where(EVENTS.c.id == row["id"]).values(
                    {field: row[field]}))  # fmt: skip
            key = field + (" (raw)" if raw else "")
            fields_used[key] = fields_used.get(key, 0) + 1
            # (ii) delete the row
            write(app, delete(EVENTS).where(EVENTS.c.id == row["id"]))
            code, output = verify(runner)
            if following is not None:
                assert code == 1 and named(output) == following, output
                assert "previous hash does not match" in output
            else:
                # The LAST event has no successor whose prev_hash could give its removal away:
                # the chain alone still verifies. What changes is the head hash verify reports,
                # so a head exported elsewhere (a log, a ticket, a signed note) reveals it.
                head = original[-2]["hash"] if len(original) > 1 else "0" * 64
                assert code == 0 and f"{len(original) - 1} events, head {head}" in output
                assert original[-1]["hash"] not in output
            write(app, insert(EVENTS).values(**row))
    assert rows(app) == original  # everything was put back exactly
    code, output = verify(runner)
    assert code == 0 and output == clean
    assert set(fields_used) >= set(FIELDS), fields_used
    print(f"\naudit rows checked: {len(original)}, each altered once and deleted once")
    print(f"fields altered: {fields_used}")
    _assert_append_only(app)


def _assert_append_only(app) -> None:
    """Without the bypass the database itself refuses UPDATE and DELETE on audit_events."""
    ids = [row["id"] for row in rows(app)]
    for event_id in (ids[0], ids[len(ids) // 2], ids[-1]):
        for statement in (
            update(EVENTS).where(EVENTS.c.id == event_id).values(actor="someone@example.org"),
            update(EVENTS).where(EVENTS.c.id == event_id).values(details={}),
            delete(EVENTS).where(EVENTS.c.id == event_id),
        ):
            with app.app_context(), pytest.raises(DBAPIError, match="append-only"):
                db.session.execute(statement)
                db.session.commit()


def test_the_database_refuses_update_and_delete_without_the_bypass(app, api, runner):
    seed_history(app, api)
    before = rows(app)
    _assert_append_only(app)
    with app.app_context(), pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(text("DELETE FROM audit_events"))
        db.session.commit()
    assert rows(app) == before
    assert verify(runner)[0] == 0
