"""Reading monitoring for My work: the re-reviews a person owns, as rows of work."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, literal_column, select
from sqlalchemy.orm import contains_eager

from ..auth import permissions as perm
from ..auth.models import User
from ..cases.models import Case
from ..extensions import db
from ..vocabulary import CaseStatus
from .models import CaseMonitoring

KIND = "rereview"  # My work's kind for a monitored case's re-review ("review" is an action's)


def review_work(user: User, bucket: Any) -> Select:
    """My work's rows for the re-reviews ``user`` owns on monitored cases they may see, as a
    ``(kind, item_id, due, bucket)`` select (``item_id``: the case id)."""
    return (
        select(
            literal_column(f"'{KIND}'").label("kind"),
            CaseMonitoring.case_id.label("item_id"),
            CaseMonitoring.next_review_at.label("due"),
            bucket(CaseMonitoring.next_review_at).label("bucket"),
        )
        .join(Case, Case.id == CaseMonitoring.case_id)
        .where(
            CaseMonitoring.owner_id == user.id,
            Case.status == CaseStatus.MONITORING,
            perm.visible_case_clause(user),
        )
    )


def schedules_by_case(case_ids: list[int]) -> dict[int, CaseMonitoring]:
    """Case id -> its schedule, with the case loaded (not its opener: My work never shows it).
    One query even for no ids: My work costs the same statements whatever it shows."""
    rows = db.session.execute(
        select(CaseMonitoring)
        .join(Case, Case.id == CaseMonitoring.case_id)
        .options(contains_eager(CaseMonitoring.case).lazyload(Case.opened_by))
        .where(CaseMonitoring.case_id.in_(case_ids))
    ).scalars()
    return {row.case_id: row for row in rows}
