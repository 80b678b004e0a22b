"""The one place time comes from, so tests and ``tick --at`` can move it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, timedelta

# A context variable, not a global: each thread (and each request) sees only its own frozen time.
_frozen: ContextVar[datetime | None] = ContextVar("incident_hub_frozen_time", default=None)


def now() -> datetime:
    """Current time, timezone-aware UTC (or the time set by :func:`frozen_at`)."""
    frozen = _frozen.get()
    return frozen if frozen is not None else datetime.now(UTC)


@contextmanager
def frozen_at(when: datetime) -> Iterator[None]:
    """Run a block as if it were ``when`` (used by ``tick --at`` and ``poll --at``)."""
    token = _frozen.set(as_utc(when))
    try:
        yield
    finally:
        _frozen.reset(token)


def as_utc(value: datetime) -> datetime:
    """Naive datetimes (SQLite hands them back) are UTC by convention here."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def iso(value: datetime | date | None) -> str | None:
    """A time as the API writes it (``2026-05-01T09:30:00Z``), a date as ``2026-05-01``."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    return value.isoformat()


def parse_iso(text: str) -> datetime:
    """Parse an ISO 8601 timestamp; a missing offset means UTC."""
    return as_utc(datetime.fromisoformat(text.replace("Z", "+00:00")))


def span(delta: timedelta) -> str:
    """A duration as people say it: ``3 days 4 h``, ``19 h``, ``40 min`` (at least 1 min)."""
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours = rest // 60
    if days:
        unit = "day" if days == 1 else "days"
        return f"{days} {unit} {hours} h" if hours else f"{days} {unit}"
    if hours:
        return f"{hours} h"
    return f"{max(rest, 1)} min"
