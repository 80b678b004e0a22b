"""The search document of a case: what full-text search and precedent look at.

``case_documents`` is rewritten (in the same transaction) whenever a case's text changes.
The full-text index over it is dialect-specific and lives only in the migrations: an FTS5
table ``case_fts`` kept in step by triggers on SQLite, a generated ``tsv`` column with a GIN
index on PostgreSQL (see :func:`incident_hub.database.include_object`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Text
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
