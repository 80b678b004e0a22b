"""A monitored case's schedule (one row while the case is under monitoring) and its re-reviews
(kept for good: the history of what each re-review found)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..cases.models import Case
from ..clock import now
from ..extensions import Model
from ..types import UTCDateTime

OUTCOMES = ("continue", "reopen", "end")  # what a re-review decides


class CaseMonitoring(Model):
    """The re-review schedule of a case under monitoring: who reviews, when the next review
    is due, every how many days, and the last date a review may fall on. Deleted when the case
    leaves monitoring (its reviews and the audit trail keep the history)."""

    __tablename__ = "case_monitoring"
    __table_args__ = (
        # the reminder sweep and My work: reviews coming due, by owner
        Index("ix_case_monitoring_next_review_at", "next_review_at"),
        Index("ix_case_monitoring_owner_id", "owner_id", "next_review_at"),
    )

    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    next_review_at: Mapped[datetime] = mapped_column(UTCDateTime)
    every_days: Mapped[int] = mapped_column()
    until: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    round: Mapped[int] = mapped_column(default=1)  # the case's round when monitoring started
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    last_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    owner: Mapped[User] = relationship(foreign_keys=[owner_id], lazy="joined")
    case: Mapped[Case] = relationship()


class CaseReview(Model):
    """One re-review of a monitored case: when it was due, when and by whom it was recorded,
    what it decided (continue, reopen, end) and the reviewer's note."""

    __tablename__ = "case_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    round: Mapped[int] = mapped_column(default=1)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    outcome: Mapped[str] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(Text)

    reviewer: Mapped[User | None] = relationship(lazy="joined")
