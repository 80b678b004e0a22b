"""My work: everything waiting on one person, grouped by when it is owed and paged.

Five kinds of work meet on the page: analyses the user's functions owe, the user's open follow-up
actions, effectiveness reviews that have come due, the re-reviews of monitored cases the user
owns (kind ``rereview``, by due time), and (for executives) cases they can decide —
those awaiting a decision and open cases that already have recommendations (which could be
decided early). Each is a ``(kind, item_id, due, bucket)`` select; their union is numbered
within each group by a window function, so one statement gives every group's count and page,
and the rows shown are then loaded by kind, one query each. So the page costs the same
number of statements whatever the data.

Groups: *owed now* (overdue or due before the end of today), *due this week* (within the next
seven days after today) and *later*; days end at midnight in REMINDERS.TIMEZONE, the office's
time zone that reminders already use.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import (
    ColumnElement,
    Select,
    case,
    exists,
    func,
    literal_column,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import contains_eager, lazyload

from .. import validate
from ..actor import Actor
from ..auth import permissions as perm
from ..auth.models import User
from ..clock import now
from ..extensions import db
from ..followthrough.queries import action_work, actions_by_id
from ..monitoring import queries as monitoring
from ..vocabulary import OUTSTANDING, ActionStatus, AssignmentStatus, CaseStatus
from .assignees import named_by_assignment
from .models import Analysis, Assignee, Assignment, Case, Follow
from .overview import time_left

PAGE_SIZE = 25
# The page never shows who opened a case: not loaded (it would also load their roles).
NO_OPENER = lazyload(Case.opened_by)
GROUPS = (  # key, heading, what it holds; the page parameter is f"{key}_page"
    ("owed", "Owed now", "Overdue or due today."),
    ("week", "Due this week", "Due in the next seven days."),
    ("later", "Later", "Due after the coming week."),
)


@dataclass
class WorkItem:
    """One row of My work: what is owed, on which case, by when."""

    kind: str  # analysis, action, review, rereview, decision
    case: Case
    due: datetime | date
    assignment: Assignment | None = None
    action: Any = None  # followthrough.models.Action
    schedule: Any = None  # monitoring.models.CaseMonitoring (a re-review)
    filed: int = 0  # decisions: required analyses filed ...
    required: int = 0  # ... of how many
    owner: User | None = None  # analyses: who owns it (None: not taken yet)
    mine: bool = False  # analyses: the user owns it or it is delegated to them

    @property
    def deadline_left(self) -> str | None:
        """An owed analysis's or decision's time left to the case's response deadline."""
        if self.kind not in ("analysis", "decision"):
            return None
        return time_left(self.case.response_deadline)

    @property
    def early(self) -> bool:
        """A decision that may be taken before every function has filed."""
        return self.kind == "decision" and self.case.status == CaseStatus.OPEN


@dataclass
class Paged:
    """One page of a list that has its own page parameter."""

    key: str
    title: str
    hint: str
    total: int
    page: int
    items: list[Any] = field(default_factory=list)

    @property
    def param(self) -> str:
        return f"{self.key}_page"

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


@dataclass
class MyWork:
    groups: list[Paged]
    following: Paged
    opened_by_me: list[Case]
    followers: dict[int, int]  # case id -> how many follow it (the cases shown)

    @property
    def total(self) -> int:
        return sum(g.total for g in self.groups)


def page_of(args: Mapping[str, Any], key: str) -> int:
    """The 1-based page asked for by ``?<key>_page=``; anything unreadable is page 1."""
    raw = args.get(f"{key}_page")
    try:
        value = int(raw) if raw not in (None, "") else 1
    except (TypeError, ValueError):
        value = 1
    return validate.page_number(value, PAGE_SIZE)


def day_bounds(at: datetime) -> tuple[datetime, datetime]:
    """The end of today and of the seventh day after it, in the office's time zone."""
    zone = ZoneInfo(current_app.config["REMINDERS"]["TIMEZONE"])
    local = at.astimezone(zone)
    tomorrow = datetime.combine(local.date() + timedelta(days=1), time(), tzinfo=zone)
    return tomorrow, tomorrow + timedelta(days=7)


def my_work(actor: Actor, args: Mapping[str, Any]) -> MyWork:
    """What is waiting on the actor, grouped and paged (``args``: the page parameters)."""
    user = actor.require_user()
    end_today, end_week = day_bounds(now())

    def bucket(due: Any) -> ColumnElement[int]:
        return case((due < end_today, 0), (due < end_week, 1), else_=2)

    work = union_all(*_sources(user, bucket)).subquery("work")
    # One statement for every group's page and count: each row numbered within its group,
    # the group's size beside it; a group's first row always comes back, to carry the count
    # when the page asked for is past the group's end.
    numbered = select(
        work.c.kind,
        work.c.item_id,
        work.c.bucket,
        func.row_number()
        .over(partition_by=work.c.bucket, order_by=(work.c.due, work.c.kind, work.c.item_id))
        .label("n"),
        func.count().over(partition_by=work.c.bucket).label("size"),
    ).subquery("numbered")
    groups = [Paged(key, title, hint, 0, page_of(args, key)) for key, title, hint in GROUPS]
    windows = [((g.page - 1) * PAGE_SIZE, g.page * PAGE_SIZE) for g in groups]
    on_page = or_(
        *(
            (numbered.c.bucket == index) & (numbered.c.n > first) & (numbered.c.n <= last)
            for index, (first, last) in enumerate(windows)
        )
    )
    rows = db.session.execute(
        select(numbered.c.kind, numbered.c.item_id, numbered.c.bucket, numbered.c.n,
               numbered.c.size)
        .where(on_page | (numbered.c.n == 1))
        .order_by(numbered.c.bucket, numbered.c.n)
    ).all()  # fmt: skip
    wanted: list[list[tuple[str, int]]] = [[] for _ in groups]
    for kind, item_id, index, n, size in rows:
        groups[index].total = size
        first, last = windows[index]
        if first < n <= last:
            wanted[index].append((kind, item_id))
    loaded = _load([shown for page in wanted for shown in page])
    _mark_owed(user, [item for item in loaded.values() if item.assignment is not None])
    for group, page in zip(groups, wanted, strict=True):
        group.items = [loaded[shown] for shown in page]
    following = followed_cases(user, page_of(args, "following"))
    mine = list(
        db.session.execute(
            select(Case)
            .options(NO_OPENER)
            .where(Case.opened_by_id == user.id, Case.status != CaseStatus.CLOSED)
            .order_by(Case.opened_at.desc())
            .limit(20)
        ).scalars()
    )
    return MyWork(groups, following, mine, follower_counts([c.id for c in following.items]))


def _sources(user: User, bucket: Any) -> list[Select]:
    """Every kind of work the user may owe, as ``(kind, item_id, due, bucket)`` selects."""
    sources = list(action_work(user, bucket))
    sources.append(monitoring.review_work(user, bucket))
    if user.functions:
        sources.append(
            select(
                literal_column("'analysis'").label("kind"),
                Assignment.id.label("item_id"),
                Assignment.due_at.label("due"),
                bucket(Assignment.due_at).label("bucket"),
            )
            .join(Case, Case.id == Assignment.case_id)
            .where(
                Assignment.function_key.in_(user.functions),
                Assignment.status.in_(OUTSTANDING),
                Case.status == CaseStatus.OPEN,
                perm.visible_case_clause(user),
            )
        )
    # Owned by or delegated to the user, of functions they do not lead (those are above).
    named = Assignment.id.in_(select(Assignee.assignment_id).where(Assignee.user_id == user.id))
    sources.append(
        select(
            literal_column("'analysis'").label("kind"),
            Assignment.id.label("item_id"),
            Assignment.due_at.label("due"),
            bucket(Assignment.due_at).label("bucket"),
        )
        .join(Case, Case.id == Assignment.case_id)
        .where(
            named,
            Assignment.function_key.not_in(user.functions) if user.functions else true(),
            Assignment.status.in_(OUTSTANDING),
            Case.status == CaseStatus.OPEN,
            perm.visible_case_clause(user),
        )
    )
    if perm.can_decide(user):
        recommended = exists().where(Analysis.case_id == Case.id, Analysis.current.is_(True))
        sources.append(
            select(
                literal_column("'decision'").label("kind"),
                Case.id.label("item_id"),
                Case.decision_due_at.label("due"),
                bucket(Case.decision_due_at).label("bucket"),
            ).where(
                (Case.status == CaseStatus.AWAITING_DECISION)
                | ((Case.status == CaseStatus.OPEN) & recommended),
                perm.visible_case_clause(user),
            )
        )
    return sources


def _mark_owed(user: User, items: list[WorkItem]) -> None:
    """Each analysis shown: its owner, and whether it is owed by the user (owner or delegate);
    other leads of the function still see it, listed for their function."""
    named = named_by_assignment(item.assignment.id for item in items if item.assignment)
    for item in items:
        if item.assignment is not None:
            item.owner = named[item.assignment.id].owner
            item.mine = named[item.assignment.id].names(user)


def _load(rows: list[tuple[str, int]]) -> dict[tuple[str, int], WorkItem]:
    """The work items for ``(kind, item_id)`` rows: one query per kind, whatever is shown (so
    the count of statements does not depend on which kinds a page happens to hold)."""
    ids: dict[str, list[int]] = {"analysis": [], "action": [], "decision": [], monitoring.KIND: []}
    for kind, item_id in rows:
        ids["action" if kind == "review" else kind].append(item_id)
    out: dict[tuple[str, int], WorkItem] = {}
    assignments = db.session.execute(
        select(Assignment)
        .join(Case)
        .options(contains_eager(Assignment.case).lazyload(Case.opened_by))
        .where(Assignment.id.in_(ids["analysis"]))
    ).scalars()
    for a in assignments:
        out[("analysis", a.id)] = WorkItem("analysis", a.case, a.due_at, assignment=a)
    for action_id, (action, action_case) in actions_by_id(ids["action"], NO_OPENER).items():
        if action.status == ActionStatus.OPEN:
            item = WorkItem("action", action_case, action.due_at, action=action)
        else:
            review_on = action.review_on or action.due_at.date()  # always set on a review
            item = WorkItem("review", action_case, review_on, action=action)
        out[(item.kind, action_id)] = item
    for case_id, schedule in monitoring.schedules_by_case(ids[monitoring.KIND]).items():
        due = schedule.next_review_at
        item = WorkItem(monitoring.KIND, schedule.case, due, schedule=schedule)
        out[(monitoring.KIND, case_id)] = item
    # Each case with how many required analyses are filed, of how many (not waived).
    required = (Assignment.case_id == Case.id, Assignment.required.is_(True))
    filed = select(func.count()).where(*required, Assignment.status == AssignmentStatus.FILED)
    owed = select(func.count()).where(*required, Assignment.status != AssignmentStatus.WAIVED)
    to_decide = db.session.execute(
        select(Case, filed.scalar_subquery(), owed.scalar_subquery())
        .options(NO_OPENER)
        .where(Case.id.in_(ids["decision"]))
    ).all()
    for c, n_filed, n_owed in to_decide:
        out[("decision", c.id)] = WorkItem(
            "decision", c, c.decision_due_at, filed=n_filed, required=n_owed
        )
    return out


def followed_clause(user: User) -> ColumnElement[bool]:
    """Cases the user follows (the ix_follows_user_id index)."""
    return Case.id.in_(select(Follow.case_id).where(Follow.user_id == user.id))


def followed_cases(user: User, page: int) -> Paged:
    """The cases the user follows and may still see, most recently followed first."""
    where = (Follow.user_id == user.id, perm.visible_case_clause(user))
    total = db.session.execute(
        select(func.count()).select_from(Follow).join(Case, Case.id == Follow.case_id).where(*where)
    ).scalar_one()
    paged = Paged("following", "Cases I follow", "", total, page)
    paged.items = list(
        db.session.execute(
            select(Case)
            .options(NO_OPENER)
            .join(Follow, Follow.case_id == Case.id)
            .where(*where)
            .order_by(Follow.created_at.desc(), Case.id.desc())
            .limit(PAGE_SIZE)
            .offset((page - 1) * PAGE_SIZE)
        ).scalars()
    )
    return paged


def follower_counts(case_ids: list[int]) -> dict[int, int]:
    """Case id -> number of followers, for the cases shown, in one query."""
    rows = db.session.execute(
        select(Follow.case_id, func.count())
        .where(Follow.case_id.in_(case_ids))
        .group_by(Follow.case_id)
    ).all()
    return {case_id: count for case_id, count in rows}
