"""Reading cases: visibility-checked lookups, lists, my work and the timeline."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, exists, false, func, select
from sqlalchemy.orm import joinedload, lazyload

from .. import countries, validate
from ..actor import Actor
from ..audit.models import AuditEvent
from ..auth import permissions as perm
from ..errors import NotFound
from ..extensions import db
from ..schemas import parse
from .inputs import CaseFilters
from .models import Case, CaseJurisdiction, CaseMember, Follow
from .timeline import Entry

Raw = Mapping[str, Any]  # what a door sends: a query string, a form, CLI options

# What a reference can look like (INC-2026-0007); anything else names no case, so it is not
# looked up at all (a NUL byte would even fail the query on PostgreSQL).
REF_RE = re.compile(r"[A-Z0-9][A-Z0-9-]{0,39}")


def _wanted_ref(ref: Any) -> str:
    """``ref`` as stored (upper case), or '' when it cannot name a case."""
    wanted = ref.strip().upper() if isinstance(ref, str) else ""
    return wanted if REF_RE.fullmatch(wanted) else ""


def get_case(actor: Actor, ref: str, *, for_update: bool = False) -> Case:
    """The case with ``ref`` if the actor may see it; otherwise 404 (existence is not leaked)."""
    wanted = _wanted_ref(ref)
    if not wanted:
        raise NotFound(f"no case {validate.label(ref, 40)}")
    # The opener and the jurisdictions are not needed to decide visibility: loaded when shown
    # (so a case the actor may not see costs no more queries than a missing one).
    query = (
        select(Case)
        .where(Case.ref == wanted)
        .options(lazyload(Case.opened_by), lazyload(Case.jurisdiction_rows))
    )
    if for_update:
        # Lock the case row and refresh what this session already holds of it.
        query = query.with_for_update(of=Case).execution_options(populate_existing=True)
    case = db.session.execute(query).scalar_one_or_none()
    if case is None or not perm.can_view_case(actor.user, case):
        raise NotFound(f"no case {ref}")
    return case


def view_case(actor: Actor, ref: str) -> Case:
    """Open a case to read it (page, API, CLI). Reading a restricted case is a sensitive read:
    it is audited, and so is a refused attempt on one (which still answers 404).

    A refused look and a look for a case that does not exist do the same work, so the time of
    the 404 does not tell them apart: one lookup (the case with its assignments, joined, and
    the actor's membership, which is all :func:`perm.can_view_case` reads) and one audited
    refusal (``case.viewed`` for a restricted case, ``case.not_found`` for no case), each
    committed the same way."""
    from ..audit import service as audit

    wanted = _wanted_ref(ref)
    if not wanted:
        raise NotFound(f"no case {validate.label(ref, 40)}")
    # The actor's membership is read in the same statement, so a restricted case costs no
    # second query that a missing one would not make.
    me = actor.user.id if actor.user is not None else None
    member = exists().where(CaseMember.case_id == Case.id, CaseMember.user_id == me)
    query = (
        select(Case, member.label("member"))
        .where(Case.ref == wanted)
        .options(
            lazyload(Case.opened_by),
            lazyload(Case.jurisdiction_rows),
            joinedload(Case.assignments),
        )
    )
    found = db.session.execute(query).unique().first()
    case, is_member = (found[0], bool(found[1])) if found is not None else (None, False)
    if case is not None and perm.can_view_case(actor.user, case, member=is_member):
        if case.restricted:
            audit.record_committed(actor, "case.viewed", "case", case.ref, case_id=case.id)
        return case
    # Committed with whatever the read path has pending (nothing, or a Slack replay-guard row):
    # a refused look is on record even though it is a 404.
    audit.record_committed(
        actor,
        "case.viewed" if case is not None else "case.not_found",
        "case",
        wanted,
        outcome="denied",
        details={"reason": "restricted; not a participant" if case else "no such case"},
    )
    raise NotFound(f"no case {ref}")


def is_following(user_id: int, case_id: int) -> bool:
    return db.session.get(Follow, (case_id, user_id)) is not None


def list_cases(
    actor: Actor, data: Raw | CaseFilters, *, following: bool = False
) -> tuple[list[Case], int]:
    """Cases the actor may see, filtered by status/playbook/jurisdiction/text (and only those
    the actor follows, with ``following``); most salient first, then newest (``sort=salience``,
    the default), or newest first (``sort=newest``); ``limit`` and ``offset`` pick the page."""
    if actor.user is None:
        raise NotFound("no cases")
    filters = parse(CaseFilters, data)
    conditions = []
    if filters.status:
        conditions.append(Case.status == filters.status)
    if filters.playbook:
        conditions.append(Case.playbook_key == filters.playbook)
    if filters.jurisdiction:
        # A name ("Germany") finds what its code does; anything else, as typed
        wanted = countries.resolve(filters.jurisdiction) or filters.jurisdiction.upper()
        # A case concerns every country of its jurisdictions, not only its primary one.
        concerned = select(CaseJurisdiction.case_id).where(CaseJurisdiction.code == wanted)
        conditions.append((Case.jurisdiction == wanted) | Case.id.in_(concerned))
    if filters.q:
        needle = f"%{filters.q[:200].lower()}%"
        conditions.append(func.lower(Case.title).like(needle) | func.lower(Case.ref).like(needle))
    if following:
        followed = select(Follow.case_id).where(Follow.user_id == actor.user.id)
        conditions.append(Case.id.in_(followed))
    sort = filters.sort or "salience"
    limit, offset = filters.limit, filters.offset
    query = select(Case).where(perm.visible_case_clause(actor.user), *conditions)
    total = count_visible(actor.user, conditions)
    order: list[ColumnElement[Any]] = [Case.opened_at.desc(), Case.id.desc()]
    if sort == "salience":  # 0 (not assessed) sorts last; see assessment/salience.py
        order.insert(0, Case.salience.desc())
    rows = db.session.execute(query.order_by(*order).limit(limit).offset(offset)).scalars().all()
    return list(rows), total


def count_visible(user, conditions: list) -> int:  # noqa: ANN001
    """How many cases matching ``conditions`` the user may see. For a user who may not see
    every case, unrestricted and restricted cases are counted apart, so that each count can
    use an index (one OR across both would read the whole table on PostgreSQL)."""

    def count(*where) -> int:  # noqa: ANN002
        query = select(func.count()).select_from(Case).where(*where, *conditions)
        return db.session.execute(query).scalar_one()

    if perm.sees_every_case(user):
        return count()
    return count(Case.restricted == false()) + count(Case.id.in_(perm.restricted_visible_ids(user)))


def timeline(actor: Actor, case: Case, *, reads: bool = True) -> list[Entry]:
    """Every audited event on the case the actor may see, oldest first (an event about
    another case only when the actor may see that one too: :mod:`.timeline`); without the
    audited reads (a restricted case's every view) when ``reads`` is false, as on the page."""
    from ..pagecache import READS
    from .timeline import for_viewer

    query = select(AuditEvent).where(AuditEvent.case_id == case.id)
    if not reads:
        query = query.where(AuditEvent.action.not_in(READS))
    events = list(db.session.execute(query.order_by(AuditEvent.id)).scalars())
    return for_viewer(case, events, actor.user)
