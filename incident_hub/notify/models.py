"""The outbox: one row per message to deliver, written in the transaction that caused it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..clock import now
from ..extensions import Model
from ..types import UTCDateTime
from ..vocabulary import NOTICE_STATUSES as NOTICE_STATUSES  # what each status means: there
from ..vocabulary import NoticeStatus


class Notice(Model):
    __tablename__ = "notices"
    __table_args__ = (Index("ix_notices_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alerts.id"))
    # "#channel" or "C…" (a channel), "U…" (a direct message), "case:<ref>" (the case's own
    # channel, resolved at delivery), "user:<email>" (a person with no Slack id: undeliverable)
    audience: Mapped[str] = mapped_column(String(120))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # text + blocks, or action
    dedup_key: Mapped[str] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(10), default=NoticeStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str] = mapped_column(String(60), default="")
    # When the current claim started this notice's own Slack call (committed before the call):
    # a lapsed claim spends an attempt only if it was set, i.e. this notice's send was tried.
    send_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    slack_channel: Mapped[str] = mapped_column(String(40), default="")
    slack_ts: Mapped[str] = mapped_column(String(40), default="")
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SlackRequest(Model):
    """Signatures of inbound Slack requests already acted on: a replay is answered, not redone."""

    __tablename__ = "slack_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    signature: Mapped[str] = mapped_column(String(100), unique=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, index=True)
    response: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
