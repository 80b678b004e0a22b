# mypy: disable-error-code="valid-type,assignment"
# (field types built by functions, and a Literal of the rights' keys)
"""What search and similar cases take: the typed inputs every door builds (see
:mod:`..schemas`). The words of a query are read by :func:`.terms.parse` (a small query
language: phrases, -excluded, OR), which says in words what it cannot search for."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from ..assessment.vocabulary import RIGHTS
from ..cases.inputs import LESSON_CHARS, Status
from ..cases.models import LIMITS
from ..schemas import (
    Blank,
    Input,
    Jurisdiction,
    OneOf,
    OptionalDate,
    Page,
    Text,
    Whole,
    required_in_document,
)
from ..vocabulary import GOVERNMENT_RESPONSES
from .terms import MAX_QUERY_CHARS

Right = Literal[tuple(RIGHTS)]
MAX_LIMIT = 20  # similar cases at most


def _in_range(day: date | None) -> date | None:
    if day is not None and not 1900 <= day.year <= 9998:
        raise PydanticCustomError("day", "is out of range")
    return day


Day = Annotated[OptionalDate, AfterValidator(_in_range)]


class SearchFilters(Input):
    """Which cases a search looks in (each filter optional)."""

    playbook: Text(60) = Field("", description="Playbook key")
    jurisdiction: Annotated[Jurisdiction | None, Blank] = Field(
        None, description="ISO 3166 country code or EU"
    )
    status: Annotated[Status | None, Blank] = None
    right: Annotated[Right | None, Blank] = Field(
        None, description="A right at stake (the assessment's, else the playbook's)"
    )
    year: Annotated[int | None, Blank] = Field(
        None, ge=1900, le=9998, description="Opened that year"
    )
    opened_from: Day = Field(None, description="Opened on or after")
    opened_to: Day = Field(None, description="Opened on or before")


def _words(schema: dict[str, Any]) -> None:
    required_in_document("q")(schema)
    schema["properties"]["q"]["minLength"] = 1


class SearchQuery(Page, SearchFilters):
    """A full-text search: the words, the filters and the page."""

    model_config = ConfigDict(json_schema_extra=_words)

    q: Text(MAX_QUERY_CHARS) = Field(
        "", description='Words to find: "a phrase", -excluded, a OR b (at most 32 words)'
    )


class SimilarQuery(Input):
    """How many similar cases to show."""

    limit: int = Field(5, ge=1, le=MAX_LIMIT)


class RecordGovernmentResponse(Input):
    """What the government did next after a round of a case, and the lesson learned: for a
    closed case's round, or an earlier round of a reopened one. Recording again replaces it."""

    government_response: OneOf(GOVERNMENT_RESPONSES) = Field(
        description="What the government did next"
    )
    note: Text(LIMITS["note"]) = Field("", description="More on what the government did")
    lesson: Text(LESSON_CHARS) = Field("", description="The lesson learned, for precedent")
    round: Annotated[Whole | None, Blank] = Field(
        None, ge=1, description="The round (default: the case's current round, once closed)"
    )
