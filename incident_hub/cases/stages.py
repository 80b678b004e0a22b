"""The law's own timeline: the dated stages of the law (or order) a case is about.

A bill is drafted, consulted on, adopted, enters into force, is amended, suspended, struck down
or repealed; each such step is a ``law_stages`` row with the date the law reached it and the
link that shows it. The case's ``stage`` is always the stage of the latest-dated row (on the
same date, the one recorded last). Rows are never changed or deleted: a stage recorded in error
is answered by recording the right one.

Who records a stage: :func:`..auth.permissions.can_record_stage` (the case's opener, its members
who hold the lead role, triagers, executives and admins). Each stage is audited
(``case.stage_added``, shown in the case's timeline) and told to the case's people and
followers (:func:`.notices.stage_added`). Triage attaches an alert as a new stage through
:func:`record_stage`, inside its own transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import select

from ..actor import Actor
from ..audit import service as audit
from ..auth import permissions as perm
from ..clock import now
from ..errors import Invalid
from ..extensions import db
from ..schemas import http_url, parse
from ..transaction import deny, run_in_transaction
from ..vocabulary import TIED_TO_CASE, stage_label
from . import notices as events
from .inputs import AddStage
from .models import Case, LawStage
from .queries import get_case

Raw = Mapping[str, Any]


def authorize_stage(actor: Actor, case: Case) -> None:
    """Refuse (audited) unless ``actor`` may record a stage of the case's law: the check
    :func:`add_stage` makes, and what the case page asks before showing its form."""
    if not perm.can_record_stage(actor.user, case):
        raise deny(
            actor,
            "case.stage_added",
            "case",
            case.ref,
            "only the case's opener, its leads, triagers, executives and admins can record "
            "a stage of its law",
        )


def stages_of(case: Case) -> list[LawStage]:
    """The case's stages, oldest date first (the last one is the current stage)."""
    query = (
        select(LawStage).where(LawStage.case_id == case.id).order_by(LawStage.dated, LawStage.id)
    )
    return list(db.session.execute(query).scalars())


def list_stages(actor: Actor, ref: str) -> tuple[Case, list[LawStage]]:
    """The case (404 unless visible) and its law's stages, oldest first."""
    case = get_case(actor, ref)
    return case, stages_of(case)


def first_stage(actor: Actor, case: Case) -> None:
    """A case opened with a stage starts its law's timeline with it, dated its effective date
    (else the day it was opened), in ``open_case``'s transaction (its audit event says so)."""
    if case.stage:
        dated = case.effective_date or case.opened_at.date()
        user_id = actor.user.id if actor.user else None
        db.session.add(
            LawStage(
                case_id=case.id,
                stage=case.stage,
                dated=dated,
                source_url=web_link(case.source_url),
                added_by_id=user_id,
                added_at=case.opened_at,
            )
        )


def web_link(url: str | None) -> str:
    """``url`` if it is an http(s) address (a stage's source is shown as a link), else ""."""
    try:
        return http_url(url or "")[:2000]
    except ValueError:  # PydanticCustomError: not a web address
        return ""


def _check_alert(case: Case, alert_id: int) -> None:
    """An alert named with a stage must be one of this case's (linked to it, or opening it)."""
    from ..watch.models import Alert  # a model only: watch never imports cases

    alert = db.session.get(Alert, alert_id) if 0 < alert_id < 2**31 else None
    if alert is None or alert.case_id != case.id or alert.status not in TIED_TO_CASE:
        raise Invalid(
            f"alert {alert_id} is not one of {case.ref}'s alerts",
            field="alert_id",
            web="Alert: choose one of the alerts linked to this case",
        )


def add_stage(actor: Actor, ref: str, raw: AddStage | Raw) -> LawStage:
    """Record a dated stage of the case's law; the case's stage becomes the latest one's."""
    case = get_case(actor, ref)
    authorize_stage(actor, case)
    data = parse(AddStage, raw)
    dated = data.dated
    assert dated is not None  # AddStage refuses a missing date

    def work() -> LawStage:
        locked = get_case(actor, ref, for_update=True)
        if data.alert_id is not None:
            _check_alert(locked, data.alert_id)
        return record_stage(
            actor,
            locked,
            data.stage,
            dated,
            source_url=data.source_url,
            note=data.note,
            alert_id=data.alert_id,
        )

    return run_in_transaction(work)


def _stays(case: Case, latest: LawStage, row: LawStage) -> str:
    """A stage dated before the current one does not change the case's stage: say so."""
    return "" if latest.id == row.id else f" (the current stage stays {stage_label(case.stage)})"


def record_stage(
    actor: Actor,
    case: Case,
    stage: str,
    dated: date,
    *,
    source_url: str = "",
    note: str = "",
    alert_id: int | None = None,
) -> LawStage:
    """Add the stage row, make the case's stage the latest-dated one, audit and tell, in the
    caller's transaction (permission and input already checked by the caller)."""
    row = LawStage(
        case_id=case.id,
        stage=stage,
        dated=dated,
        source_url=source_url,
        note=note,
        alert_id=alert_id,
        added_by_id=actor.user.id if actor.user else None,
        added_at=now(),
    )
    db.session.add(row)
    db.session.flush()
    before = case.stage
    latest = stages_of(case)[-1]
    case.stage = latest.stage
    event = audit.record(
        actor,
        "case.stage_added",
        "case",
        case.ref,
        case_id=case.id,
        details={
            "stage": stage,
            "dated": dated.isoformat(),
            "source_url": source_url,
            "current": case.stage,
            "previous": before,
            "reason": f"{stage_label(stage)} from {dated:%d %b %Y}"
            + (
                ""
                if latest.id == row.id
                else f" (the current stage stays {stage_label(case.stage)})"
            ),
        }
        | ({"alert": alert_id} if alert_id is not None else {})
        | ({"note": note} if note else {}),
    )
    events.stage_added(case, row, event, actor.user.id if actor.user else None)
    return row
