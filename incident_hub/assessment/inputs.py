"""What saving an assessment takes: the fields given, each checked (see :mod:`..schemas`).

A partial update: only the fields sent change (``model_fields_set``), and within ``tests``
only the tests, and of each test only the ``answer`` or ``note``, that were sent.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from ..schemas import Blank, Input, OneOf, Text
from .vocabulary import ANSWERS, GROUPS, INVOLVEMENT, LIMITS, RIGHTS, SCORES, TESTS


def _keys_of(vocabulary: dict[str, str], description: str) -> Any:
    """A list of ``vocabulary`` keys, deduplicated, in the vocabulary's order."""

    def check(values: list[str]) -> list[str]:
        for value in values:
            if value not in vocabulary:
                shown = "".join(ch for ch in value if ch.isprintable())[:40]
                raise PydanticCustomError(
                    "unknown_key",
                    "has an unknown value '{value}' (known: {known})",
                    {"value": shown, "known": ", ".join(vocabulary)},
                )
        return [key for key in vocabulary if key in values]

    return Annotated[
        list[Annotated[str, Field(strict=True)]],
        BeforeValidator(lambda value: [] if value is None else value),
        AfterValidator(check),
        Field(
            description=description,
            json_schema_extra={"items": {"enum": list(vocabulary)}, "uniqueItems": False},
        ),
    ]


def score(key: str) -> Any:
    """A score of 1-5 (or null: not scored), documented with its levels."""
    levels = SCORES[key]["levels"]
    guidance = "; ".join(f"{n} {name}: {text}" for n, (name, text) in levels.items())
    return Annotated[
        int | None,
        Field(None, ge=1, le=5, strict=True, description=f"{SCORES[key]['question']} {guidance}"),
    ]


RightList = _keys_of(RIGHTS, "Rights affected")
GroupList = _keys_of(GROUPS, "Groups at heightened risk (UNGP 18)")


class TestAnswer(Input):
    """One of Telenor's tests: the answer, a note, or both."""

    model_config = ConfigDict(extra="forbid")

    answer: Annotated[OneOf(tuple(ANSWERS)) | None, Blank] = None  # type: ignore[valid-type]
    note: Text(LIMITS["test_note"]) = ""  # type: ignore[valid-type]


def _known_tests(value: Any) -> Any:
    if isinstance(value, dict):
        for key in value:
            if key not in TESTS:
                shown = "".join(ch for ch in str(key) if ch.isprintable())[:40]
                raise PydanticCustomError(
                    "unknown_test",
                    "has an unknown test '{key}' (Telenor's tests: {known})",
                    {"key": shown, "known": ", ".join(TESTS)},
                )
    return value


Tests = Annotated[
    dict[str, TestAnswer],
    BeforeValidator(_known_tests),
    Field(
        description="Telenor's tests: " + "; ".join(t for t, _ in TESTS.values()),
        json_schema_extra={"propertyNames": {"enum": list(TESTS)}},
    ),
]


class AssessmentInput(Input):
    """Only the fields given change. Admins and human-rights leads: every field; legal
    leads: tests only."""

    model_config = ConfigDict(extra="forbid")

    rights: RightList = []  # type: ignore[valid-type]
    at_risk_groups: GroupList = []  # type: ignore[valid-type]
    groups_note: Text(LIMITS["groups_note"]) = ""  # type: ignore[valid-type]
    scale: score("scale")  # type: ignore[valid-type]
    scope: score("scope")  # type: ignore[valid-type]
    irremediability: score("irremediability")  # type: ignore[valid-type]
    likelihood: score("likelihood")  # type: ignore[valid-type]
    involvement: Annotated[OneOf(tuple(INVOLVEMENT)) | None, Blank] = Field(  # type: ignore[valid-type]
        None,
        description="UNGP 19: the company causes, contributes to or is directly linked to "
        "the impact",
    )
    leverage: Text(LIMITS["leverage"]) = ""  # type: ignore[valid-type]
    tests: Tests = Field(default_factory=dict)
    version: int | None = Field(
        None, ge=0, strict=True, description="The version you read; 409 if it changed since"
    )
