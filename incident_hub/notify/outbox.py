"""Writing notices: rows added to the caller's transaction, so a change and its notices commit
(or roll back) together and no notice is ever lost between the two."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite

from ..clock import now
from ..extensions import db
from ..vocabulary import NoticeStatus
from .mail_text import strip_mail
from .models import Notice


def enqueue(
    kind: str,
    audience: str,
    payload: dict[str, Any],
    dedup_key: str,
    *,
    case_id: int | None = None,
    alert_id: int | None = None,
    at: datetime | None = None,
) -> Notice:
    """Add one notice to the current transaction (the caller commits).

    An audience of ``user:<email>`` (a person without a Slack id) cannot be delivered: the row is
    kept as failed, with the reason, so admins see who missed what. A Slack row's payload
    loses the e-mail form a message builder put beside its blocks (``mail_text``).
    """
    notice = Notice(
        kind=kind,
        audience=audience[:120],
        payload=strip_mail(payload),
        dedup_key=dedup_key[:200],
        case_id=case_id,
        alert_id=alert_id,
        next_attempt_at=at or now(),
    )
    if audience.startswith("user:"):
        notice.status = NoticeStatus.FAILED
        notice.last_error = f"{audience[5:]} has no Slack user id"
    db.session.add(notice)
    return notice


def enqueue_unique(rows: list[dict[str, Any]]) -> int:
    """Insert notices whose dedup key is new, skip the rest (INSERT … ON CONFLICT DO NOTHING).

    Used for reminder slots: two schedulers, a restart or a crash can propose the same slot
    any number of times; the unique key lets exactly one row in. Returns rows inserted.
    """
    if not rows:
        return 0
    stamp = now()
    values = [
        {
            "status": NoticeStatus.PENDING,
            "attempts": 0,
            "next_attempt_at": stamp,
            "created_at": stamp,
            "claimed_by": "",
            "slack_channel": "",
            "slack_ts": "",
            "last_error": "",
            "case_id": None,
            "alert_id": None,
            **row,
            "payload": strip_mail(row["payload"]),
        }
        for row in rows
    ]
    dialect = db.session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(Notice)
    statement = insert.on_conflict_do_nothing(index_elements=["dedup_key"])
    inserted = 0
    for start in range(0, len(values), 500):  # RETURNING lists exactly the rows let in
        batch = values[start : start + 500]
        result = db.session.connection().execute(statement.returning(Notice.id), batch)
        inserted += len(result.all())
    return inserted
