"""Keeping a case's search document (``case_documents``) in step with the case.

The document holds what full-text search and precedent read: the title, and a body made of the
intake (summary, instrument, issuing authority, legal basis), the text and answers of the
current analyses, and the current decision's rationale and conditions. The dialect's full-text
index over it (FTS5 ``case_fts`` on SQLite, the generated ``tsv`` column on PostgreSQL) follows
by itself: triggers on SQLite, a generated column on PostgreSQL. The case's concepts (what it is
about, as the feed classifier reads its title and intake: :mod:`.concepts`) are rewritten with
it, only the rows that changed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..actor import Actor
from ..audit import service as audit
from ..auth import permissions as perm
from ..cases.models import Case
from ..clock import now
from ..extensions import db
from ..transaction import deny, run_in_transaction
from . import concepts
from .models import CaseConcept, CaseDocument


def compose_body(
    intake: Iterable[str | None],
    analyses: Iterable[tuple[str, dict[str, Any] | None]] = (),
    decision: tuple[str, str] | None = None,
) -> str:
    """The body of a search document: intake texts, then each current analysis (text and
    answers, in function order), then the decision's rationale and conditions."""
    parts = list(intake)
    for text, answers in analyses:
        parts.append(text)
        parts.extend(str(answer) for answer in (answers or {}).values())
    if decision is not None:
        parts.extend(decision)
    return "\n".join(p.strip() for p in parts if p and p.strip())


def document_of(case: Case) -> tuple[str, str]:
    """The (title, body) of the case's search document."""
    # Privileged analyses (legal advice) are never indexed: no search, snippet or rank can
    # show their words to someone who may not read them.
    current = sorted(
        (a for a in case.current_analyses().values() if not a.privileged),
        key=lambda a: a.function_key,
    )
    decision = case.decision
    body = compose_body(
        (case.summary, case.instrument, case.authority, case.legal_basis),
        ((a.text, a.answers) for a in current),
        (decision.rationale, decision.conditions) if decision is not None else None,
    )
    return case.title, body


def refresh(case: Case) -> CaseDocument:
    """Rewrite the case's search document and concepts; called inside the transaction that
    changed it."""
    document = refresh_document(case)
    refresh_concepts(case)
    return document


def refresh_document(case: Case) -> CaseDocument:
    """Rewrite the case's search document (title and body) if it changed."""
    title, body = document_of(case)
    document = db.session.get(CaseDocument, case.id)
    if document is None:
        document = CaseDocument(case_id=case.id, title=title, body=body, updated_at=now())
        db.session.add(document)
    elif (document.title, document.body) != (title, body):
        document.title, document.body, document.updated_at = title, body, now()
    return document


def refresh_concepts(case: Case, stored: list[CaseConcept] | None = None) -> list[CaseConcept]:
    """Bring the case's ``case_concepts`` rows in line with its text; returns them.
    ``stored``: the case's rows, when the caller has read them already."""
    wanted = concepts.of_case(concepts.app_classifier(), case).rows()
    if stored is None:
        stored = list(
            db.session.execute(select(CaseConcept).where(CaseConcept.case_id == case.id)).scalars()
        )
    rows = []
    for row in stored:
        if row.concept not in wanted:
            db.session.delete(row)
            continue
        if row.weight != wanted[row.concept]:
            row.weight = wanted[row.concept]
        rows.append(row)
    have = {row.concept for row in stored}
    for concept, weight in wanted.items():
        if concept not in have:
            rows.append(CaseConcept(case_id=case.id, concept=concept, weight=weight))
            db.session.add(rows[-1])
    return rows


def reindex(actor: Actor, batch: int = 500) -> int:
    """Rebuild every case's search document and concepts (after an upgrade, a restore or a
    change to the flagging rules); returns the count.

    Only an operator at the console (no user) or an admin may do it; it is audited.
    """
    if actor.user is not None and not perm.is_admin(actor.user):
        raise deny(actor, "search.reindex", "search", "-", "only an admin can rebuild the index")

    def work() -> int:
        count = 0
        last_id = 0
        while True:
            cases = list(
                db.session.execute(
                    select(Case)
                    .where(Case.id > last_id)
                    .order_by(Case.id)
                    .limit(batch)
                    .options(selectinload(Case.analyses), selectinload(Case.decisions))
                ).scalars()
            )
            if not cases:
                break
            stored: dict[int, list[CaseConcept]] = {case.id: [] for case in cases}
            for row in db.session.execute(
                select(CaseConcept).where(CaseConcept.case_id.in_(list(stored)))
            ).scalars():
                stored[row.case_id].append(row)
            documents = [refresh_document(case) for case in cases]
            rows = [row for case in cases for row in refresh_concepts(case, stored[case.id])]
            db.session.flush()
            count += len(cases)
            last_id = cases[-1].id
            for obj in (*cases, *documents, *rows):  # keep the session small on a large database
                db.session.expunge(obj)
        audit.record(
            actor, "search.reindexed", "search", "case_documents", details={"cases": count}
        )
        return count

    return run_in_transaction(work)
