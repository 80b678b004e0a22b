# mypy: disable-error-code="valid-type,assignment"
# (field types built by functions, and None meaning "not sent" in partial changes)
"""What each monitoring action takes: the typed inputs every door builds (see
:mod:`..schemas`). Who the owner is (an active user who may see the case) and how the dates
relate to now and to each other need the database or the clock: both stay in the service."""

from __future__ import annotations

from typing import Annotated

from pydantic import ConfigDict, Field

from ..cases.inputs import CARRY_OR_CLOSE
from ..cases.models import LIMITS
from ..followthrough.inputs import Owner
from ..schemas import (
    Blank,
    Changes,
    Flag,
    Input,
    OneOf,
    OptionalDate,
    OptionalMoment,
    Required,
    Text,
    Whole,
    required_in_document,
)
from .models import OUTCOMES

NOTE_MAX = LIMITS["note"]
MAX_EVERY_DAYS = 3650  # ten years between two re-reviews is the most that means anything

EveryDays = Annotated[
    Whole,
    Field(ge=1, le=MAX_EVERY_DAYS, description="Days between two re-reviews (e.g. 90)"),
]
ReviewAt = Annotated[
    OptionalMoment,
    Field(description="When the (next) re-review is due; a bare date: the end of that day UTC"),
]
Until = Annotated[
    OptionalDate,
    Field(description="No re-review after this date (e.g. when the law is fully in force)"),
]


class StartMonitoring(Input):
    """Put a decided case under monitoring: re-reviewed every ``every_days`` days."""

    model_config = ConfigDict(json_schema_extra=required_in_document("every_days"))

    every_days: EveryDays | None = Field(None, validate_default=True)
    review_at: ReviewAt = Field(
        None, description="The first re-review; default: every_days from now"
    )
    until: Until = None
    owner: Owner = Field(
        None, description="Who re-reviews (an active user who may see the case); default: you"
    )
    note: Text(NOTE_MAX) = ""


class MonitoringChanges(Changes):
    """Any of: the owner, the cadence, the next re-review, the last date (null: none); or
    ``stop`` (with a note): the case leaves monitoring and is decided again."""

    owner: Owner = None
    every_days: EveryDays | None = None
    review_at: ReviewAt = Field(None, description="The next re-review (cannot be removed)")
    until: Until = Field(None, description="null: no last date")
    stop: Flag = Field(None, description="End monitoring without a re-review (a note says why)")
    note: Text(NOTE_MAX) = Field(None, description="Why (required to stop)")


class RecordReview(Input):
    """A re-review of a monitored case: what it found, and what follows."""

    outcome: OneOf(
        OUTCOMES,
        "continue: next re-review one cadence after this one was due (none after until: "
        "monitoring ends); reopen: the case is reopened as a new round (who may reopen: "
        "admins); end: monitoring ends, the case stays decided",
    )
    note: Required(NOTE_MAX) = Field(description="What the re-review found")
    # outcome reopen: what becomes of each open action, as a reopen takes it (cases.inputs)
    actions: dict[Text(20), OneOf(CARRY_OR_CLOSE)] = Field(
        default_factory=dict,
        max_length=500,
        description="With reopen: action id -> carry (to the new round) or close (waived)",
    )
    all_actions: Annotated[OneOf(CARRY_OR_CLOSE) | None, Blank] = Field(
        None, description="With reopen: what to do with every open action `actions` does not name"
    )
