"""What the exports take: which year and format (see :mod:`..schemas`)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError

from ..schemas import Input, OneOf
from .transparency import FORMATS, MAX_YEAR, MIN_YEAR

DOSSIER_FORMATS = ("md", "pdf")


def _year(value: Any) -> Any:
    """A four-digit year (a query string's "2026" or JSON's 2026); blank: none given."""
    if value in (None, ""):
        return None
    text = str(value).strip() if not isinstance(value, bool) else "x"
    if not (text.isascii() and text.isdigit() and len(text) == 4):
        raise PydanticCustomError("year", "must be a four-digit year, e.g. 2026")
    year = int(text)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise PydanticCustomError("year", f"must be between {MIN_YEAR} and {MAX_YEAR}")
    return year


class TransparencyExport(Input):
    year: Annotated[int | None, BeforeValidator(_year)] = Field(
        None,
        ge=MIN_YEAR,
        le=MAX_YEAR,
        description="Year the cases were opened (default: this year)",
    )
    format: Annotated[OneOf(FORMATS), BeforeValidator(lambda v: v or "json")] = "json"  # type: ignore[valid-type]


class DossierExport(Input):
    format: Annotated[OneOf(DOSSIER_FORMATS), BeforeValidator(lambda v: v or "md")] = "md"  # type: ignore[valid-type]
