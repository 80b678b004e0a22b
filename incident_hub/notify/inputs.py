"""Which notices to list (see :mod:`..schemas`)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from ..schemas import Blank, OneOf, Page, Text
from .models import NOTICE_STATUSES


class NoticeFilters(Page):
    status: Annotated[OneOf(NOTICE_STATUSES) | None, Blank] = None  # type: ignore[valid-type]
    case: Text(40) = Field("", description="A case reference")  # type: ignore[valid-type]
