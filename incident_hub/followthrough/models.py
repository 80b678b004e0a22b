"""Follow-through after a decision (UNGP 19–20): actions with owners, and links between cases."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..clock import now
from ..extensions import Model
from ..types import UTCDateTime
from ..vocabulary import ACTION_STATUSES as ACTION_STATUSES  # read by the service and API
from ..vocabulary import ActionStatus

LINK_KINDS = ("related", "same_law", "duplicate_of")


class Action(Model):
    """Something the decision commits the company to do, owned by one person, due by a date,
    with a date to review whether it worked."""

    __tablename__ = "case_actions"
    __table_args__ = (Index("ix_case_actions_status_due", "status", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    round: Mapped[int] = mapped_column(default=1)
    # Carried over by a reopen: the round it was first added in (each round from that one to
    # ``round`` - 1 shows it as carried). None: it never moved.
    carried_from_round: Mapped[int | None] = mapped_column()
    title: Mapped[str] = mapped_column(String(300))
    detail: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    review_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default=ActionStatus.OPEN)
    note: Mapped[str] = mapped_column(Text, default="")  # completion or waiver note
    effectiveness: Mapped[str] = mapped_column(Text, default="")  # what the review found
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    owner: Mapped[User] = relationship(lazy="joined", foreign_keys=[owner_id])


class CaseLink(Model):
    """A link between two cases: related, the same law in another country, or a duplicate
    (``case`` is a duplicate of ``other`` and was merged into it)."""

    __tablename__ = "case_links"
    __table_args__ = (UniqueConstraint("case_id", "other_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    other_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
