"""What the monitoring API answers: the documented shapes of ``serialize.py``'s dictionaries."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field, RootModel

from ..cases.inputs import Status
from ..schemas import Shape


class Schedule(Shape):
    owner: str = Field(description="The review's owner's email")
    owner_name: str
    next_review_at: datetime
    overdue: bool
    every_days: int
    until: date | None = Field(description="No re-review after this date")
    note: str
    started_at: datetime
    last_reminded_at: datetime | None


class Review(Shape):
    id: int
    round: int = Field(description="The case's round that was under monitoring")
    due_at: datetime
    reviewed_at: datetime
    reviewer: str | None = Field(description="The reviewer's email")
    reviewer_name: str | None
    outcome: Literal["continue", "reopen", "end"]
    note: str


class ReviewList(RootModel[list[Review]]):
    pass


class Monitoring(Shape):
    case: str = Field(description="The case's reference")
    status: Status
    monitoring: Schedule | None = Field(description="null: the case is not under monitoring")
    reviews: list[Review] = Field(description="Every re-review recorded, newest first")
