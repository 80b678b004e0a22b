"""What full-text search and precedent look at: a case's search document and its concepts.

Both are rewritten (in the same transaction) whenever a case's text changes. The full-text
index over ``case_documents`` is dialect-specific and lives only in the migrations: an FTS5
table ``case_fts`` kept in step by triggers on SQLite, a generated ``tsv`` column with a GIN
index on PostgreSQL (see :func:`incident_hub.database.include_object`). ``case_concepts`` is a
plain table with a plain index.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

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
