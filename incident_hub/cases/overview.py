"""The case page's overview: the figures of its header and sidebar, for one viewer.

Everything here is worked out from what the page has already loaded (the case, its
assignments, members and feature sections) plus one query for the followers, so the page's
query count stays flat. The template only shows the result: the time left to the response
deadline, the next thing the viewer must do on the case, each function's state, the followers
the viewer may see and the jurisdiction's country name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import url_for
from sqlalchemy import exists, select

from .. import countries
from ..auth import permissions as perm
from ..auth.models import User, UserRole
from ..clock import as_utc, now
from ..clock import span as _span
from ..extensions import db
from ..playbooks import registry
from ..vocabulary import (
    DECIDED_NOT_CLOSED,
    DECIDED_OR_CLOSED,
    OUTSTANDING,
    UNDECIDED,
    ActionStatus,
    AssignmentStatus,
    CaseStatus,
    Role,
)
from ..watch.models import Alert
from .models import Case, Follow

ALERTS_SHOWN = 10  # alerts listed in the sidebar (the rest are counted as "more")


# Codes that are not ISO 3166 countries but are accepted as jurisdictions.
@dataclass(frozen=True)
class NextStep:
    """What the viewer should do next on the case, and where on the site it is done."""

    text: str
    href: str


@dataclass(frozen=True)
class FunctionState:
    """A function's part as the Functions table shows it: a label, a badge class, a date."""

    label: str
    badge: str  # the badge-<x> class
    date: str  # "due 5 Dec 2026 09:00 UTC", "filed …", or ""
    left: str | None = None  # a pending function's time left ("19 h left", "overdue by 2 h")


@dataclass(frozen=True)
class Followers:
    count: int
    names: list[str]


def time_left(deadline: datetime | None, at: datetime | None = None) -> str | None:
    """``3 days 4 h left`` or ``overdue by 5 h``; None without a deadline."""
    if deadline is None:
        return None
    delta = as_utc(deadline) - (at or now())
    if delta.total_seconds() >= 0:
        return f"{_span(delta)} left"
    return f"overdue by {_span(-delta)}"


def countdown(case: Case) -> str | None:
    """The time left to the case's response deadline, until the case is closed."""
    return time_left(case.response_deadline) if case.status != CaseStatus.CLOSED else None


def short_day(value: datetime) -> str:
    """``5 Dec`` (this year) or ``5 Dec 2027``."""
    value = as_utc(value)
    text = f"{value.day} {value:%b}"
    return text if value.year == now().year else f"{text} {value.year}"


def function_states(case: Case) -> dict[str, FunctionState]:
    """Each assignment's state. While the case waits for its decision a pending function is
    "Pending" (or "Draft": submitted with a required question open) with its due time; once
    decided or closed it is "Not filed" (nothing is due any more), and filed and waived
    functions say so whatever the case's status."""
    finished = case.status in DECIDED_OR_CLOSED
    out = {}
    for a in case.assignments:
        if a.status == AssignmentStatus.FILED:
            filed = a.filed_at.strftime("%d %b %Y") if a.filed_at else ""
            out[a.function_key] = FunctionState("Filed", "filed", f"filed {filed}" if filed else "")
        elif a.status == AssignmentStatus.WAIVED:
            out[a.function_key] = FunctionState("Waived", "waived", "")
        elif finished:
            out[a.function_key] = FunctionState("Not filed", "not-filed", "")
        else:
            due = as_utc(a.due_at).strftime("%d %b %Y %H:%M UTC")
            label = "Draft" if a.status == AssignmentStatus.DRAFT else "Pending"
            out[a.function_key] = FunctionState(label, label.lower(), due, time_left(a.due_at))
    return out


def next_for_you(
    user: User | None, case: Case, sections: dict[str, dict[str, Any]]
) -> NextStep | None:
    """The first thing ``user`` must do on ``case``, or None: file an analysis of a function
    they lead that is still pending (the earliest due), record the decision the case awaits,
    complete a follow-through action they own, record the re-review of a monitored case they
    own, review an action's effectiveness, or add the actions a decided case still lacks."""
    if not (user and user.active):
        return None
    if case.status in UNDECIDED:
        named = sections.get("assignees", {}).get("mine", set())  # owner or delegate
        owed = sorted(
            (
                a
                for a in case.assignments
                if a.status in OUTSTANDING
                and (
                    (user.has_role("lead") and a.function_key in user.functions)
                    or a.function_key in named
                )
            ),
            key=lambda a: a.due_at,
        )
        if owed:
            a = owed[0]
            title = registry().function_title(a.function_key)
            if title[1:2].islower():  # "Legal" reads "the legal analysis"; "EU" stays
                title = title[0].lower() + title[1:]
            verb = "Complete" if a.status == AssignmentStatus.DRAFT else "File"
            return NextStep(
                f"{verb} the {title} analysis — due {short_day(a.due_at)}",
                url_for("cases.analysis_form", ref=case.ref, function=a.function_key),
            )
        if case.status == CaseStatus.AWAITING_DECISION and perm.can_decide(user):
            return NextStep(
                f"Record the decision — due {short_day(case.decision_due_at)}",
                url_for("cases.decision_form", ref=case.ref),
            )
        return None
    if case.status not in DECIDED_NOT_CLOSED:
        return None
    ft = sections.get("followthrough", {})
    mine = [r["action"] for r in ft.get("current", []) if r["action"].owner_id == user.id]
    open_ = sorted((a for a in mine if a.status == ActionStatus.OPEN), key=lambda a: a.due_at)
    if open_:
        a = open_[0]
        return NextStep(
            f"Complete the action “{a.title}” — due {short_day(a.due_at)}",
            url_for("cases.detail", ref=case.ref, _anchor=f"action-{a.id}"),
        )
    schedule = sections.get("monitoring", {}).get("schedule")
    if schedule is not None and schedule.owner_id == user.id:
        return NextStep(
            f"Record the re-review — due {short_day(schedule.next_review_at)}",
            url_for("cases.detail", ref=case.ref, _anchor="monitoring-h"),
        )
    review = [r["action"] for r in ft.get("current", []) if r["can_review"] and r["action"] in mine]
    if review:
        return NextStep(
            f"Review the effectiveness of “{review[0].title}”",
            url_for("cases.detail", ref=case.ref, _anchor=f"action-{review[0].id}"),
        )
    if ft.get("can_add") and not ft.get("current"):
        return NextStep(
            "Add the follow-through actions of the decision",
            url_for("cases.detail", ref=case.ref, _anchor="actions-h"),
        )
    return None


def followers(case: Case, member_ids: set[int]) -> Followers:
    """The followers who may see the case (a follower removed from a restricted case, or
    disabled, is neither counted nor named), by name: one query, which also tells who sees
    every case (an admin or executive), as :func:`perm.can_view_case` would. ``member_ids``:
    the case's members, as the page already read them."""
    sees_all = exists().where(
        UserRole.user_id == User.id, UserRole.role.in_((Role.ADMIN, Role.EXECUTIVE))
    )
    rows = db.session.execute(
        select(User.id, User.name, sees_all.label("sees_all"))
        .join(Follow, Follow.user_id == User.id)
        .where(Follow.case_id == case.id, User.active.is_(True))
        .order_by(User.name, User.id)
    ).all()
    names = [
        name
        for user_id, name, every in rows
        if not case.restricted or every or user_id == case.opened_by_id or user_id in member_ids
    ]
    return Followers(len(names), names)


def alerts(case: Case) -> list[Alert]:
    """The alerts the case was opened from or linked to, first first (one more than shown, so
    the page can say there are more)."""
    query = select(Alert).where(Alert.case_id == case.id).order_by(Alert.id)
    return list(db.session.execute(query.limit(ALERTS_SHOWN + 1)).scalars())


@dataclass(frozen=True)
class Overview:
    time_left: str | None
    decision_left: str | None  # time left to the decision's due time, while undecided
    overdue: bool
    next_step: NextStep | None
    functions: dict[str, FunctionState]
    followers: Followers
    country: str
    alerts: list[Alert]


def case_overview(
    user: User | None, case: Case, sections: dict[str, dict[str, Any]], member_ids: set[int]
) -> Overview:
    """The header and sidebar figures of ``case`` for ``user``."""
    left = countdown(case)
    return Overview(
        time_left=left,
        decision_left=time_left(case.decision_due_at) if case.status in UNDECIDED else None,
        overdue=bool(left and left.startswith("overdue")),
        next_step=next_for_you(user, case, sections),
        functions=function_states(case),
        followers=followers(case, member_ids),
        country=countries.country_name(case.jurisdiction),
        alerts=alerts(case),
    )
