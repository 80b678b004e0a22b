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

from sqlalchemy import delete, select

from ..auth.models import User
from ..clock import now
from ..extensions import db
from .models import AnalysisDraft, Case

__all__ = ["AnalysisDraft", "drafts_of", "save", "drop"]


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
