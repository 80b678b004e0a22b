"""What the precedent API answers: search hits and similar cases."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field, RootModel

from ..cases.inputs import Status
from ..cases.outputs import Shape


class CaseFacts(Shape):
    ref: str
    title: str
    status: Status
    playbook: str
    jurisdiction: str
    restricted: bool
    opened_at: datetime


class SearchHit(CaseFacts):
    rank: float = Field(description="Higher is better, within one search")
    snippet: str = Field(description="Matching text, plain")
    snippet_html: str = Field(
        description="The snippet as HTML: text escaped, matched words in <mark>"
    )


class SearchHitList(RootModel[list[SearchHit]]):
    pass


class PastDecision(Shape):
    """The decision of a similar case's current round."""

    option: str
    option_title: str
    decided_at: datetime
    rationale: str = Field(description="The start of it")


class Outcome(Shape):
    status: Status
    actions_done: int
    actions_waived: int
    actions_total: int


class SimilarCase(CaseFacts):
    score: float = Field(ge=0, le=1)
    reasons: list[str] = Field(
        description="Why it matched, e.g. 'same situation: internet shutdown or blocking', "
        "'same instrument: Law 7253'"
    )
    decision: PastDecision | None
    outcome: Outcome


class SimilarCaseList(RootModel[list[SimilarCase]]):
    pass
