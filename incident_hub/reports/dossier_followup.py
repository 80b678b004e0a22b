"""The dossier's sections on what surrounds the case record (dossier.py builds the document):
the engagement log, the follow-through actions, related cases and the timeline."""

from __future__ import annotations

from sqlalchemy import select

from ..actor import Actor
from ..auth import permissions as perm
from ..cases import queries
from ..cases.models import Case
from ..engagement import models as engagement_models
from ..engagement.queries import can_see_log, visible_engagements
from ..extensions import db
from ..followthrough.models import Action, CaseLink
from ..vocabulary import status_label
from .blocks import Facts, Heading, Note, Section, Table, Text
from .wording import (
    CONFIDENTIAL,
    LINK_LABELS,
    READS,
    humanise,
    person,
    when,
)


def engagement_section(actor: Actor, case: Case) -> Section:
    section = Section("Stakeholder engagement (UNGP 18, RDR G5)")
    if not can_see_log(actor, case):
        section.blocks.append(
            Note(
                "The engagement log is shown only to the case's participants, executives and "
                "admins; it is not part of this export."
            )
        )
        return section
    entries = visible_engagements(actor, case)
    kinds = getattr(engagement_models, "KINDS", {})
    section.blocks.append(
        Note(
            "Entries marked confidential appear only in exports by people allowed to see them, "
            "and even then without the organisation's name or contact: the organisation may "
            "not be named outside Incident Hub."
        )
    )
    if not entries:
        section.blocks.append(Note("No consultations recorded."))
    for entry in entries:
        kind = kinds.get(entry.organisation.kind, humanise(entry.organisation.kind))
        if entry.confidential:
            name, contact = CONFIDENTIAL, ""
        else:
            name, contact = entry.organisation.name, entry.contact
        facts = [
            ("Organisation", name),
            ("Kind", kind),
            ("Contact", contact),
            ("Date", when(entry.engaged_on)),
            ("Recorded by", person(entry.recorded_by)),
        ]
        section.blocks += [Heading(f"{when(entry.engaged_on)}: {name}"), Facts(facts)]
        section.blocks.append(Text(entry.summary, label="Summary"))
        if entry.advice:
            section.blocks.append(Text(entry.advice, label="What they advised"))
    return section


def actions_section(case: Case) -> Section:
    section = Section("Follow-through (UNGP 20)")
    actions = list(
        db.session.execute(
            select(Action)
            .where(Action.case_id == case.id)
            .order_by(Action.round, Action.due_at, Action.id)
        ).scalars()
    )
    if not actions:
        section.blocks.append(Note("No follow-up actions recorded."))
        return section
    rows = [
        [a.title, person(a.owner), when(a.due_at), humanise(a.status), when(a.review_on)]
        for a in actions
    ]
    section.blocks.append(
        Table(["Action", "Owner", "Due", "Status", "Review on"], rows, [5, 4, 3, 2, 2])
    )
    for action in actions:
        texts = [
            (action.detail, "Detail"),
            (action.note, "Completion or waiver note"),
            (action.effectiveness, "Effectiveness review"),
        ]
        if any(t for t, _ in texts):
            section.blocks.append(Heading(action.title))
            section.blocks += [Text(t, label=label) for t, label in texts if t]
    return section


def related_section(actor: Actor, case: Case) -> Section:
    section = Section("Related cases")
    visible = perm.visible_case_clause(actor.require_user())
    outgoing = db.session.execute(
        select(CaseLink, Case)
        .join(Case, Case.id == CaseLink.other_id)
        .where(CaseLink.case_id == case.id, visible)
        .order_by(CaseLink.id)
    ).all()
    incoming = db.session.execute(
        select(CaseLink, Case)
        .join(Case, Case.id == CaseLink.case_id)
        .where(CaseLink.other_id == case.id, visible)
        .order_by(CaseLink.id)
    ).all()
    rows, notes = [], []
    for links, out in ((outgoing, True), (incoming, False)):
        for link, other in links:
            if link.kind == "duplicate_of":
                relation = "Duplicate of" if out else "Merged duplicate"
            else:
                relation = LINK_LABELS.get(link.kind, humanise(link.kind))
            ref = other.ref + (" (restricted)" if other.restricted else "")
            status = status_label(other.status)
            rows.append([relation, ref, other.title, status])
            if link.note.strip():
                notes.append(Text(link.note, label=f"{relation} {other.ref}"))
    if rows:
        section.blocks += [Table(["Relation", "Case", "Title", "Status"], rows, [3, 3, 6, 2])]
        section.blocks += notes
    else:
        section.blocks.append(Note("No related cases that you may see."))
    return section


def timeline_section(actor: Actor, case: Case) -> Section:
    events = queries.timeline(actor, case)
    rows = [
        [when(e.at), e.who, e.action, "" if e.outcome == "ok" else e.outcome]
        for e in events
        if e.action not in READS
    ]
    section = Section("Timeline (from the audit trail)")
    section.blocks.append(Table(["When", "Who", "Event", "Outcome"], rows, [3, 4, 4, 2]))
    reads = len(events) - len(rows)
    if reads:
        section.blocks.append(
            Note(
                f"{reads} recorded read(s) of the case (views of a restricted case, exports) "
                "are in the audit trail and not listed here."
            )
        )
    return section
