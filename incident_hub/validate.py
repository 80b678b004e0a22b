"""Turn raw input (JSON values, form strings, CLI options) into clean values or Invalid errors."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any, Literal, overload

from .errors import Invalid

JURISDICTION_RE = re.compile(r"^[A-Z]{2}$")


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


def boolean(value: Any, field: str) -> bool:
    if value is None or value == "":
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in {"true", "1", "yes", "on", "y"}:
        return True
    if isinstance(value, str) and value.lower() in {"false", "0", "no", "off", "n"}:
        return False
    raise Invalid(f"{field} must be true or false", field=field)


def jurisdiction(value: Any, field: str = "jurisdiction") -> str:
    code = text(value, field, max_len=100, required=True).upper()
    if not JURISDICTION_RE.match(code):
        raise Invalid(f"{field} must be an ISO 3166 country code or EU, e.g. DE", field=field)
    return code


@overload
def choice(
    value: Any, field: str, allowed: tuple[str, ...] | list[str], *, required: Literal[True] = True
) -> str: ...
@overload
def choice(
    value: Any, field: str, allowed: tuple[str, ...] | list[str], *, required: bool
) -> str | None: ...
def choice(
    value: Any, field: str, allowed: tuple[str, ...] | list[str], *, required: bool = True
) -> str | None:
    """``value`` if it is one of ``allowed``; ``None`` for an empty optional value."""
    if value in (None, "") and not required:
        return None
    if not isinstance(value, str) or value not in allowed:
        raise Invalid(f"{field} must be one of: {', '.join(allowed)}", field=field)
    return value


def optional_date(value: Any, field: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise Invalid(f"{field} must be a date like 2026-03-01", field=field) from None


def optional_datetime(value: Any, field: str) -> datetime | None:
    """ISO date or date-time; a bare date means the end of that day UTC, a naive time UTC."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        parsed = value
    else:
        raw = str(value).strip().replace("Z", "+00:00")
        try:
            parsed = datetime.fromisoformat(raw)
        except ValueError:
            raise Invalid(f"{field} must be an ISO 8601 date or time", field=field) from None
        if len(raw) == 10:
            parsed = parsed.replace(hour=23, minute=59)
    try:
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except OverflowError:  # 9999-12-31T23:00-05:00 is past the last representable moment
        raise Invalid(f"{field} is out of range", field=field) from None


def answers(value: Any, field: str = "answers") -> dict[str, str]:
    if value in (None, ""):
        return {}
    if not isinstance(value, dict):
        raise Invalid(f"{field} must be an object of question → answer", field=field)
    if len(value) > 100:
        raise Invalid(f"{field} has {len(value)} entries (at most 100)", field=field)
    out = {}
    for key, answer in value.items():
        out[str(key)] = text(answer, f"{field}.{key}", max_len=20_000)
    return out


MAX_OFFSET = 2**31 - 1  # fits every database's OFFSET; no list gets anywhere near it
MAX_ID = 2**31 - 1  # integer primary keys (PostgreSQL ``integer``): larger ids do not exist


def page_number(value: int | None, page_size: int) -> int:
    """A web list's ``page`` (1-based), kept where its offset stays a valid OFFSET."""
    return min(max(1, value or 1), MAX_OFFSET // page_size + 1)


def page(limit: Any, offset: Any) -> tuple[int, int]:
    try:
        limit_i = 100 if limit in (None, "") else int(limit)
        offset_i = 0 if offset in (None, "") else int(offset)
    except (TypeError, ValueError):
        raise Invalid("limit and offset must be whole numbers", field="limit") from None
    if not 1 <= limit_i <= 10_000:
        raise Invalid("limit must be between 1 and 10000", field="limit")
    if not 0 <= offset_i <= MAX_OFFSET:
        raise Invalid(f"offset must be between 0 and {MAX_OFFSET}", field="offset")
    return limit_i, offset_i
