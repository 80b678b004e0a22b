"""What full-text search and precedent look at: a case's search document and its concepts.

Both are rewritten (in the same transaction) whenever a case's text changes. The full-text
index over ``case_documents`` is dialect-specific and lives only in the migrations: an FTS5
table ``case_fts`` kept in step by triggers on SQLite, a generated ``tsv`` column with a GIN
index on PostgreSQL (see :func:`incident_hub.database.include_object`). ``case_concepts`` is a
plain table with a plain index.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..clock import now
from ..extensions import Model
from ..types import UTCDateTime


class CaseDocument(Model):
    __tablename__ = "case_documents"

    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    title: Mapped[str] = mapped_column(Text, default="")
    # summary, instrument, authority, legal basis, analyses, decision rationale and conditions
    body: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class CaseConcept(Model):
    """One thing a case is about, as the feed classifier reads its title and intake (a topic,
    a place, a region, a topic in a place, its language) and how strongly; see
    :mod:`incident_hub.precedent.concepts`. Rewritten with the case's search document."""

    __tablename__ = "case_concepts"
    # Candidate lookup: the cases with a concept, strongest then most recent, from the index.
    __table_args__ = (Index("ix_case_concepts_concept_weight", "concept", "weight", "case_id"),)

    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    concept: Mapped[str] = mapped_column(String(200), primary_key=True)
    weight: Mapped[float] = mapped_column(Float)


class CaseOutcome(Model):
    """What happened after a round of a case: what the government did next (a
    :class:`~incident_hub.vocabulary.GovernmentResponse`, with a note) and the lesson learned.
    Asked for when the case is closed and correctable later; one row per case and round, so a
    reopen keeps the earlier round's. Precedent shows the latest round's beside the decision."""

    __tablename__ = "case_outcomes"
    __table_args__ = (UniqueConstraint("case_id", "round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    round: Mapped[int] = mapped_column(default=1)
    government_response: Mapped[str] = mapped_column(String(40))
    note: Mapped[str] = mapped_column(Text, default="")
    lesson: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    recorded_by: Mapped[User | None] = relationship(lazy="joined")
