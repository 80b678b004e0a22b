"""Retry-After: how long a feed server asked us to wait (delay-seconds or an HTTP-date)."""

from __future__ import annotations

from datetime import datetime
from email.utils import parsedate_to_datetime

from incident_hub import clock


def parse_retry_after(value: str | None, date: str | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delay-seconds or an HTTP-date.

    An HTTP-date is measured from the response's own Date header when there is one, so a
    server whose clock is off by minutes still gets the pause it asked for.
    """
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(int(text))
    when = _http_date(text)
    if when is None:
        return None
    reference = _http_date(date) if date else None
    return max(0.0, (when - (reference or clock.now())).total_seconds())


def _http_date(text: str) -> datetime | None:
    """An aware datetime from an HTTP-date, or None if it is not one."""
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return clock.as_utc(when)
