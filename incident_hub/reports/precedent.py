"""The dossier's precedent sections: what happened next after each round of the case, and
the similar past cases (as the exporter may see them: :func:`..precedent.similar.similar_cases`
leaves out restricted cases they may not see) with their decision, what happened next and the
lesson learned; their status and follow-through count as secondary facts."""

from __future__ import annotations

from ..actor import Actor
from ..cases.models import Case
from ..errors import ServiceError
from ..precedent.outcomes import outcomes_of
from ..precedent.similar import similar_cases
from ..vocabulary import government_response_label, status_label
from .blocks import Heading, Note, Section, Table, Text
from .wording import person, when

SIMILAR = 5


def outcomes_section(case: Case) -> Section:
    section = Section("What happened next")
    rows = outcomes_of(case)
    if not rows:
        section.blocks.append(Note("What the government did next has not been recorded."))
        return section
    table = [
        [
            str(r.round),
            government_response_label(r.government_response),
            person(r.recorded_by) if r.recorded_by else "",
            when(r.recorded_at),
        ]
        for r in rows
    ]
    section.blocks.append(
        Table(["Round", "Government response", "Recorded by", "Recorded"], table, [1, 6, 4, 3])
    )
    for r in rows:
        if r.note:
            section.blocks.append(Text(r.note, label=f"Round {r.round}: on the response"))
        if r.lesson:
            section.blocks.append(Text(r.lesson, label=f"Round {r.round}: lesson learned"))
    return section


def similar_section(actor: Actor, case: Case) -> Section:
    section = Section("Similar past cases")
    try:
        found = similar_cases(actor, case.ref, SIMILAR)
    except ServiceError:
        found = []
    if not found:
        section.blocks.append(Note("No similar past case that you may see."))
        return section
    rows = []
    for s in found:
        decision = s.decision
        decided = (
            f"{decision['option_title']} ({decision['executive']}, {when(decision['decided_at'])})"
            if decision
            else "No decision yet"
        )
        response = s.response["title"] if s.response else "Not recorded"
        actions = f", actions done {s.actions['done']} of {s.actions['total']}"
        secondary = status_label(s.status) + (actions if s.actions["total"] else "")
        ref = s.ref + (" (restricted)" if s.restricted else "")
        rows.append([ref, s.title, decided, response, secondary])
    section.blocks.append(
        Table(["Case", "Title", "Decision", "What happened next", "Status"], rows, [3, 5, 4, 4, 3])
    )
    for s in found:
        section.blocks.append(Heading(f"{s.ref} {s.title}"))
        section.blocks.append(Text("; ".join(s.reasons) or "similar wording", label="Matched on"))
        if s.response and s.response["note"]:
            section.blocks.append(Text(s.response["note"], label="On the response"))
        if s.response and s.response["lesson"]:
            section.blocks.append(Text(s.response["lesson"], label="Lesson learned"))
    return section
