"""What the triage actions take: which alerts to list, dismiss or link (see :mod:`..schemas`)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from ..schemas import Blank, Input, Page, Required, Text
from ..vocabulary import AlertStatus

MAX_BULK = 1000


class AlertFilters(Page):
    """Which alerts to list (each filter optional; every status unless status is given)."""

    status: Annotated[AlertStatus | None, Blank] = None
    topic: Text(100) = Field("", description="A topic key, e.g. shutdown")  # type: ignore[valid-type]
    right: Text(100) = Field("", description="A right key, e.g. expression")  # type: ignore[valid-type]
    jurisdiction: Text(100) = Field("", description="ISO 3166 alpha-2 code")  # type: ignore[valid-type]
    source: Text(60) = Field("", description="A source's key")  # type: ignore[valid-type]
    min_score: Annotated[float | None, Blank] = Field(
        None, description="Only alerts scoring this or more"
    )


class Dismiss(Input):
    """Why the alert does not need a case (kept with it; the alert can be restored)."""

    reason: Required(2000)  # type: ignore[valid-type]


class BulkDismiss(Dismiss):
    ids: list[int] = Field(min_length=1, max_length=MAX_BULK, description="Alert ids")


class Link(Input):
    """Attach the alert to an existing case."""

    case: Required(40) = Field(examples=["INC-2026-0007"])  # type: ignore[valid-type]
