"""What each case action takes: the typed inputs every door builds (see :mod:`..schemas`)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, AliasChoices, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from ..schemas import (
    Blank,
    Changes,
    Flag,
    Input,
    Jurisdiction,
    OneOf,
    OptionalDate,
    OptionalMoment,
    Page,
    Required,
    Text,
    WebLink,
    Whole,
    country_code,
    required_in_document,
)
from ..vocabulary import GOVERNMENT_RESPONSES, CaseStatus
from .models import LIMITS, Stage

MAX_JURISDICTIONS = 30  # countries one case may concern


def _jurisdiction_list(value: Any) -> Any:
    """Codes of the jurisdictions named (codes or names, each once, in the order given; blanks
    are left out); one string is a list of one. Refused at the field, naming what was typed."""
    if value is None:
        return None
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        raise PydanticCustomError("list_type", "must be a list")
    codes: list[str] = []
    for item in value:
        if not isinstance(item, str):
            raise PydanticCustomError("jurisdiction", "must be a list of country codes or names")
        if item.strip() and (code := country_code(item)) not in codes:
            codes.append(code)
    if len(codes) > MAX_JURISDICTIONS:
        most = MAX_JURISDICTIONS
        raise PydanticCustomError(
            "too_many", "names {n} countries (at most {most})", {"n": len(codes), "most": most}
        )
    return codes


Jurisdictions = Annotated[
    list[str] | None,
    BeforeValidator(_jurisdiction_list),
    Field(
        description="Every country the case concerns (ISO 3166 alpha-2 codes or EU, or English "
        "country names, stored as codes), the primary one first"
    ),
]

SORTS = ("salience", "newest")  # orders of the case list (web, API, CLI, Slack)
Status = CaseStatus  # one named enum in the OpenAPI document, wherever a case status is


class OpenCase(Input):
    """Open a case from a playbook."""

    playbook: str = Field(description="Playbook key, e.g. content-takedown", max_length=100)
    title: Required(LIMITS["title"])  # type: ignore[valid-type]
    jurisdiction: Annotated[Jurisdiction | None, Blank] = Field(
        None,
        description="The primary jurisdiction: ISO 3166 alpha-2 code or EU (or an English "
        "country name, stored as its code); required unless `jurisdictions` is sent",
    )
    jurisdictions: Jurisdictions = None
    restricted: Flag = Field(
        False, description="Need-to-know: only its members, executives and admins may see it"
    )
    gag_order: Flag = Field(
        False,
        description="The authority forbids disclosure: the case is restricted whatever "
        "`restricted` says (an admin may lift that, with a reason)",
    )
    leads: dict[Text(100), list[Text(320)]] | None = Field(  # type: ignore[valid-type]
        None,
        max_length=50,
        description="Function key -> the emails of the leads assigned to it (each must lead "
        "that function); a function not named here gets every one of its current leads",
    )
    owners: dict[Text(100), Text(320)] | None = Field(  # type: ignore[valid-type]
        None,
        max_length=50,
        description="Function key -> the email of its owner, one of its assigned leads; a "
        "function not named here is owned by its one lead, or waits for a lead to take it",
    )
    stage: Annotated[Stage | None, Blank] = Field(None, description="Where the law or order stands")
    effective_date: OptionalDate = None
    response_deadline: OptionalMoment = Field(
        None, description="When the government wants an answer; a bare date: end of that day"
    )
    summary: Text(LIMITS["summary"]) = ""  # type: ignore[valid-type]
    instrument: Text(LIMITS["instrument"]) = ""  # type: ignore[valid-type]
    authority: Text(LIMITS["authority"]) = ""  # type: ignore[valid-type]
    legal_basis: Text(LIMITS["legal_basis"]) = ""  # type: ignore[valid-type]
    source_url: Text(LIMITS["source_url"]) = ""  # type: ignore[valid-type]
    alert_ids: list[int | str] | None = Field(
        None, max_length=100, description="Alerts this case answers (they leave the queue)"
    )


class EditCase(Changes):
    """Corrections to a case's intake: only the fields sent change (null or blank clears an
    optional one). Send the ``version`` you read (or ``If-Match``): if the case changed since,
    nothing is saved (409)."""

    version: Whole | None = Field(
        None, ge=1, description="The case's version you read; a newer one on the case: 409"
    )
    title: Required(LIMITS["title"]) = None  # type: ignore[valid-type]
    summary: Text(LIMITS["summary"]) = None  # type: ignore[valid-type]
    jurisdictions: Jurisdictions = None
    jurisdiction: Annotated[Jurisdiction | None, Blank] = Field(
        None,
        description="The primary jurisdiction; the case's other jurisdictions are kept (with "
        "`jurisdictions`: put first among them)",
    )
    instrument: Text(LIMITS["instrument"]) = None  # type: ignore[valid-type]
    authority: Text(LIMITS["authority"]) = Field(  # type: ignore[valid-type]
        None,
        validation_alias=AliasChoices("authority", "issuing_authority"),
        description="The issuing authority (also accepted as `issuing_authority`)",
    )
    legal_basis: Text(LIMITS["legal_basis"]) = None  # type: ignore[valid-type]
    stage: Annotated[Stage | None, Blank] = Field(None, description="Where the law or order stands")
    effective_date: OptionalDate = None
    response_deadline: OptionalMoment = Field(
        None, description="When the government wants an answer; a bare date: end of that day"
    )
    gag_order: Flag | None = Field(
        None, description="true: the case becomes restricted; false does not lift a restriction"
    )


class FileAnalysis(Input):
    """A function lead's analysis and recommendation."""

    function: str = Field(max_length=100, description="Function key, e.g. legal")
    analysis: Required(LIMITS["analysis"])  # type: ignore[valid-type]
    recommendation: str = Field(max_length=100, description="One of the playbook's options")
    answers: dict[str, Text(20_000)] = Field(  # type: ignore[valid-type]
        default_factory=dict, max_length=100, description="Question key (or text) -> answer"
    )
    assessment: dict[str, object] | None = Field(
        None, description="Human-rights function: the salience assessment filed with it"
    )
    privileged: Flag = Field(
        False,
        description="Legal advice (attorney-client privilege): its text, answers and "
        "recommendation are shown only to the case's members, executives and admins",
    )
    draft: Flag = Field(
        False,
        description="Keep it as the function's draft filing, not filed. Without it, a filing "
        "that leaves a required question of the playbook unanswered is kept as a draft too",
    )


class RecordDecision(Input):
    """The executive decision for the current round."""

    option: str = Field(max_length=100, description="One of the playbook's options")
    rationale: Required(LIMITS["rationale"])  # type: ignore[valid-type]
    conditions: Text(LIMITS["rationale"]) = ""  # type: ignore[valid-type]
    override: Flag = Field(False, description="Decide while required analyses are pending")


class Note(Input):
    """A short note that goes with an action (close, reopen, waive, request a decision)."""

    note: Text(LIMITS["note"]) = ""  # type: ignore[valid-type]


LESSON_CHARS = 20_000  # a lesson learned, at most


class CloseCase(Note):
    """Close a case: the note (why, for an undecided case) and, optionally, what the
    government did next and the lesson learned (recorded for the round being closed; also
    recordable later with ``PUT /cases/<ref>/government-response``)."""

    government_response: Annotated[OneOf(GOVERNMENT_RESPONSES) | None, Blank] = Field(  # type: ignore[valid-type]
        None, description="What the government did next (default with a lesson: unknown)"
    )
    government_response_note: Text(LIMITS["note"]) = Field(  # type: ignore[valid-type]
        "", description="More on what the government did"
    )
    lesson: Text(LESSON_CHARS) = Field(  # type: ignore[valid-type]
        "", description="The lesson learned, for precedent"
    )


class RequiredNote(Input):
    """A note the action cannot go without (reopen: why; waive: why this function is excused)."""

    note: Required(LIMITS["note"])  # type: ignore[valid-type]


CARRY_OR_CLOSE = ("carry", "close")  # what a reopen does with an earlier round's open action


class Reopen(Input):
    """Reopen a decided or closed case as a new round: why, and what becomes of each action
    of the earlier round that is still open (carried over to the new round, or closed:
    waived with the reopen's note). Every open action must be covered."""

    note: Required(LIMITS["note"])  # type: ignore[valid-type]
    actions: dict[Text(20), OneOf(CARRY_OR_CLOSE)] = Field(  # type: ignore[valid-type]
        default_factory=dict,
        max_length=500,
        description="Action id -> carry (it moves to the new round) or close (waived with "
        "the note)",
    )
    all_actions: Annotated[OneOf(CARRY_OR_CLOSE) | None, Blank] = Field(  # type: ignore[valid-type]
        None, description="What to do with every open action `actions` does not name"
    )


class AddMember(Input):
    """Put a person on a case's need-to-know list by name."""

    user: Required(320) = Field(  # type: ignore[valid-type]
        description="The person's email address (or user id)"
    )


class LiftRestriction(Input):
    """Make a restricted (or gagged) case visible to everyone signed in again (an admin)."""

    reason: Required(LIMITS["note"])  # type: ignore[valid-type]


class CaseFilters(Page):
    """Which cases to list (each filter optional)."""

    status: Annotated[Status | None, Blank] = None
    playbook: Text(100) = ""  # type: ignore[valid-type]
    jurisdiction: Text(100) = ""  # type: ignore[valid-type]
    q: Text(500) = Field("", description="Words to search for")  # type: ignore[valid-type]
    sort: Annotated[OneOf(SORTS) | None, Blank] = Field(  # type: ignore[valid-type]
        None, description="salience (default): highest salience first, then newest"
    )


def _given(value: date | None) -> date:
    if value is None:
        raise PydanticCustomError("missing", "is required")
    return value


StageDate = Annotated[
    OptionalDate,
    AfterValidator(_given),
    Field(description="When the law reached that stage (YYYY-MM-DD)", validate_default=True),
]


class AddStage(Input):
    """A dated stage of the case's law (adopted, in force, amended, struck down…). The stage
    of the latest-dated one becomes the case's current stage."""

    model_config = ConfigDict(json_schema_extra=required_in_document("dated"))

    stage: Stage = Field(description="Where the law stands from that date")
    dated: StageDate = None  # type: ignore[assignment]
    source_url: WebLink(LIMITS["source_url"]) = Field(  # type: ignore[valid-type]
        "", description="The text or announcement that shows it (http or https)"
    )
    note: Text(LIMITS["note"]) = ""  # type: ignore[valid-type]
    alert_id: Annotated[Whole | None, Blank] = Field(
        None, description="The alert that reported it, if any"
    )
