# mypy: disable-error-code="valid-type,assignment"
# (field types built by functions, and None meaning "not sent" in partial changes)
"""What each follow-through action takes: the typed inputs every door builds (see
:mod:`..schemas`).

Who the owner is (an active user who may see the case) needs the database, and rules that
join fields (a status goes with a note) say more in words: both stay in the service.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

from pydantic import BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from ..cases.models import LIMITS
from ..schemas import (
    Blank,
    Changes,
    Input,
    OneOf,
    OptionalDate,
    OptionalMoment,
    Required,
    Text,
    required_in_document,
)
from ..vocabulary import ActionStatus
from .models import LINK_KINDS

TITLE_MAX = 300
DETAIL_MAX = 20_000
NOTE_MAX = LIMITS["note"]
REVIEW_MAX = 20_000

LinkKind = Literal["related", "same_law", "duplicate_of"]
assert get_args(LinkKind) == LINK_KINDS, "LinkKind must list models.LINK_KINDS"


def _not_a_flag(value: Any) -> Any:
    if isinstance(value, bool):
        raise PydanticCustomError("owner", "must be an email or a user id")
    return value


Owner = Annotated[
    int | Annotated[str, Field(max_length=254)] | None,
    BeforeValidator(_not_a_flag),
    Field(
        description="An active user who may see the case: their email or id",
        examples=["legal@example.org"],
    ),
]


def _due_given(value: Any) -> Any:
    if value in (None, ""):
        raise PydanticCustomError("due_at", "is required (a date or date and time)")
    return value


Due = Annotated[
    OptionalMoment,
    BeforeValidator(_due_given),
    Field(description="When it is due; a bare date: the end of that day UTC"),
]
ReviewOn = Annotated[
    OptionalDate,
    Field(description="When to review whether it worked; not before the due date"),
]


class NewAction(Input):
    """An action the decision commits the company to."""

    model_config = ConfigDict(json_schema_extra=required_in_document("owner", "due_at"))

    title: Required(TITLE_MAX)
    detail: Text(DETAIL_MAX) = ""
    owner: Owner = Field(None, validate_default=True)
    due_at: Due = Field(None, validate_default=True)
    review_on: ReviewOn = None


class ActionChanges(Changes):
    """Any of: status with a note (done: the owner, admins, executives; waived: admins,
    executives); effectiveness once the review date has come; owner, due_at, review_on
    (admins, executives, the case's opener)."""

    status: Annotated[OneOf((ActionStatus.DONE, ActionStatus.WAIVED)) | None, Blank] = None  # type: ignore[valid-type]
    note: Text(NOTE_MAX) = Field(None, description="What was done, or why it was waived")
    effectiveness: Required(REVIEW_MAX) = Field(None, description="What the review found")
    owner: Owner = None
    due_at: OptionalMoment = Field(None, description="Cannot be removed")
    review_on: ReviewOn = Field(None, description="null: no review date")


class NewCaseLink(Input):
    """A link to another case; duplicate_of merges this case into the other."""

    other: Required(40) = Field(description="The other case's reference")
    kind: LinkKind
    note: Text(NOTE_MAX) = ""
