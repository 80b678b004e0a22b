"""What the audit API answers: events with their hashes, and the chain's head."""

from __future__ import annotations

from typing import Any

from pydantic import RootModel

from ..schemas import OneOf, Shape
from .inputs import OUTCOMES


class AuditEvent(Shape):
    id: int
    at: str
    actor_id: int | None = None
    actor: str
    action: str
    object_type: str = ""
    object_ref: str = ""
    case_id: int | None = None
    origin: str = ""
    outcome: OneOf(OUTCOMES)  # type: ignore[valid-type]
    details: dict[str, Any] = {}
    prev_hash: str
    hash: str


class AuditEventList(RootModel[list[AuditEvent]]):
    pass


class AuditHead(Shape):
    events: int
    head_id: int | None
    head_hash: str
    head_at: str | None
