"""What the precedent API answers: search hits and similar cases."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field, RootModel

from ..cases.inputs import Status
from ..cases.outputs import Shape


class WhatHappenedNext(Shape):
    """What the government did next after the case's latest recorded round, and the lesson."""

    government_response: str | None = Field(
        description="backed_down, amended, fined, blocked, court_ruling_for_us, … (null: "
        "nothing recorded yet)"
    )
    government_response_title: str | None = Field(description="As people read it")
    government_response_note: str = Field(description="The start of the note on it")
    lesson: str = Field(description="The start of the lesson learned")
    response_round: int | None = Field(description="The round it was recorded for")
    response_recorded_at: datetime | None


class CaseFacts(Shape):
    ref: str
    title: str
    status: Status
    playbook: str
    jurisdiction: str
    restricted: bool
    opened_at: datetime


class SearchHit(CaseFacts, WhatHappenedNext):
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
    executive: str = Field(description="The name of the executive who decided")
    decided_at: datetime
    rationale: str = Field(description="The start of it")


class Outcome(Shape):
    """Secondary facts: the case's status and its follow-through actions (what happened next
    is in ``government_response`` and ``lesson``)."""

    status: Status
    actions_done: int
    actions_waived: int
    actions_total: int


class SimilarCase(CaseFacts, WhatHappenedNext):
    score: float = Field(ge=0, le=1)
    reasons: list[str] = Field(
        description="Why it matched, e.g. 'same situation: internet shutdown or blocking', "
        "'same instrument: Law 7253'"
    )
    decision: PastDecision | None
    outcome: Outcome


class SimilarCaseList(RootModel[list[SimilarCase]]):
    pass
