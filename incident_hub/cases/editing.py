"""Correcting a case's intake after it was opened, with its history.

Who may: the case's opener, its members who hold the lead role (an assigned lead, or a lead
named on it), executives and admins; anyone else who sees the case is refused (403, audited);
a case one cannot see is a 404, as everywhere. Only the fields sent change. Each edit is one
``case.edited`` audit event with every field's before and after (the case's timeline shows
them), refreshes the search index and tells the case's people what changed.

Rules decided here:

- **Optimistic concurrency**: the client sends the ``version`` it read (the case JSON's
  ``version``, or ``If-Match`` with its ETag); if the case changed since, nothing is saved and
  the answer is 409 with the current version. Without a version the fields sent are applied to
  the case as it is now (a deliberate blind write, never a silent one: it is audited like any).
- **Nothing to change** (every value sent equals the case's): 200 with the case unchanged,
  nothing audited, the version not bumped.
- **Gag order**: setting it makes the case restricted (as when opening); removing it does *not*
  lift the restriction: who may see a case is changed only by an admin's lift-restriction, with
  a reason, so an edit can never make a restricted case visible to everyone.
- **Decided or closed cases** still take intake corrections: the law changes after a decision
  (amended, struck down), and the record must say so. The status does not change.
- A new **response deadline** (or new jurisdictions, whose holidays count) recomputes the open
  due times (:func:`.schedule.reschedule`, in the same transaction).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..actor import Actor
from ..audit import service as audit
from ..auth import permissions as perm
from ..clock import now
from ..errors import Conflict
from ..precedent import index as search_index
from ..schemas import parse
from ..transaction import deny, run_in_transaction
from . import notices as events
from . import schedule, stages
from .changes import EDITABLE, stored
from .inputs import EditCase
from .models import Case
from .queries import get_case
from .service import case_jurisdictions

Raw = Mapping[str, Any]
RESCHEDULE_ON = ("response_deadline", "jurisdictions")  # changes that move due times


class StaleVersion(Conflict):
    """The case changed since the client read it (409); ``current`` is its version now."""

    def __init__(self, message: str, *, current: int = 0, web: str | None = None):
        super().__init__(message, field="version", web=web)
        self.current = current


def can_edit(user: Any, case: Case) -> bool:
    """The opener, an executive, an admin, or a member of the case holding the lead role."""
    if not (user and user.active):
        return False
    if perm.sees_every_case(user) or case.opened_by_id == user.id:
        return True
    return user.has_role("lead") and perm.is_member(user, case.id)


def authorize_edit(actor: Actor, case: Case) -> None:
    """Refuse (audited) unless ``actor`` may edit ``case``'s intake: the check
    :func:`edit_case` makes, and what the edit page asks before showing itself."""
    if not can_edit(actor.user, case):
        raise deny(
            actor,
            "case.edit",
            "case",
            case.ref,
            "only the case's opener, its leads, executives and admins can edit its intake",
        )


def _current(case: Case, field: str) -> Any:
    return case.jurisdictions if field == "jurisdictions" else getattr(case, field)


def _wanted(case: Case, data: EditCase) -> dict[str, Any]:
    """The new value of every field sent that differs from the case's."""
    sent = data.given()
    wanted = {k: v for k, v in sent.items() if k in EDITABLE}
    if "jurisdiction" in sent or "jurisdictions" in sent:
        wanted["jurisdictions"] = case_jurisdictions(
            sent.get("jurisdiction"), sent.get("jurisdictions"), case.jurisdictions
        )
    if wanted.get("gag_order") is None:
        wanted.pop("gag_order", None)  # null: leave it as it is
    return {k: v for k, v in wanted.items() if _current(case, k) != v}


def _stale(case: Case, expected: int) -> StaleVersion:
    return StaleVersion(
        f"{case.ref} was changed by someone else since you read it (you sent version "
        f"{expected}; it is now version {case.version}): nothing was saved. Read it again "
        "and send your change with the current version.",
        current=case.version,
        web="This case was changed by someone else since you opened this form: nothing was "
        "saved. Your text is still below; check the case as it is now (open it in a new tab) "
        "and save again.",
    )


def edit_case(actor: Actor, ref: str, raw: EditCase | Raw) -> Case:
    """Change the intake fields sent (see the module's rules); returns the case."""
    case = get_case(actor, ref)
    authorize_edit(actor, case)
    data = parse(EditCase, raw)

    def work() -> Case:
        locked = get_case(actor, ref, for_update=True)
        authorize_edit(actor, locked)  # a member removed meanwhile
        if data.version is not None and data.version != locked.version:
            raise _stale(locked, data.version)
        wanted = _wanted(locked, data)
        if not wanted:
            return locked
        changes = {
            field: {"before": stored(_current(locked, field)), "after": stored(value)}
            for field, value in wanted.items()
        }
        if wanted.get("stage"):  # the law's timeline gains it, dated today (first: it flushes)
            stages.record_stage(actor, locked, wanted["stage"], now().date(), note="intake edit")
        for field, value in wanted.items():
            if field == "jurisdictions":
                locked.set_jurisdictions(value)
            elif field != "stage" or not value:
                setattr(locked, field, value)
        if wanted.get("gag_order") and not locked.restricted:
            locked.restricted = True  # a gag order is need-to-know (lifting it is an admin's)
            changes["restricted"] = {"before": False, "after": True}
        event = audit.record(
            actor,
            "case.edited",
            "case",
            locked.ref,
            case_id=locked.id,
            details={"changes": changes},
        )
        moved = [f for f in RESCHEDULE_ON if f in changes]
        if moved:
            schedule.reschedule(actor, locked, f"intake edited: {', '.join(moved)} changed")
        search_index.refresh(locked)
        events.case_edited(locked, event, list(changes), actor.user.id if actor.user else None)
        return locked

    return run_in_transaction(work)
