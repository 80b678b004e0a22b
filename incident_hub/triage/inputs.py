"""What the triage actions take: which alerts to list, dismiss or link (see :mod:`..schemas`)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from ..cases.models import Stage
from ..schemas import Blank, Input, OptionalDate, Page, Required, Text
from ..vocabulary import AlertStatus

MAX_BULK = 1000


class AlertFilters(Page):
    """Which alerts to list (each filter optional; every status unless status is given)."""

    status: Annotated[AlertStatus | None, Blank] = None
    topic: Text(100) = Field(  # type: ignore[valid-type]
        "", description="A topic: its key, the start of a word of it or of its name (encryption)"
    )
    right: Text(100) = Field(  # type: ignore[valid-type]
        "", description="A right: its key or the start of a word of its name (expression)"
    )
    jurisdiction: Text(100) = Field(  # type: ignore[valid-type]
        "", description="An ISO 3166 alpha-2 or alpha-3 code, EU, or a country's name"
    )
    source: Text(60) = Field("", description="A source's key")  # type: ignore[valid-type]
    min_score: Annotated[float | None, Blank] = Field(
        None, description="Only alerts scoring this or more"
    )
    sort: Annotated[Literal["date", "score", "source"] | None, Blank] = Field(
        None,
        description="date (the default): newest first; score: highest first; "
        "source: by source's name, newest first",
    )


class Dismiss(Input):
    """Why the alert does not need a case (kept with it; the alert can be restored)."""

    reason: Required(2000)  # type: ignore[valid-type]


class BulkDismiss(Dismiss):
    ids: list[int] = Field(min_length=1, max_length=MAX_BULK, description="Alert ids")


class Link(Input):
    """Attach the alert to an existing case; with ``stage``, also as a new dated stage of the
    case's law (its source link: the alert's item), in the same transaction."""

    case: Required(40) = Field(examples=["INC-2026-0007"])  # type: ignore[valid-type]
    stage: Annotated[Stage | None, Blank] = Field(
        None, description="The stage of the case's law this alert reports (adopted, in_force…)"
    )
    dated: OptionalDate = Field(
        None,
        description="With stage: when the law reached it (default: the item's publication "
        "date, else today)",
    )
