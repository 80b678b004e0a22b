"""Which notices to list (see :mod:`..schemas`)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from ..schemas import Blank, Page, Text
from ..vocabulary import NoticeStatus


class NoticeFilters(Page):
    status: Annotated[NoticeStatus | None, Blank] = None
    case: Text(40) = Field("", description="A case reference")  # type: ignore[valid-type]
