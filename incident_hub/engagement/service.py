"""Stakeholder engagement (UNGP 18, RDR G5): the organisations directory and each case's log.

One function per action, called by the web pages and the API alike. Each checks permission,
parses its typed input (:mod:`.inputs`), audits in the same transaction and commits. The log
is append-only: an entry can be corrected (by whoever recorded it, or an admin; audited with
before and after) but not deleted.

Audit events of the log are kept off the case's timeline (no ``case_id``; the reference is the
event's object, so the admins' audit trail still finds them by case): the timeline is shown to
everyone who can see the case, and the log only to its participants. Their details name the
organisation by id, never by name, so a confidential consultation is not spelled out in the
trail either.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import select

from ..actor import Actor
from ..audit import service as audit
from ..cases.models import Case
from ..cases.queries import get_case, view_case
from ..clock import now
from ..errors import Conflict, Invalid
from ..extensions import db
from ..schemas import parse
from ..transaction import deny, run_in_transaction
from .inputs import EngagementChanges, NewEngagement, NewOrganisation, OrganisationChanges
from .models import Engagement, Organisation
from .queries import (
    can_edit_entry,
    can_edit_organisation,
    can_see_log,
    get_engagement,
    get_organisation,
    same_name,
    visible_engagements,
)

LOG_OWNERS = (
    "only the case's participants (its opener and the leads of its functions), executives "
    "and admins keep its engagement log"
)
Raw = Mapping[str, Any]  # what a door received, parsed here after the permission check


# --- the organisations directory ---------------------------------------------------------


def _refuse_duplicate(actor: Actor, name: str, field: str, org_id: int | None = None) -> None:
    """409 for a name the actor's directory holds already (one it may not see is no
    duplicate: saying so would tell of a confidential consultation)."""
    existing = same_name(actor, name)
    if existing is not None and existing.id != org_id:
        raise Conflict(
            f"{existing.name!r} is already in the directory (organisation {existing.id}): "
            "choose it instead of adding it again",
            field=field,
        )


def _add_organisation(
    actor: Actor, fields: dict, *, field: str, sealed: bool = False
) -> Organisation:
    """Add to the directory; ``sealed``: added with an entry not everyone may see (its seal,
    the entry's id, is set once the entry has one; until then a per-user placeholder)."""
    _refuse_duplicate(actor, fields["name"], field)
    user = actor.require_user()
    seal = -user.id if sealed else 0
    org = Organisation(**fields, created_by_id=user.id, created_at=now(), seal=seal)
    db.session.add(org)
    db.session.flush()
    details = {"kind": org.kind, "country": org.country}
    if not sealed:  # added along with a confidential consultation: the trail keeps its id
        details["name"] = org.name
    audit.record(actor, "organisation.created", "organisation", str(org.id), details=details)
    return org


def _require_user(actor: Actor, action: str, ref: str) -> None:
    if not (actor.user and actor.user.active):
        raise deny(actor, action, "organisation", ref, "sign in to use the directory")


def create_organisation(actor: Actor, raw: NewOrganisation | Raw) -> Organisation:
    """Add an organisation to the directory (any signed-in user); a name already there
    (ignoring case) is refused with 409, naming the organisation that has it."""
    _require_user(actor, "organisation.create", "-")
    fields = parse(NewOrganisation, raw).model_dump()
    return run_in_transaction(lambda: _add_organisation(actor, fields, field="name"))


def authorize_organisation_edit(actor: Actor, org: Organisation) -> None:
    """Refuse (audited) unless ``actor`` may edit ``org``: the check :func:`update_organisation`
    makes, and what the web form asks before showing itself."""
    if not can_edit_organisation(actor, org):
        raise deny(
            actor,
            "organisation.update",
            "organisation",
            str(org.id),
            "only the person who added this organisation, or an admin, can edit it",
        )


def update_organisation(actor: Actor, org_id: Any, raw: OrganisationChanges | Raw) -> Organisation:
    """Edit an organisation (whoever added it, or an admin), audited with before and after."""
    org = get_organisation(actor, org_id)
    authorize_organisation_edit(actor, org)
    fields = parse(OrganisationChanges, raw).given()

    def work() -> Organisation:
        locked = db.session.execute(
            select(Organisation)
            .where(Organisation.id == org.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).scalar_one()
        if "name" in fields:
            _refuse_duplicate(actor, fields["name"], "name", locked.id)
        changes = {
            key: {"before": getattr(locked, key), "after": value}
            for key, value in fields.items()
            if getattr(locked, key) != value
        }
        for key, change in changes.items():
            setattr(locked, key, change["after"])
        if changes:
            audit.record(
                actor,
                "organisation.updated",
                "organisation",
                str(locked.id),
                details={"changes": changes},
            )
        return locked

    return run_in_transaction(work)


# --- the engagement log of a case --------------------------------------------------------


def _organisation_choice(
    actor: Actor, data: NewEngagement
) -> tuple[Organisation | None, dict | None]:
    """The directory's organisation chosen, or the fields of a new one to add."""
    chosen, new = data.organisation_id, data.organisation
    if new is not None:
        if chosen is not None:
            raise Invalid(
                "choose an organisation from the directory or add a new one, not both",
                field="organisation_id",
            )
        return None, new.model_dump()
    if chosen is None:
        raise Invalid(
            "choose the organisation consulted, or add a new one", field="organisation_id"
        )
    return get_organisation(actor, chosen, field="organisation_id"), None


def authorize_log(actor: Actor, case: Case, action: str) -> None:
    """Refuse (audited as ``action``) unless ``actor`` keeps ``case``'s engagement log: the
    check :func:`record_engagement` makes, and what the web form asks before showing itself."""
    if not can_see_log(actor, case):
        raise deny(actor, action, "case", case.ref, LOG_OWNERS)


def read_log(actor: Actor, ref: str) -> tuple[Case, list[Engagement]]:
    """A case's engagement log as ``actor`` may see it (confidential entries only for those
    allowed); refused, audited, for one who does not keep the log."""
    case = view_case(actor, ref)  # a restricted case's read is audited, as on its page
    authorize_log(actor, case, "engagement.list")
    return case, visible_engagements(actor, case)


def authorize_entry_edit(actor: Actor, case: Case, engagement_id: Any) -> Engagement:
    """The entry ``actor`` may correct; refuses (audited) one who does not keep the log or
    did not record the entry (admins may). The checks :func:`update_engagement` makes, and
    what the web form asks before showing itself."""
    authorize_log(actor, case, "engagement.update")
    entry = get_engagement(actor, case, engagement_id)
    if not can_edit_entry(actor, entry):
        raise deny(
            actor,
            "engagement.update",
            "case",
            case.ref,
            "only the person who recorded this entry, or an admin, can correct it",
        )
    return entry


def record_engagement(actor: Actor, ref: str, raw: NewEngagement | Raw) -> Engagement:
    """Record a consultation on a case (its participants, executives, admins); the
    organisation is chosen from the directory or added to it in the same step."""
    case = get_case(actor, ref)
    authorize_log(actor, case, "engagement.record")
    data = parse(NewEngagement, raw)
    fields = data.model_dump(exclude={"organisation_id", "organisation"})
    org, new_org = _organisation_choice(actor, data)
    sealed = bool(fields["confidential"] or case.restricted)

    def work() -> Engagement:
        if new_org is not None:
            organisation = _add_organisation(
                actor, new_org, field="organisation.name", sealed=sealed
            )
        else:
            assert org is not None  # _organisation_choice gives one or the other
            organisation = org
        entry = Engagement(
            case_id=case.id,
            organisation_id=organisation.id,
            recorded_by_id=actor.require_user().id,
            recorded_at=now(),
            **fields,
        )
        db.session.add(entry)
        db.session.flush()
        if new_org is not None and sealed:
            organisation.seal = entry.id  # seen only by those who may see this entry
        audit.record(
            actor,
            "engagement.recorded",
            "case",
            case.ref,
            details={
                "engagement": entry.id,
                "organisation": organisation.id,
                "organisation_added": new_org is not None,
                "engaged_on": entry.engaged_on.isoformat(),
                "confidential": entry.confidential,
            },
        )
        return entry

    return run_in_transaction(work)


def update_engagement(
    actor: Actor, ref: str, engagement_id: Any, raw: EngagementChanges | Raw
) -> Engagement:
    """Correct an entry (whoever recorded it, or an admin), audited with before and after."""
    case = get_case(actor, ref)
    entry = authorize_entry_edit(actor, case, engagement_id)
    fields = parse(EngagementChanges, raw).given()
    if "organisation_id" in fields:
        chosen = fields["organisation_id"]
        if chosen is None:
            raise Invalid("choose the organisation consulted", field="organisation_id")
        fields["organisation_id"] = get_organisation(actor, chosen, field="organisation_id").id

    def work() -> Engagement:
        locked = db.session.execute(
            select(Engagement)
            .where(Engagement.id == entry.id)
            .with_for_update(of=Engagement)
            .execution_options(populate_existing=True)
        ).scalar_one()
        changes = {
            key: {"before": _plain(getattr(locked, key)), "after": _plain(value)}
            for key, value in fields.items()
            if getattr(locked, key) != value
        }
        for key, value in fields.items():
            setattr(locked, key, value)
        if changes:
            audit.record(
                actor,
                "engagement.updated",
                "case",
                case.ref,
                details={"engagement": locked.id, "changes": changes},
            )
        return locked

    result = run_in_transaction(work)
    db.session.refresh(result)  # the organisation relationship follows a changed id
    return result


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value
