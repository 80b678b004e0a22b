"""What notify may know of a case beyond its outbox rows: its reference and its Slack channel.

notify never imports the cases package (tests/test_import_walls.py): cases imports notify to
write notices, and hands notify a :class:`CaseRooms` once at start-up (``create_app`` calls
:func:`provide` with ``cases.notices.ROOMS``). Delivery asks it where ``case:<ref>`` notices
go and has it record the channel a ``create_channel`` notice made; the notices page asks it
for references.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class CaseRoom:
    """A case as delivery sees it."""

    id: int
    ref: str
    slack_channel_id: str


class CaseRooms(Protocol):
    def by_id(self, case_id: int) -> CaseRoom | None: ...

    def by_ref(self, ref: str) -> CaseRoom | None: ...

    def refs(self, case_ids: Iterable[int]) -> dict[int, str]: ...

    def channel_created(self, case_id: int, channel_id: str) -> Any:
        """A statement recording the case's new channel, executed in delivery's own commit."""
        ...


_rooms: CaseRooms | None = None


def provide(rooms: CaseRooms) -> None:
    global _rooms
    _rooms = rooms


def rooms() -> CaseRooms:
    if _rooms is None:  # pragma: no cover - create_app always provides them
        raise RuntimeError("notify has no case rooms: create_app() provides them")
    return _rooms
