"""Triage the alert queue: dismiss (reversibly), link to a case, or open a case from alerts.

Triagers and admins act; every signed-in user can read the queue. Each action is audited.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, or_, select

from .. import validate
from ..actor import Actor
from ..audit import service as audit
from ..auth import permissions as perm
from ..auth.models import User
from ..cases.models import Case
from ..cases.queries import get_case
from ..cases.stages import authorize_stage, record_stage, web_link
from ..clock import now
from ..errors import Conflict, Invalid, NotFound
from ..extensions import db
from ..schemas import parse
from ..transaction import deny, run_in_transaction
from ..vocabulary import TIED_TO_CASE, UNTRIAGED, AlertStatus
from ..watch.models import Alert, FeedItem, Source
from ..watch.queries import get_alert as get_alert  # the API reads alerts through triage
from . import filters as named
from .inputs import AlertFilters, BulkDismiss, Dismiss, Link

Raw = Mapping[str, Any]  # what a door sends: a JSON object, a form, CLI options


def list_alerts(actor: Actor, data: Raw | AlertFilters) -> tuple[list[Alert], int]:
    """Alerts newest first (or by ``sort``: date reported, score, source), filtered by status,
    topic, right, jurisdiction (as people type them: see :mod:`.filters`), source, min score;
    ``limit`` and ``offset`` pick the page. A filter naming nothing is Invalid, with the choices."""
    if actor.user is None:
        raise NotFound("no alerts")
    filters = parse(AlertFilters, data)
    query = select(Alert)
    # A status is filtered as the actor sees it (see ``shown``): "triaged" is an alert tied to
    # a case they may not see, which is never "linked" or "case-opened" for them.
    hidden = hidden_case(actor.user)
    if filters.status == AlertStatus.TRIAGED:
        query = query.where(Alert.status.in_(TIED_TO_CASE), hidden)
    elif filters.status in TIED_TO_CASE:
        query = query.where(Alert.status == filters.status, Alert.case_id.is_(None) | ~hidden)
    elif filters.status:
        query = query.where(Alert.status == filters.status)
    for value, resolve, column in (
        (filters.topic, named.topics, Alert.topics),
        (filters.right, named.rights, Alert.rights),
        (filters.jurisdiction, named.jurisdictions, Alert.jurisdictions),
    ):
        if value.strip():
            # JSON arrays hold short keys; a quoted LIKE match works on both databases.
            text = func.cast(column, db.String)
            query = query.where(or_(*(text.like(f'%"{key}"%') for key in resolve(value))))
    if filters.source or filters.sort == "source":
        query = query.join(Source, Source.id == Alert.source_id)
    if filters.sort == "date":
        query = query.join(FeedItem, FeedItem.id == Alert.item_id)
    if filters.source:
        query = query.where(Source.key == filters.source)
    if filters.min_score is not None:
        query = query.where(Alert.score >= filters.min_score)
    total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = db.session.execute(
        query.order_by(*_order(filters.sort)).limit(filters.limit).offset(filters.offset)
    ).scalars()
    return list(rows), total


def _order(sort: str | None) -> tuple[Any, ...]:
    """The ORDER BY of a sort; the id last, so pages never overlap or skip a row. Without a
    sort, newest flagged first; "date" is the date the report gives (else when first seen)."""
    newest = (Alert.created_at.desc(), Alert.id.desc())
    if sort == "date":
        reported = func.coalesce(FeedItem.published_at, FeedItem.first_seen_at)
        return (reported.desc(), Alert.id.desc())
    if sort == "score":
        return (Alert.score.desc(), *newest)
    if sort == "source":
        return (Source.title, Source.id, *newest)
    return newest


def _status(actor: Actor, alert: Alert) -> str:
    """The alert's status as the actor may see it (for a refusal's message)."""
    return shown(actor, [alert])[alert.id][0]


def _check(actor: Actor, action: str, ref: str) -> None:
    if not perm.can_triage(actor.user):
        raise deny(actor, action, "alert", ref, "only triagers and admins can triage alerts")


HANDLED = "handled"  # the note of an alert whose case the viewer may not see


def _case_label(case: Case) -> str:
    """How a stored triage note names the case. Every signed-in user reads the queue, so a
    restricted case is not named in it; :func:`shown` names it to those who may see it."""
    return "" if case.restricted else case.ref


def _note(status: str, case: Case) -> str:
    label = _case_label(case)
    if not label:
        return HANDLED
    return f"linked to {label}" if status == AlertStatus.LINKED else f"opened {label}"


def hidden_case(user: User):  # noqa: ANN201
    """Alerts tied to a case the user may not see (a restricted case they are not on)."""
    return Alert.case_id.in_(select(Case.id).where(~perm.visible_case_clause(user)))


def shown(actor: Actor, alerts: list[Alert]) -> dict[int, tuple[str, str]]:
    """Alert id -> (status, triage note) as the actor may see them: an alert tied to a case
    the actor may not see is only "triaged", with the note "handled" (no reference, nothing
    telling that it is a restricted case); to those who may see a restricted case, its
    reference. Every other alert as stored."""
    ids = {a.case_id for a in alerts if a.case_id is not None}
    cases = (
        {c.id: c for c in db.session.execute(select(Case).where(Case.id.in_(ids))).scalars()}
        if ids
        else {}
    )
    out = {}
    for alert in alerts:
        case = cases.get(alert.case_id) if alert.case_id is not None else None
        if case is None or alert.status not in TIED_TO_CASE:
            out[alert.id] = (alert.status, alert.triage_note)
        elif not perm.can_view_case(actor.user, case):
            out[alert.id] = (AlertStatus.TRIAGED, HANDLED)
        elif case.restricted:
            verb = "linked to" if alert.status == AlertStatus.LINKED else "opened"
            out[alert.id] = (alert.status, f"{verb} {case.ref}")
        else:
            out[alert.id] = (alert.status, alert.triage_note)
    return out


def _triaged(actor: Actor, alert: Alert, status: str, note: str, case: Case | None = None) -> None:
    before = alert.status
    alert.status, alert.triage_note = status, note
    alert.triaged_by_id, alert.triaged_at = actor.require_user().id, now()
    alert.case_id = case.id if case else alert.case_id
    audit.record(
        actor,
        f"alert.{status.replace('-', '_')}",
        "alert",
        str(alert.id),
        case_id=case.id if case else None,
        details={"from": before, "note": note, "title": alert.item.title[:200]}
        | ({"case": case.ref} if case else {}),
    )


def dismiss_alerts(actor: Actor, data: Raw | BulkDismiss) -> list[Alert]:
    """Dismiss many new alerts with one reason (kept, and reversible)."""
    ids = data.ids if isinstance(data, BulkDismiss) else data.get("ids")
    sent = ids if isinstance(ids, list) else []
    _check(actor, "alert.dismiss", validate.label(",".join(str(i) for i in sent[:20])))
    spec = parse(BulkDismiss, data)
    return _dismiss(actor, [get_alert(i) for i in dict.fromkeys(spec.ids)], spec.reason)


def dismiss_alert(actor: Actor, alert_id: Any, data: Raw | Dismiss) -> Alert:
    """Dismiss one new alert with a reason (kept, and reversible)."""
    _check(actor, "alert.dismiss", validate.label(alert_id))  # refused whether it exists or not
    alert = get_alert(alert_id)
    (dismissed,) = _dismiss(actor, [alert], parse(Dismiss, data).reason)
    return dismissed


def _dismiss(actor: Actor, alerts: list[Alert], reason: str) -> list[Alert]:
    def work() -> list[Alert]:
        for alert in alerts:
            if alert.status != AlertStatus.NEW:
                raise Conflict(f"alert {alert.id} is {_status(actor, alert)}, not new")
            _triaged(actor, alert, AlertStatus.DISMISSED, reason)
        return alerts

    return run_in_transaction(work)


def restore_alert(actor: Actor, alert_id: Any) -> Alert:
    """Put a dismissed alert back in the queue."""
    alert = get_alert(alert_id)
    _check(actor, "alert.restore", str(alert.id))

    def work() -> Alert:
        if alert.status != AlertStatus.DISMISSED:
            raise Conflict(f"alert {alert.id} is {_status(actor, alert)}, not dismissed")
        _triaged(actor, alert, AlertStatus.NEW, "restored to the queue")
        return alert

    return run_in_transaction(work)


def link_alert(actor: Actor, alert_id: Any, data: Raw | Link) -> Alert:
    """Attach an alert to an existing case the actor can see; with a ``stage``, the alert is
    also a new dated stage of the case's law (source: the alert's item), in one transaction."""
    alert = get_alert(alert_id)
    _check(actor, "alert.link", str(alert.id))
    spec = parse(Link, data)
    case = get_case(actor, spec.case)
    if spec.stage:
        authorize_stage(actor, case)

    def work() -> Alert:
        if alert.status not in UNTRIAGED:
            raise Conflict(f"alert {alert.id} is already {_status(actor, alert)}")
        _triaged(actor, alert, AlertStatus.LINKED, _note(AlertStatus.LINKED, case), case)
        if spec.stage:
            _as_stage(actor, alert, case, spec)
        return alert

    return run_in_transaction(work)


def _as_stage(actor: Actor, alert: Alert, case: Case, spec: Link) -> None:
    """The linked alert as a stage of the case's law: dated as asked (else as the item was
    published, else today), its source the item's link when that is an http(s) address."""
    item = alert.item
    reported = item.published_at or item.first_seen_at
    dated = spec.dated or (reported.date() if reported else now().date())
    assert spec.stage is not None
    record_stage(
        actor,
        case,
        spec.stage,
        dated,
        source_url=web_link(item.link),
        note=f"From alert {alert.id}: {item.title}"[:5000],
        alert_id=alert.id,
    )


def attach_to_new_case(actor: Actor, case: Case, alert_ids: Any) -> None:
    """Mark alerts as having opened ``case`` (inside open_case's transaction)."""
    if not alert_ids:
        return
    if not isinstance(alert_ids, list) or len(alert_ids) > 100:
        raise Invalid("alert_ids must be a list of at most 100 alert ids", field="alert_ids")
    for alert_id in dict.fromkeys(str(i) for i in alert_ids):
        alert = get_alert(alert_id)
        if alert.status not in UNTRIAGED:
            raise Conflict(f"alert {alert.id} is already {_status(actor, alert)}")
        _triaged(actor, alert, AlertStatus.CASE_OPENED, _note(AlertStatus.CASE_OPENED, case), case)


def alerts_of_case(case: Case) -> list[Alert]:
    return list(
        db.session.execute(
            select(Alert).join(FeedItem).where(Alert.case_id == case.id).order_by(Alert.id)
        ).scalars()
    )
