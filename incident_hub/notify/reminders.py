"""The reminder sweep's shared parts: working hours, and outbox rows keyed per reminder slot.
The sweeps themselves are on the side that knows their subject: overdue analyses, decision
reminders and escalations in cases/reminders.py, follow-through actions in
followthrough/reminders.py; ``jobs.sweep_reminders`` runs them in one commit.

Each sweep asks: which assignments are overdue, which cases await a decision past a reminder
slot, which are past their escalation time — and writes one notice per reminder *slot*, with a
unique key (assignment/case, round, slot, person). A crash, a restart or a second scheduler can
propose the same slot again; the key lets exactly one row in. A reminder goes to a person
only within working hours in their own time zone, on a business day of the case's countries
(:class:`WorkingHours`); one that falls outside them goes out at that person's next working
sweep. Cases of an urgent playbook are reminded and escalated around the clock.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select, update

from ..auth.models import User
from ..extensions import db
from ..playbooks import registry
from ..vocabulary import NoticeStatus
from ..workcal import countries_for, is_working_time

ASSIGNMENT_EVERY = timedelta(hours=20)  # at most one overdue reminder per working day
CHUNK = 500


class WorkingHours:
    """Whose working time it is at ``at``: one sweep's answers, each worked out once.

    A person is reminded within working hours in their own time zone (``users.timezone``, else
    ``[REMINDERS] TIMEZONE``), on a business day of the case's countries (its jurisdiction and
    ``[REMINDERS] HOLIDAY_COUNTRIES``, see :mod:`..workcal`). A case of an urgent playbook is
    reminded around the clock. A channel (escalations) keeps ``[REMINDERS] TIMEZONE``. Answers
    are cached by (jurisdiction, time zone): a sweep over tens of thousands of rows asks the
    calendar a handful of times.
    """

    def __init__(self, at: datetime):
        self.at = at
        self.default_zone = current_app.config["REMINDERS"]["TIMEZONE"]
        self._urgent = frozenset(k for k, p in registry().playbooks.items() if p.urgent)
        self._countries: dict[str, tuple[str, ...]] = {}
        self._open: dict[tuple[tuple[str, ...], str], bool] = {}
        self._days: dict[str, date] = {}

    def zone_of(self, person: User | None) -> str:
        """``person``'s time zone (a channel, None: the configured one)."""
        return (person.timezone if person is not None else None) or self.default_zone

    def urgent(self, playbook_key: str | None) -> bool:
        return playbook_key in self._urgent

    @property
    def urgent_playbooks(self) -> frozenset[str]:
        return self._urgent

    def working(self, zone: str, countries: tuple[str, ...] = ()) -> bool:
        """Whether it is working time in ``zone`` on a business day of ``countries``."""
        key = (countries, zone)
        if key not in self._open:
            self._open[key] = is_working_time(self.at, countries, zone)
        return self._open[key]

    def reaches(self, case: Any, person: User | None) -> bool:
        """Whether a reminder about ``case`` (a row with ``playbook_key`` and ``jurisdiction``)
        goes to ``person`` (None: a channel) now."""
        if self.urgent(case.playbook_key):
            return True
        jurisdiction = case.jurisdiction or ""
        if jurisdiction not in self._countries:
            self._countries[jurisdiction] = countries_for([jurisdiction])
        return self.working(self.zone_of(person), self._countries[jurisdiction])

    def local_date(self, person: User | None) -> date:
        """Today's date where ``person`` is: reminder keys that count days use it."""
        zone = self.zone_of(person)
        if zone not in self._days:
            self._days[zone] = self.at.astimezone(ZoneInfo(zone)).date()
        return self._days[zone]

    @cached_property
    def only_urgent(self) -> bool:
        """Whether it is outside working hours (holidays aside) in every time zone in use:
        then only urgent cases can have a reminder to send, and the sweeps query those alone."""
        zones = db.session.execute(
            select(User.timezone).where(User.active.is_(True)).distinct()
        ).scalars()
        return not any(self.working(zone or self.default_zone) for zone in {*zones, None})


def reminder_row(kind: str, case_id: int, audience: str, payload: dict, key: str) -> dict[str, Any]:
    return {
        "kind": kind,
        "case_id": case_id,
        "audience": audience[:120],
        "payload": payload,
        "dedup_key": key[:200],
        **(
            {"status": NoticeStatus.FAILED, "last_error": f"{audience[5:]} has no Slack user id"}
            if audience.startswith("user:")
            else {}
        ),
    }


def mark_reminded(column, ids: list[int], at: datetime, *, key=None) -> None:  # noqa: ANN001
    """Record when reminders went out (``column`` := ``at`` on the rows whose ``key``, the
    table's ``id`` unless named, is in ``ids``), in chunks (bounded statement size)."""
    table = column.class_
    key = key if key is not None else table.id
    for start in range(0, len(ids), CHUNK):
        db.session.execute(
            update(table)
            .where(key.in_(ids[start : start + CHUNK]))
            .values({column.key: at})
            .execution_options(synchronize_session=False)  # the loaded rows are not used again
        )
