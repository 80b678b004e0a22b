"""What the case API answers: the documented shapes of ``serialize.py``'s dictionaries.

The OpenAPI document is generated from these models (``api/spec.py``), and the API's tests
check every answer against that document, so a key added to ``serialize.py`` and not here is
caught.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import Field, RootModel

from ..assessment.outputs import Assessment
from ..schemas import Shape
from ..vocabulary import AssignmentStatus, MemberKind
from .inputs import Status
from .models import Stage

Band = Literal["low", "medium", "high", "critical"]


class CaseSummary(Shape):
    ref: str = Field(pattern=r"^INC-[0-9]{4}-[0-9]{4,}$", examples=["INC-2026-0007"])
    title: str
    playbook: str
    jurisdiction: str = Field(description="The primary jurisdiction (the first of `jurisdictions`)")
    jurisdictions: list[str] = Field(
        description="Every jurisdiction the case concerns, the primary one first"
    )
    status: Status
    restricted: bool
    opened_at: datetime | None
    decision_due_at: datetime | None
    salience: int = Field(0, ge=0, le=100, description="1-100; 0: not assessed")
    salience_band: Band | None = None


class Intake(Shape):
    instrument: str
    authority: str
    legal_basis: str
    stage: Stage | None
    effective_date: date | None
    response_deadline: datetime | None
    gag_order: bool
    source_url: str


class OpenQuestion(Shape):
    key: str
    text: str
    required: bool = Field(description="Must be answered before the function counts as filed")


class Completeness(Shape):
    """How many of the function's playbook questions have a real answer (blank, one
    character or a placeholder such as n/a does not count), and which are still open."""

    questions: int = Field(0, ge=0, description="The function's questions in the playbook")
    answered: int = Field(0, ge=0, examples=[4])
    complete: bool = Field(True, description="Every required question is answered")
    open_questions: list[OpenQuestion] = Field(default_factory=list)
    missing_required: list[str] = Field(
        default_factory=list, description="Keys of the required questions still open"
    )


class Assignment(Completeness):
    function: str
    title: str
    lead: str | None = Field(description="The first lead of the function, if any")
    leads: list[str]
    owner: str | None = Field(
        None, description="The email of the person who owns it (reminded; None: not taken yet)"
    )
    delegates: list[str] = Field(
        default_factory=list, description="The emails of the people it is delegated to"
    )
    required: bool
    status: AssignmentStatus = Field(
        description="pending, draft (submitted with required questions open: not filed), "
        "filed or waived"
    )
    due_at: datetime | None
    filed_at: datetime | None
    draft_saved_at: datetime | None = Field(
        None, description="When the function's draft filing was last saved, if it has one"
    )
    draft_by: str | None = Field(None, description="Email of whoever saved that draft")


class Analysis(Completeness):
    function: str
    author: str
    analysis: str
    answers: dict[str, str]
    recommendation: str
    version: int
    current: bool
    filed_at: datetime | None
    privileged: bool = Field(
        description="Legal advice: read only by the case's members, executives and admins"
    )
    withheld: bool = Field(
        description="Privileged and you may not read it: analysis, answers and "
        "recommendation are empty"
    )


class Decision(Shape):
    option: str
    rationale: str
    conditions: str
    executive: str
    override: bool
    round: int
    decided_at: datetime | None


class GovernmentResponse(Shape):
    """What the government did next after one round, and the lesson learned."""

    round: int
    government_response: str = Field(
        description="backed_down, amended, no_response, enforced, escalated, fined, throttled, "
        "blocked, staff_targeted, court_ruling_for_us, court_ruling_against or unknown"
    )
    government_response_title: str = Field(description="As people read it")
    note: str
    lesson: str
    recorded_by: str | None
    recorded_at: datetime | None


class Case(CaseSummary):
    summary: str
    intake: Intake
    opened_by: str
    round: int
    version: int = Field(
        description="Bumped by every change to the case: send it back (or If-Match with the "
        "ETag) when editing, so that a change made meanwhile is not overwritten (409)"
    )
    assignments: list[Assignment]
    analyses: list[Analysis] = Field(description="Every version filed, oldest first")
    decision: Decision | None = Field(description="The current round's decision")
    decisions: list[Decision] = Field(description="Every round's decision")
    assessment: Assessment | None = Field(
        None, description="The human-rights assessment (null: nobody has assessed the case)"
    )
    government_responses: list[GovernmentResponse] = Field(
        default_factory=list,
        description="What the government did next and the lesson, per round recorded",
    )


class CaseList(RootModel[list[CaseSummary]]):
    pass


class Member(Shape):
    user_id: int
    email: str
    name: str
    kind: MemberKind = Field(description="opener, named, or assigned (a lead of `function`)")
    function: str | None = Field(description="The function an assigned lead files for")
    added_by: str | None
    added_at: datetime | None


class MemberList(RootModel[list[Member]]):
    pass


class LawStage(Shape):
    id: int
    stage: Stage
    label: str = Field(description="The stage as people read it (In force)")
    dated: date = Field(description="When the law reached that stage")
    source_url: str
    note: str
    alert_id: int | None = Field(description="The alert that reported it, if any")
    added_by: str | None = Field(description="Email of whoever recorded it")
    added_at: datetime
    current: bool = Field(description="The latest-dated stage: the case's current stage")


class LawStageList(RootModel[list[LawStage]]):
    pass


class Following(Shape):
    ref: str
    following: bool


class TimelineEvent(Shape):
    at: datetime
    actor: str
    action: str
    origin: str = Field(description="web, api, slack, cli or system")
    details: dict[str, Any]


class Timeline(RootModel[list[TimelineEvent]]):
    pass


class Question(Shape):
    key: str
    text: str
    required: bool = Field(
        False, description="Must be answered before the function's analysis counts as filed"
    )


class PlaybookFunction(Shape):
    key: str
    title: str
    due_days: float = Field(
        description="Time to the analysis without a response deadline: business days, or "
        "clock time in days (hours / 24) on an urgent playbook"
    )
    deadline_share: float = Field(
        description="With a response deadline: due after this share of the time to it"
    )
    required: bool
    questions: list[Question]


class Option(Shape):
    key: str
    title: str
    description: str


class Playbook(Shape):
    key: str
    title: str
    summary: str
    rights: list[str]
    urgent: bool = Field(description="Due times in hours, reminders around the clock")
    decision_due_days: float
    decision_before_deadline_hours: float = Field(
        description="With a response deadline: the decision is due this long before it"
    )
    functions: list[PlaybookFunction]
    options: list[Option]


class PlaybookList(RootModel[list[Playbook]]):
    pass


class DraftOut(Shape):
    form: str = Field(examples=["analysis:INC-2026-0007:legal"])
    fields: dict[str, list[str]] = Field(description="Each form field's values as typed")
    updated_at: datetime | None


class DraftDiscarded(Shape):
    form: str
    deleted: bool = Field(description="False: there was no draft")


# --- rounds: each round of a case as it happened (cases/rounds.py)


class RoundAnalysis(Shape):
    function: str
    author: str
    version: int
    recommendation: str = Field(description="Empty when withheld")
    privileged: bool
    withheld: bool = Field(description="Privileged and you may not read it")
    filed_at: datetime | None


class RoundAction(Shape):
    id: int
    title: str
    owner: str
    owner_name: str
    due_at: datetime | None
    outcome: Literal["open", "done", "waived", "carried"] = Field(
        description="What became of it in this round: carried: moved on to the next round"
    )
    note: str = Field(description="What was done, or why it was waived")
    completed_at: datetime | None


class Round(Shape):
    number: int
    current: bool
    opened_at: datetime | None = Field(description="When the case was opened or reopened")
    opened_by: str = Field(description="Who opened (round 1) or reopened it")
    note: str = Field(description="Why it was reopened (empty for round 1)")
    closed_at: datetime | None
    analyses: list[RoundAnalysis] = Field(description="Every version filed in this round")
    decision: Decision | None
    actions: list[RoundAction]


class RoundList(RootModel[list[Round]]):
    pass
