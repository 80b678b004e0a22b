"""Cases and everything filed on them: assignments, analyses, decisions, followers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal, get_args

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..clock import now
from ..extensions import Model
from ..types import UTCDateTime
from ..vocabulary import CASE_STAGES, AssignmentStatus, CaseStatus
from ..vocabulary import CASE_STATUSES as STATUSES  # noqa: F401  (read by the API and forms)

# Where the law or order stands (vocabulary.CaseStage; a Literal so the OpenAPI enums list it).
Stage = Literal[
    "draft",
    "consultation",
    "adopted",
    "in_force",
    "amended",
    "suspended",
    "struck_down",
    "repealed",
]
STAGES: tuple[str, ...] = get_args(Stage)
assert STAGES == CASE_STAGES, "Stage must list vocabulary.CaseStage, in order"
# Longest accepted text per field (characters).
LIMITS = {
    "title": 300,
    "summary": 20_000,
    "instrument": 300,
    "authority": 300,
    "legal_basis": 500,
    "analysis": 50_000,
    "rationale": 20_000,
    "note": 5_000,
    "source_url": 2000,
}


class RefCounter(Model):
    """Last case number handed out per year, for INC-YYYY-NNNN references."""

    __tablename__ = "ref_counters"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(default=0)


class Case(Model):
    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_status_opened_at", "status", "opened_at"),
        Index("ix_cases_salience_opened_at", "salience", "opened_at"),
        # "Opened by me" on My work, and the restricted cases a participant may see.
        Index("ix_cases_opened_by_opened_at", "opened_by_id", "opened_at"),
        Index("ix_cases_restricted_opened_at", "restricted", "opened_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(20), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    playbook_key: Mapped[str] = mapped_column(String(60), index=True)
    jurisdiction: Mapped[str] = mapped_column(String(10), index=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    # Legal-change intake
    instrument: Mapped[str] = mapped_column(String(300), default="")
    authority: Mapped[str] = mapped_column(String(300), default="")
    legal_basis: Mapped[str] = mapped_column(String(500), default="")
    stage: Mapped[str | None] = mapped_column(String(20))
    effective_date: Mapped[date | None] = mapped_column(Date)
    response_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    gag_order: Mapped[bool] = mapped_column(default=False)
    source_url: Mapped[str] = mapped_column(String(2000), default="")

    status: Mapped[str] = mapped_column(String(20), default=CaseStatus.OPEN)
    restricted: Mapped[bool] = mapped_column(default=False)
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    decision_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    awaiting_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Slack: the case's own channel (SLACK.CASE_CHANNELS), and when reminders last went out.
    slack_channel_id: Mapped[str] = mapped_column(String(40), default="", server_default="")
    decision_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # 0 until assessed; 1–100 from the human-rights assessment (severity × likelihood). Orders
    # the case list and sets the urgency of Slack notices.
    salience: Mapped[int] = mapped_column(default=0, server_default="0")
    # Each reopen starts a new round; a round has at most one decision.
    round: Mapped[int] = mapped_column(default=1)
    # Optimistic locking: two writers racing on one case cannot both win.
    version: Mapped[int] = mapped_column(default=1)

    opened_by: Mapped[User] = relationship(lazy="joined")
    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="case", order_by="Assignment.id", cascade="all, delete-orphan"
    )
    analyses: Mapped[list[Analysis]] = relationship(
        back_populates="case", order_by="Analysis.id", cascade="all, delete-orphan"
    )
    decisions: Mapped[list[Decision]] = relationship(
        back_populates="case", order_by="Decision.round", cascade="all, delete-orphan"
    )
    # Every country the case concerns, the primary one (``jurisdiction``) first.
    jurisdiction_rows: Mapped[list[CaseJurisdiction]] = relationship(
        order_by="CaseJurisdiction.position", cascade="all, delete-orphan", lazy="selectin"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def decision(self) -> Decision | None:
        """The decision of the current round, if any."""
        return next((d for d in self.decisions if d.round == self.round), None)

    @property
    def jurisdictions(self) -> list[str]:
        """The codes of every jurisdiction the case concerns, the primary one first (a case
        from before they were kept apart has only its ``jurisdiction``)."""
        codes = [row.code for row in self.jurisdiction_rows]
        return codes or ([self.jurisdiction] if self.jurisdiction else [])

    def set_jurisdictions(self, codes: list[str]) -> None:
        """Make ``codes`` (distinct, at least one) the case's jurisdictions, in that order; the
        first becomes ``jurisdiction``. Rows of codes kept are reused, so no key is written
        twice in one flush."""
        kept = {row.code: row for row in self.jurisdiction_rows}
        rows = []
        for position, code in enumerate(codes):
            row = kept.pop(code, None) or CaseJurisdiction(code=code)
            row.position = position
            rows.append(row)
        self.jurisdiction_rows = rows
        self.jurisdiction = codes[0]

    def current_analyses(self) -> dict[str, Analysis]:
        return {a.function_key: a for a in self.analyses if a.current}

    def __repr__(self) -> str:
        return f"<Case {self.ref} {self.status}>"


class CaseJurisdiction(Model):
    """One country (or the EU) a case concerns; ``position`` 0 is the case's primary
    ``jurisdiction``. The case list's jurisdiction filter reads these (ix on code)."""

    __tablename__ = "case_jurisdictions"

    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(10), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(default=0)


class Assignment(Model):
    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("case_id", "function_key"),)
    # Database defaults are read when asked, not returned by every INSERT (``questions_from``:
    # the migration tests write assignments at older revisions through this model).
    __mapper_args__ = {"eager_defaults": False}

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    function_key: Mapped[str] = mapped_column(String(50))
    required: Mapped[bool] = mapped_column(default=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    status: Mapped[str] = mapped_column(String(10), default=AssignmentStatus.PENDING)
    note: Mapped[str] = mapped_column(Text, default="")
    filed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A function added to a running case that its playbook does not list: the playbook whose
    # questions it answers ('' for a function of the case's own playbook).
    questions_from: Mapped[str] = mapped_column(String(60), server_default="")

    case: Mapped[Case] = relationship(back_populates="assignments")


class Assignee(Model):
    """A person named on an assignment (cases/assignees.py): its ``owner`` (at most one per
    assignment) or one of its ``delegate``s. Both are reminded, see it as owed on My work and
    may file the function's analysis. ``membership``: naming them put them on the case's
    need-to-know list (their assigned row goes when they stop being named)."""

    __tablename__ = "assignees"
    __table_args__ = (
        UniqueConstraint("assignment_id", "user_id"),
        Index("ix_assignees_user_id", "user_id", "assignment_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(10))  # AssigneeRole
    membership: Mapped[bool] = mapped_column(default=False, server_default=false())
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")


class Analysis(Model):
    """One filing of a function's analysis; refiling adds a version and keeps the old ones."""

    __tablename__ = "analyses"
    __table_args__ = (UniqueConstraint("case_id", "function_key", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    function_key: Mapped[str] = mapped_column(String(50))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    recommendation: Mapped[str] = mapped_column(String(60))
    version: Mapped[int] = mapped_column(default=1)
    current: Mapped[bool] = mapped_column(default=True)
    # The case's round when it was filed (a reopen starts a new round; see cases/rounds.py).
    round: Mapped[int] = mapped_column(default=1, server_default="1")
    # Legal advice (attorney-client privilege): its text, answers and recommendation are shown
    # only to the case's members, executives and admins (see auth.permissions.can_read_privileged)
    privileged: Mapped[bool] = mapped_column(default=False, server_default=false())
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    case: Mapped[Case] = relationship(back_populates="analyses")
    author: Mapped[User] = relationship(lazy="joined")


class Decision(Model):
    __tablename__ = "decisions"
    __table_args__ = (UniqueConstraint("case_id", "round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    round: Mapped[int] = mapped_column(default=1)
    executive_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    option_key: Mapped[str] = mapped_column(String(60))
    rationale: Mapped[str] = mapped_column(Text)
    conditions: Mapped[str] = mapped_column(Text, default="")
    overridden: Mapped[bool] = mapped_column(default=False)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    case: Mapped[Case] = relationship(back_populates="decisions")
    executive: Mapped[User] = relationship(lazy="joined")


class CaseMember(Model):
    """Who is on a case's need-to-know list besides its opener: a person named by the opener,
    an admin or an executive (``kind`` named, ``function_key`` ''), or a lead assigned to file
    for a function (``kind`` assigned: the function's leads when the case was opened, or the
    leads the opener named). A restricted case is visible to exactly these people, its opener,
    executives and admins; a privileged analysis, on any case, likewise."""

    __tablename__ = "case_members"
    __table_args__ = (
        UniqueConstraint("case_id", "user_id", "function_key"),
        # "the restricted cases I am a member of", for every list and search
        Index("ix_case_members_user_id", "user_id", "case_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))  # MemberKind
    function_key: Mapped[str] = mapped_column(String(50), default="", server_default="")
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")


class Follow(Model):
    __tablename__ = "follows"
    # By user: "Cases I follow" (the primary key serves lookups by case).
    __table_args__ = (Index("ix_follows_user_id", "user_id", "case_id"),)

    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class Draft(Model):
    """What one user typed into one form and has not submitted yet (see cases/drafts.py).

    ``form_key`` names the form (``analysis:<ref>:<function>``, ``decision:<ref>``,
    ``action:<ref>``); ``fields`` maps each field's name to its values as posted (a list: a
    group of checkboxes has several). Only its own user ever reads it.
    """

    __tablename__ = "drafts"
    __table_args__ = (UniqueConstraint("user_id", "form_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    form_key: Mapped[str] = mapped_column(String(120))
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class LawStage(Model):
    """One dated stage of the law a case is about (draft, adopted, in force, amended, struck
    down…), with the link that shows it; the latest-dated row is the case's current ``stage``.
    ``alert_id``: the alert that reported it, when it was attached from triage."""

    __tablename__ = "law_stages"
    __table_args__ = (Index("ix_law_stages_case_id_dated", "case_id", "dated"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    stage: Mapped[str] = mapped_column(String(20))
    dated: Mapped[date] = mapped_column(Date)
    source_url: Mapped[str] = mapped_column(String(2000), default="", server_default="")
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alerts.id", ondelete="SET NULL"))
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    added_by: Mapped[User | None] = relationship(lazy="joined")


class AnalysisDraft(Model):
    """One function's draft filing on one case: what a lead submitted while a required
    question was open (or asked to keep as a draft), until the function files; not a version of
    the analysis (see cases/draft_filings.py)."""

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
