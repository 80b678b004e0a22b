"""The public JSON shape of a case's monitoring and its re-reviews (API, CLI)."""

from __future__ import annotations

from typing import Any

from ..cases.models import Case
from ..clock import iso, now
from .models import CaseMonitoring, CaseReview


def schedule_to_dict(schedule: CaseMonitoring | None) -> dict[str, Any] | None:
    if schedule is None:
        return None
    return {
        "owner": schedule.owner.email,
        "owner_name": schedule.owner.name,
        "next_review_at": iso(schedule.next_review_at),
        "overdue": schedule.next_review_at <= now(),
        "every_days": schedule.every_days,
        "until": iso(schedule.until),
        "note": schedule.note,
        "started_at": iso(schedule.started_at),
        "last_reminded_at": iso(schedule.last_reminded_at),
    }


def review_to_dict(review: CaseReview) -> dict[str, Any]:
    return {
        "id": review.id,
        "round": review.round,
        "due_at": iso(review.due_at),
        "reviewed_at": iso(review.reviewed_at),
        "reviewer": review.reviewer.email if review.reviewer else None,
        "reviewer_name": review.reviewer.name if review.reviewer else None,
        "outcome": review.outcome,
        "note": review.note,
    }


def monitoring_to_dict(
    case: Case, schedule: CaseMonitoring | None, reviews: list[CaseReview]
) -> dict[str, Any]:
    return {
        "case": case.ref,
        "status": case.status,
        "monitoring": schedule_to_dict(schedule),
        "reviews": [review_to_dict(r) for r in reviews],
    }
