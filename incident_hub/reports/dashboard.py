"""The dashboard's figures: a handful of grouped queries, the same on SQLite and PostgreSQL.

Everything about cases counts only the cases the viewer may see (``perm.visible_case_clause``),
so a restricted case adds nothing to an outsider's figures. Alerts are shown to every user (the
triage queue), so they are counted whole, but one tied to a case the viewer may not see counts
as neither "led to a case" nor "linked" (the queue shows it as "triaged").

Durations and weeks are computed portably: time to decision from (playbook, opened, first
decision) rows, weeks by a CASE over bound week boundaries, never by date functions that differ
between the two databases.
"""

from __future__ import annotations

import math
import statistics
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, literal, select

from ..actor import Actor
from ..auth import permissions as perm
from ..cases.models import Assignment, Case, Decision
from ..clock import as_utc, now
from ..errors import NotFound
from ..extensions import db
from ..playbooks import registry
from ..vocabulary import OUTSTANDING, TIED_TO_CASE, UNDECIDED, AlertStatus, CaseStatus
from ..watch.models import Alert, Source

OPEN_STATUSES = UNDECIDED
WEEKS = 12
YIELD_STATUSES = TIED_TO_CASE


def iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def percentile(values: list[float], fraction: float) -> float | None:
    """Linear interpolation between the closest ranks (numpy's default); values sorted.
    None for no values: nothing measured is not 0."""
    if not values:
        return None
    position = (len(values) - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    return values[low] + (values[high] - values[low]) * (position - low)


def _visible(actor: Actor):  # noqa: ANN202
    if actor.user is None or not actor.user.active:
        raise NotFound("no reports")
    return perm.visible_case_clause(actor.user)


def open_cases(actor: Actor) -> dict[str, Any]:
    """Open (and awaiting-decision) cases by jurisdiction and by playbook."""
    where = [Case.status.in_(OPEN_STATUSES), _visible(actor)]
    by_jurisdiction = db.session.execute(
        select(Case.jurisdiction, func.count(Case.id))
        .where(*where)
        .group_by(Case.jurisdiction)
        .order_by(func.count(Case.id).desc(), Case.jurisdiction)
    ).all()
    by_playbook = db.session.execute(
        select(Case.playbook_key, func.count(Case.id))
        .where(*where)
        .group_by(Case.playbook_key)
        .order_by(func.count(Case.id).desc(), Case.playbook_key)
    ).all()
    reg = registry()
    return {
        "total": sum(n for _, n in by_jurisdiction),
        "by_jurisdiction": [{"jurisdiction": j, "count": n} for j, n in by_jurisdiction],
        "by_playbook": [
            {"playbook": key, "title": _playbook_title(reg, key), "count": n}
            for key, n in by_playbook
        ],
    }


def _playbook_title(reg: Any, key: str) -> str:
    playbook = reg.get(key)
    return playbook.title if playbook else key


def time_to_decision(actor: Actor) -> dict[str, Any]:
    """Days from opening to the first decision, per playbook: median and 90th percentile."""
    first = (
        select(Decision.case_id, func.min(Decision.decided_at).label("decided_at"))
        .group_by(Decision.case_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Case.playbook_key, Case.opened_at, first.c.decided_at)
        .join(first, first.c.case_id == Case.id)
        .where(_visible(actor))
    ).all()
    days: dict[str, list[float]] = {}
    for playbook_key, opened_at, decided_at in rows:
        elapsed = (as_utc(decided_at) - opened_at).total_seconds() / 86_400
        days.setdefault(playbook_key, []).append(max(elapsed, 0.0))
    reg = registry()

    def figures(values: list[float]) -> dict[str, Any]:
        values = sorted(values)
        return {
            "decided": len(values),
            "median_days": round(statistics.median(values), 1) if values else None,
            "p90_days": round(p90, 1) if (p90 := percentile(values, 0.9)) is not None else None,
        }

    per_playbook = [
        {"playbook": key, "title": _playbook_title(reg, key), **figures(values)}
        for key, values in sorted(days.items())
    ]
    everything = [d for values in days.values() for d in values]
    return {"overall": figures(everything), "by_playbook": per_playbook}


def overdue_analyses(actor: Actor) -> dict[str, Any]:
    """Pending assignments past their due time on open cases, per function."""
    rows = db.session.execute(
        select(Assignment.function_key, func.count(Assignment.id))
        .join(Case, Case.id == Assignment.case_id)
        .where(
            Assignment.status.in_(OUTSTANDING),
            Assignment.due_at < now(),
            Case.status == CaseStatus.OPEN,
            _visible(actor),
        )
        .group_by(Assignment.function_key)
        .order_by(func.count(Assignment.id).desc(), Assignment.function_key)
    ).all()
    reg = registry()
    return {
        "total": sum(n for _, n in rows),
        "by_function": [
            {"function": key, "title": reg.function_title(key), "count": n} for key, n in rows
        ],
    }


def week_starts(at: datetime, weeks: int = WEEKS) -> list[datetime]:
    """Mondays 00:00 UTC of the last ``weeks`` weeks, oldest first (the current week last)."""
    monday = (at - timedelta(days=at.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    return [monday - timedelta(weeks=weeks - 1 - i) for i in range(weeks)]


def _week_bucket(column: Any, starts: list[datetime]) -> Any:
    """The index of the week ``column`` falls in (a CASE over bound boundaries)."""
    whens = [(column >= start, literal(i)) for i, start in reversed(list(enumerate(starts)))]
    return case(*whens, else_=literal(-1))


def _weekly_counts(column: Any, starts: list[datetime], *where: Any) -> dict[int, int]:
    bucket = _week_bucket(column, starts).label("week")
    rows = db.session.execute(
        select(bucket, func.count(Alert.id))
        .where(column >= starts[0], column.is_not(None), *where)
        .group_by(bucket)
    ).all()
    return {int(week): n for week, n in rows}


def alerts_by_week(actor: Actor) -> list[dict[str, Any]]:
    """Alerts flagged (raised) and dismissed per week, for the last twelve weeks."""
    _visible(actor)
    starts = week_starts(now())
    flagged = _weekly_counts(Alert.created_at, starts)
    dismissed = _weekly_counts(Alert.triaged_at, starts, Alert.status == AlertStatus.DISMISSED)
    return [
        {
            "week_start": start.date().isoformat(),
            "flagged": flagged.get(i, 0),
            "dismissed": dismissed.get(i, 0),
        }
        for i, start in enumerate(starts)
    ]


def source_yield(actor: Actor) -> list[dict[str, Any]]:
    """Per source: items seen, alerts raised, and how many led to a case or were linked to one."""
    # An alert tied to a case the viewer may not see led to nothing they can see (the queue
    # shows it as "triaged"): counted among the alerts, not as a case opened or linked.
    seen = Alert.case_id.in_(select(Case.id).where(_visible(actor)))
    opened = func.sum(case(((Alert.status == AlertStatus.CASE_OPENED) & seen, 1), else_=0))
    linked = func.sum(case(((Alert.status == AlertStatus.LINKED) & seen, 1), else_=0))
    rows = db.session.execute(
        select(
            Source.key,
            Source.title,
            Source.items_seen,
            func.count(Alert.id),
            opened,
            linked,
        )
        .outerjoin(Alert, Alert.source_id == Source.id)
        .group_by(Source.id, Source.key, Source.title, Source.items_seen)
        .order_by(func.count(Alert.id).desc(), Source.key)
    ).all()
    out = []
    for key, title, seen, alerts, case_opened, was_linked in rows:
        useful = int(case_opened or 0) + int(was_linked or 0)
        out.append(
            {
                "source": key,
                "title": title,
                "items_seen": seen,
                "alerts": alerts,
                "led_to_case": int(case_opened or 0),
                "linked": int(was_linked or 0),
                "yield": round(useful / alerts, 3) if alerts else None,
            }
        )
    return out


def summary(actor: Actor) -> dict[str, Any]:
    """Every figure of the dashboard (and of ``GET /api/v1/reports/summary``)."""
    return {
        "generated_at": iso(now()),
        "scope": "cases you may see; restricted cases you are not a participant of are left out",
        "open_cases": open_cases(actor),
        "time_to_decision": time_to_decision(actor),
        "overdue_analyses": overdue_analyses(actor),
        "alerts_by_week": alerts_by_week(actor),
        "source_yield": source_yield(actor),
    }
