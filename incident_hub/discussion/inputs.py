"""What the discussion actions take: the typed inputs every door builds (see :mod:`..schemas`)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from ..schemas import Input, Required, Text, Whole
from .models import MAX_TEXT

MAX_MENTIONS = 50  # people one comment may mention


def _listed(value: Any) -> Any:
    """One address is a list of one; blanks are left out."""
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if isinstance(value, list | tuple):
        return [v for v in value if not (isinstance(v, str) and not v.strip())]
    return value


Address = Annotated[str, Field(max_length=320, strict=True)]
Mentions = Annotated[
    list[Address],
    BeforeValidator(_listed),
    Field(
        max_length=MAX_MENTIONS,
        description="E-mail addresses of people to mention, besides any @name@example.org "
        "written in the text; only people who may read the comment are told",
    ),
]


class NewComment(Input):
    """A comment on a case, or on a function's analysis thread of the case."""

    text: Required(MAX_TEXT) = Field(  # type: ignore[valid-type]
        description="The comment; @alice@example.org mentions (and tells) that person"
    )
    function: Text(50) = Field(  # type: ignore[valid-type]
        "", description="The function whose analysis thread it is in; empty: the case's own"
    )
    to_function: Text(50) = Field(  # type: ignore[valid-type]
        "", description="A question to this function: its assigned leads are told"
    )
    mentions: Mentions = []


class EditComment(Input):
    """A comment's new text (its author, within [CASES] COMMENT_EDIT_MINUTES of posting)."""

    text: Required(MAX_TEXT)  # type: ignore[valid-type]
    mentions: Mentions = []
    version: Annotated[Whole | None, Field(description="The version you edited (409 if stale)")] = (
        None
    )


class CommentFilters(Input):
    """Which thread to list: a function's, or ``case`` for the case's own; all without one."""

    function: Text(50) = ""  # type: ignore[valid-type]
