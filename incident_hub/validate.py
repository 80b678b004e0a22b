"""What is left of hand validation once the typed inputs (:mod:`.schemas`) took the rest: text
that a query-language parser or a lookup reads itself, a refused attempt's label for the audit
trail, and web page numbers."""

from __future__ import annotations

from typing import Any

from .errors import Invalid
from .schemas import MAX_OFFSET


def storable(value: str, field: str) -> str:
    """Refuse what no database column can hold: NUL (PostgreSQL text refuses it, and the query
    fails with a 500) and lone UTF-16 surrogates (JSON can carry them; UTF-8 cannot)."""
    if "\x00" in value:
        raise Invalid(f"{field} must not contain NUL characters", field=field)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise Invalid(f"{field} is not valid Unicode text", field=field) from None
    return value


def label(value: Any, max_len: int = 60) -> str:
    """Raw input made safe to record as-is (the reference of a refused attempt in the audit
    trail): printable characters only, cut to length; never raises."""
    cleaned = "".join(ch for ch in str(value) if ch.isprintable())  # drops NUL and surrogates
    return cleaned[:max_len] or "-"


def text(value: Any, field: str, *, max_len: int, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise Invalid(f"{field} must be a string", field=field)
    value = storable(value.strip(), field)
    if required and not value:
        raise Invalid(f"{field} is required", field=field)
    if len(value) > max_len:
        raise Invalid(f"{field} is too long ({len(value)} > {max_len} characters)", field=field)
    return value


MAX_ID = 2**31 - 1  # integer primary keys (PostgreSQL ``integer``): larger ids do not exist


def page_number(value: int | None, page_size: int) -> int:
    """A web list's ``page`` (1-based), kept where its offset stays a valid OFFSET."""
    return min(max(1, value or 1), MAX_OFFSET // page_size + 1)
