"""Rows the migration tests write at an older revision, as SQL (today's models may have columns
that revision lacks): a user, and a case opened by them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text

from incident_hub.extensions import db

USER = (
    "INSERT INTO users (email, name, active, session_epoch, created_at) "
    "VALUES (:email, :name, true, 0, :at)"
)
CASE = (
    "INSERT INTO cases (ref, title, playbook_key, jurisdiction, summary, instrument, authority, "
    "legal_basis, gag_order, source_url, status, restricted, opened_by_id, opened_at, "
    "decision_due_at, slack_channel_id, salience, round, version) VALUES (:ref, 'Law', "
    "'content-takedown', 'DE', '', '', '', '', false, '', :status, false, :user, :at, :at, '', "
    "0, :round, 1)"
)


def user_row(at: datetime, name: str = "a") -> int:
    """Insert a user ``<name>@example.org``; returns its id."""
    db.session.execute(text(USER), {"email": f"{name}@example.org", "name": name, "at": at})
    query = text("SELECT id FROM users WHERE email = :email")
    return db.session.execute(query, {"email": f"{name}@example.org"}).scalar_one()


def case_row(
    at: datetime, user_id: int, *, status: str = "open", round_: int = 1, ref: str = "INC-2026-0001"
) -> int:
    """Insert a content-takedown case in DE opened by ``user_id``; returns its id."""
    values = {"ref": ref, "status": status, "user": user_id, "at": at, "round": round_}
    db.session.execute(text(CASE), values)
    query = text("SELECT id FROM cases WHERE ref = :ref")
    return db.session.execute(query, {"ref": ref}).scalar_one()
