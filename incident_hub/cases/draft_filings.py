"""Draft filings: what a function's lead submitted while required questions were still open
(or asked to keep as a draft), kept until the function files for real.

A draft filing is not a version of the analysis: the versions (``analyses``) stay the record of
what was filed, each one complete, and the case page, reports, the dossier and precedent read
only those. A function has at most one draft filing per case; submitting again overwrites it
(each submission is audited as ``analysis.drafted``), and filing the complete analysis deletes
it in the same transaction. Any lead of the function may pick it up: it is the function's work
in progress, unlike the per-user form drafts of :mod:`.drafts`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint, delete, false, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..clock import now
from ..extensions import Model, db
from ..types import UTCDateTime
from .models import Case


class AnalysisDraft(Model):
    """One function's draft filing on one case (see the module's docstring)."""

    __tablename__ = "analysis_drafts"
    __table_args__ = (UniqueConstraint("case_id", "function_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    function_key: Mapped[str] = mapped_column(String(50))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text, default="")
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    recommendation: Mapped[str] = mapped_column(String(60), default="")
    privileged: Mapped[bool] = mapped_column(default=False, server_default=false())
    round: Mapped[int] = mapped_column(default=1, server_default="1")
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    case: Mapped[Case] = relationship()
    author: Mapped[User] = relationship(lazy="joined")


def drafts_of(case: Case) -> dict[str, AnalysisDraft]:
    """The case's draft filings by function (one indexed query)."""
    rows = db.session.execute(select(AnalysisDraft).where(AnalysisDraft.case_id == case.id))
    return {d.function_key: d for d in rows.scalars()}


def save(
    case: Case,
    function_key: str,
    author: User,
    *,
    text: str,
    answers: dict[str, str],
    recommendation: str,
    privileged: bool,
) -> AnalysisDraft:
    """Create or overwrite the function's draft filing (the caller holds the case's lock)."""
    draft = drafts_of(case).get(function_key)
    if draft is None:
        draft = AnalysisDraft(case_id=case.id, function_key=function_key)
        db.session.add(draft)
    draft.author_id, draft.text, draft.answers = author.id, text, dict(answers)
    draft.recommendation, draft.privileged = recommendation, privileged
    draft.round, draft.saved_at = case.round, now()
    draft.case = case
    return draft


def drop(case: Case, function_key: str) -> None:
    """Forget the function's draft filing: its analysis has been filed."""
    db.session.execute(
        delete(AnalysisDraft).where(
            AnalysisDraft.case_id == case.id, AnalysisDraft.function_key == function_key
        )
    )
