"""Test helpers for server-side web sessions: the row behind a test client's cookie, whether a
client is signed in, and the account a sign-in made."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from incident_hub.auth.models import User, WebSession
from incident_hub.auth.sessions import SID
from incident_hub.extensions import db


def row_key(client) -> str | None:  # noqa: ANN001
    """The database key of the session row the client's cookie points to (None: no cookie)."""
    with client.session_transaction() as session:
        sid = session.get(SID)
    return hashlib.sha256(sid.encode()).hexdigest() if sid else None


def session_row(app, client) -> WebSession | None:  # noqa: ANN001
    """The client's session row, detached (None: no cookie or no row)."""
    key = row_key(client)
    with app.app_context():
        row = db.session.get(WebSession, key) if key else None
        db.session.expunge_all()
        return row


def age_sign_in(app, client, minutes: int) -> None:  # noqa: ANN001
    """Move the client's last sign-in ``minutes`` into the past (as if signed in earlier)."""
    key = row_key(client)
    with app.app_context():
        row = db.session.get(WebSession, key)
        assert row is not None, "the client has no session row"
        row.auth_at -= timedelta(minutes=minutes)
        db.session.commit()


def rows_of(app, user_id: int) -> int:  # noqa: ANN001
    with app.app_context():
        query = db.select(db.func.count()).select_from(WebSession).filter_by(user_id=user_id)
        return db.session.execute(query).scalar_one()


def signed_in(client) -> bool:  # noqa: ANN001
    return client.get("/").status_code == 200


def user(app, **where) -> User | None:
    with app.app_context():
        found = db.session.execute(db.select(User).filter_by(**where)).scalar()
        db.session.expunge_all()
        return found
