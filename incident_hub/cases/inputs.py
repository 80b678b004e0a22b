"""What each case action takes: the typed inputs every door builds (see :mod:`..schemas`)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import AfterValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from ..schemas import (
    Blank,
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
    required_in_document,
)
from ..vocabulary import CaseStatus
from .models import LIMITS, Stage

SORTS = ("salience", "newest")  # orders of the case list (web, API, CLI, Slack)
Status = CaseStatus  # one named enum in the OpenAPI document, wherever a case status is


class OpenCase(Input):
    """Open a case from a playbook."""

    playbook: str = Field(description="Playbook key, e.g. content-takedown", max_length=100)
    title: Required(LIMITS["title"])  # type: ignore[valid-type]
    jurisdiction: Jurisdiction = Field(
        description="ISO 3166 alpha-2 code or EU (or an English country name, stored as its code)"
    )
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


class RecordDecision(Input):
    """The executive decision for the current round."""

    option: str = Field(max_length=100, description="One of the playbook's options")
    rationale: Required(LIMITS["rationale"])  # type: ignore[valid-type]
    conditions: Text(LIMITS["rationale"]) = ""  # type: ignore[valid-type]
    override: Flag = Field(False, description="Decide while required analyses are pending")


class Note(Input):
    """A short note that goes with an action (close, reopen, waive, request a decision)."""

    note: Text(LIMITS["note"]) = ""  # type: ignore[valid-type]


class RequiredNote(Input):
    """A note the action cannot go without (reopen: why; waive: why this function is excused)."""

    note: Required(LIMITS["note"])  # type: ignore[valid-type]


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
