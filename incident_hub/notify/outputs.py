"""What the notices API answers: one outbox row (see ``queries.notice_to_dict``)."""

from __future__ import annotations

from datetime import datetime

from pydantic import RootModel

from ..schemas import Shape
from ..vocabulary import NoticeStatus


class Notice(Shape):
    id: int
    kind: str
    case: str | None = None
    alert_id: int | None = None
    audience: str
    status: NoticeStatus
    attempts: int
    next_attempt_at: datetime | None = None
    slack_channel: str = ""
    slack_ts: str
    last_error: str = ""
    text: str = ""
    created_at: datetime | None = None
    sent_at: datetime | None = None


class NoticeList(RootModel[list[Notice]]):
    pass
