"""Which audit events to list (see :mod:`..schemas`)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from ..schemas import Blank, OneOf, Page, Text

OUTCOMES = ("ok", "denied")


class AuditFilters(Page):
    action: Text(60) = Field("", description="Action prefix, e.g. case.")  # type: ignore[valid-type]
    actor: Text(254) = Field("", description="The actor's e-mail")  # type: ignore[valid-type]
    case: Text(40) = Field("", description="A case reference")  # type: ignore[valid-type]
    outcome: Annotated[OneOf(OUTCOMES) | None, Blank] = None  # type: ignore[valid-type]
