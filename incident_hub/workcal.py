"""The working calendar: which days are business days, for whom.

A day is a business day when it is one of ``[REMINDERS] BUSINESS_DAYS`` and a public holiday
of none of the countries concerned: the case's jurisdictions and the company's own
(``[REMINDERS] HOLIDAY_COUNTRIES``). Holidays come from the maintained ``holidays`` library;
a jurisdiction it does not know (``EU``, ``INTL``) adds no holidays. Due dates of non-urgent
playbooks (cases/schedule.py) and the reminder sweep (notify/reminders.py) both ask here.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from flask import current_app


def countries_for(jurisdictions: Iterable[str]) -> tuple[str, ...]:
    """The countries whose holidays count for a case in ``jurisdictions``: its own and the
    company's, each once, in a stable order (known to the holidays library only)."""
    wanted = [*jurisdictions, *current_app.config["REMINDERS"]["HOLIDAY_COUNTRIES"]]
    known = _supported()
    out: list[str] = []
    for code in wanted:
        code = (code or "").upper()
        if code in known and code not in out:
            out.append(code)
    return tuple(out)


@lru_cache(maxsize=1)
def _supported() -> frozenset[str]:
    return frozenset(holidays.list_supported_countries())


@lru_cache(maxsize=512)
def _calendar(country: str, year: int) -> holidays.HolidayBase:
    return holidays.country_holidays(country, years=year)


def holiday(day: date, countries: Iterable[str]) -> str | None:
    """The name of the public holiday ``day`` is in one of ``countries`` ("DE: New Year's
    Day"), or None."""
    for country in countries:
        name = _calendar(country, day.year).get(day)
        if name:
            return f"{country}: {name}"
    return None


def is_business_day(day: date, countries: Iterable[str]) -> bool:
    return (
        day.weekday() in current_app.config["REMINDERS"]["BUSINESS_DAYS"]
        and holiday(day, countries) is None
    )


def zone(name: str | None = None) -> ZoneInfo:
    """A person's time zone (``name``), or the configured ``[REMINDERS] TIMEZONE``."""
    return ZoneInfo(name or current_app.config["REMINDERS"]["TIMEZONE"])


def _hhmm(value: str) -> time:
    hours, minutes = (int(part) for part in value.split(":"))
    return time(hours, minutes)


def workday_hours() -> tuple[time, time]:
    cfg = current_app.config["REMINDERS"]
    return _hhmm(cfg["WORKDAY_START"]), _hhmm(cfg["WORKDAY_END"])


def is_working_time(at: datetime, countries: Iterable[str] = (), tz: str | None = None) -> bool:
    """Whether ``at`` falls within working hours on a business day, in time zone ``tz``."""
    local = at.astimezone(zone(tz))
    start, end = workday_hours()
    return is_business_day(local.date(), countries) and start <= local.time() < end
