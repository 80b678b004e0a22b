"""What the follow-through API answers: the documented shapes of ``serialize.py``'s
dictionaries."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field, RootModel

from ..cases.inputs import Status
from ..cases.outputs import Shape
from ..vocabulary import ActionStatus
from .inputs import LinkKind


class Action(Shape):
    id: int
    case: str = Field(description="The case's reference")
    round: int = Field(description="The round of the case it belongs to")
    carried_from_round: int | None = Field(
        None, description="Carried over by a reopen: the round it was first added in"
    )
    current_round: bool
    title: str
    detail: str
    owner: str = Field(description="The owner's email")
    owner_name: str
    due_at: datetime
    overdue: bool
    review_on: date | None
    status: ActionStatus
    note: str = Field(description="What was done, or why it was waived")
    effectiveness: str = Field(description="What the review found")
    created_at: datetime
    completed_at: datetime | None
    last_reminded_at: datetime | None


class ActionList(RootModel[list[Action]]):
    pass


class LinkedCase(Shape):
    ref: str
    title: str
    status: Status
    jurisdiction: str
    restricted: bool


class CaseLink(Shape):
    id: int
    kind: LinkKind
    direction: Literal["outgoing", "incoming"] = Field(
        description="outgoing: this case is the link's subject (for duplicate_of, this case "
        "is the duplicate)"
    )
    relation: str = Field(description="The link in words, as this case sees it")
    note: str
    created_at: datetime
    other: LinkedCase


class CaseLinkList(RootModel[list[CaseLink]]):
    pass


class Unlinked(Shape):
    id: int
    kind: LinkKind
    deleted: bool
