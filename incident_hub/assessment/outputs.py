"""What the assessment API answers: the documented shape of ``assessment_to_dict``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field

from ..schemas import OneOf, Shape
from .inputs import GroupList, RightList, score
from .vocabulary import ANSWERS, INVOLVEMENT, TESTS

Band = OneOf(("low", "medium", "high", "critical"))


class TelenorTest(Shape):
    answer: Annotated[OneOf(tuple(ANSWERS)) | None, Field()]  # type: ignore[valid-type]
    note: str


class Assessment(Shape):
    """The whole assessment, empty fields too; ``version`` 0: nobody has assessed the case."""

    case: str = Field(examples=["INC-2026-0007"])
    rights: RightList  # type: ignore[valid-type]
    at_risk_groups: GroupList  # type: ignore[valid-type]
    groups_note: str
    scale: score("scale")  # type: ignore[valid-type]
    scope: score("scope")  # type: ignore[valid-type]
    irremediability: score("irremediability")  # type: ignore[valid-type]
    likelihood: score("likelihood")  # type: ignore[valid-type]
    involvement: OneOf(tuple(INVOLVEMENT)) | None  # type: ignore[valid-type]
    leverage: str
    tests: dict[str, TelenorTest] = Field(
        json_schema_extra={"propertyNames": {"enum": list(TESTS)}}
    )
    salience: int = Field(
        ge=0,
        le=100,
        description="(scale + scope + 2 × irremediability) × likelihood; 0 until all four "
        "are scored",
    )
    band: Band | None  # type: ignore[valid-type]
    version: int = Field(ge=0, description="0: not assessed yet")
    updated_by: str | None
    updated_at: datetime | None
