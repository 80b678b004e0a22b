"""What happened next: a case round's government response and lesson learned.

Closing a case asks for them (:func:`incident_hub.cases.admin_actions.close_case` records
them in the closing transaction); they can be recorded or corrected later for a closed case,
or for an earlier round of a reopened one (:func:`set_government_response`). One row per case
and round (``case_outcomes``), so a reopen never erases an earlier round's. Every write is
audited (``case.government_response``, with what it replaced). Precedent shows each similar
case's latest recorded round beside its decision (:mod:`.similar`, :mod:`.search`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select, tuple_

from ..actor import Actor
from ..audit import service as audit
from ..auth import permissions as perm
from ..cases.models import Case
from ..cases.queries import get_case
from ..clock import iso, now
from ..errors import Conflict, Invalid
from ..extensions import db
from ..schemas import parse
from ..transaction import deny, run_in_transaction
from ..vocabulary import CaseStatus, GovernmentResponse, government_response_label
from .inputs import RecordGovernmentResponse
from .models import CaseOutcome

ACTION = "case.government_response"  # the audit event of every write
NOTE_EXCERPT, LESSON_EXCERPT = 280, 600  # what precedent lists show of a note and a lesson


def excerpt(value: str, size: int) -> str:
    """The start of ``value`` (at least ``size`` + 1 characters of it), with … when cut."""
    return value if len(value) <= size else value[:size] + "…"


def summary(round_: int, response: str, note: str, lesson: str, at: Any) -> dict[str, Any]:
    """What precedent lists show of a case's latest outcome."""
    return {
        "round": round_,
        "government_response": response,
        "title": government_response_label(response),
        "note": excerpt(note or "", NOTE_EXCERPT),
        "lesson": excerpt(lesson or "", LESSON_EXCERPT),
        "recorded_at": at,
    }


def may_record(actor: Actor) -> bool:
    """Admins (who close cases) and executives (who decided them) record what happened."""
    return perm.is_admin(actor.user) or perm.can_decide(actor.user)


def record(
    actor: Actor,
    case: Case,
    round_: int,
    response: str | None,
    note: str = "",
    lesson: str = "",
) -> CaseOutcome | None:
    """Write (or rewrite) the outcome of ``case``'s round ``round_`` inside the caller's
    transaction, audited; nothing when nothing changes. A lesson or note without a response
    records ``unknown``; none of the three records nothing (None)."""
    if response is None and not note and not lesson:
        return None
    response = response or GovernmentResponse.UNKNOWN
    row = db.session.execute(
        select(CaseOutcome).where(CaseOutcome.case_id == case.id, CaseOutcome.round == round_)
    ).scalar_one_or_none()
    before = None if row is None else _facts(row)
    if before == {"government_response": response, "note": note, "lesson": lesson}:
        return row
    if row is None:
        row = CaseOutcome(case_id=case.id, round=round_)
        db.session.add(row)
    row.government_response, row.note, row.lesson = response, note, lesson
    row.recorded_by_id = actor.user.id if actor.user else None
    row.recorded_at = now()
    audit.record(
        actor,
        ACTION,
        "case",
        case.ref,
        case_id=case.id,
        details={"round": round_, **_facts(row)} | ({"before": before} if before else {}),
    )
    db.session.flush()
    return row


def _facts(row: CaseOutcome) -> dict[str, str]:
    return {"government_response": row.government_response, "note": row.note, "lesson": row.lesson}


def set_government_response(
    actor: Actor, ref: str, raw: RecordGovernmentResponse | dict[str, Any]
) -> tuple[Case, CaseOutcome]:
    """Record or correct what the government did next after a round of the case (admins and
    executives): the current round once the case is closed, or any earlier round."""
    case = get_case(actor, ref)
    if not may_record(actor):
        raise deny(
            actor,
            ACTION,
            "case",
            case.ref,
            "only an admin or an executive can record what the government did next",
        )
    data = parse(RecordGovernmentResponse, raw)

    def work() -> tuple[Case, CaseOutcome]:
        locked = get_case(actor, ref, for_update=True)
        round_ = data.round or locked.round
        if round_ > locked.round:
            raise Invalid(
                f"{locked.ref} has no round {round_} (it is in round {locked.round})",
                field="round",
            )
        if round_ == locked.round and locked.status != CaseStatus.CLOSED:
            raise Conflict(
                f"{locked.ref} is {locked.status}: what the government did next is recorded "
                "once the case is closed (or for an earlier round)"
            )
        row = record(actor, locked, round_, data.government_response, data.note, data.lesson)
        assert row is not None  # a response is always given here
        return locked, row

    return run_in_transaction(work)


def outcomes_of(case: Case) -> list[CaseOutcome]:
    """Every round's recorded outcome of ``case``, the first round first."""
    return list(
        db.session.execute(
            select(CaseOutcome).where(CaseOutcome.case_id == case.id).order_by(CaseOutcome.round)
        ).scalars()
    )


def latest_of(case_ids: Iterable[int]) -> dict[int, CaseOutcome]:
    """Case id -> the outcome of its latest recorded round, for the cases given (one
    statement, through the (case_id, round) index)."""
    ids = list(set(case_ids))
    if not ids:
        return {}
    latest = (
        select(CaseOutcome.case_id, func.max(CaseOutcome.round))
        .where(CaseOutcome.case_id.in_(ids))
        .group_by(CaseOutcome.case_id)
    )
    rows = db.session.execute(
        select(CaseOutcome).where(tuple_(CaseOutcome.case_id, CaseOutcome.round).in_(latest))
    ).scalars()
    return {row.case_id: row for row in rows}


def outcome_to_dict(row: CaseOutcome) -> dict[str, Any]:
    """One round's outcome as the API shows it."""
    return {
        "round": row.round,
        "government_response": row.government_response,
        "government_response_title": government_response_label(row.government_response),
        "note": row.note,
        "lesson": row.lesson,
        "recorded_by": row.recorded_by.email if row.recorded_by else None,
        "recorded_at": iso(row.recorded_at),
    }


def case_fields(case: Case) -> dict[str, Any]:
    """What the case JSON carries of its outcomes: every round's, the first first."""
    return {"government_responses": [outcome_to_dict(row) for row in outcomes_of(case)]}
