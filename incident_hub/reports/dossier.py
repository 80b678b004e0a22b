"""The case dossier for the board: the whole case record as one document (GNI assessments
review company practice through case studies; this is that evidence).

What goes in is what the exporter may see and nothing more: the engagement log through
``engagement.queries.visible_engagements`` (participants only; confidential entries only for
those allowed), related cases only when the exporter may see the other case.
"""

from __future__ import annotations

from typing import Any

from ..actor import Actor
from ..assessment.models import Assessment
from ..auth import permissions as perm
from ..cases import completeness
from ..cases.models import Case
from ..cases.stages import stages_of
from ..clock import now
from ..countries import country_name
from ..evidence.dossier import section as evidence_section
from ..extensions import db
from ..playbooks import registry
from ..vocabulary import OUTSTANDING, AssignmentStatus, stage_label, status_label
from .blocks import Document, Facts, Heading, Note, Section, Table, Text
from .dossier_followup import actions_section, engagement_section, related_section, timeline_section
from .precedent import outcomes_section, similar_section
from .wording import (
    INVOLVEMENT,
    TELENOR_TESTS,
    humanise,
    option_title,
    person,
    when,
    yes_no,
)

PRIVILEGED = "PRIVILEGED & CONFIDENTIAL — legal advice. Attorney-client privileged: do not forward."
PRIVILEGED_HIDDEN = "Privileged — visible to case members"


def build(actor: Actor, case: Case) -> Document:
    """The dossier of a case the actor may see (the caller has looked it up with view_case)."""
    reg = registry()
    playbook = reg.get(case.playbook_key)
    readable = perm.can_read_privileged(actor.user, case)
    banners = []
    if case.restricted:
        banners.append(
            "RESTRICTED: only the case's participants, executives and admins may see this case. "
            "Do not circulate this dossier beyond them."
        )
    if readable and any(a.privileged for a in case.current_analyses().values()):
        banners.append(
            "PRIVILEGED & CONFIDENTIAL — legal advice: this dossier holds privileged analyses."
        )
    if case.gag_order:
        banners.append(
            "GAG ORDER: the authority has forbidden disclosing this demand. It is left out of "
            "the transparency report; this dossier is for the board only."
        )
    sections = [
        _intake(case, playbook),
        _assessment(case),
        _analyses(case, playbook, readable),
        _decisions(case, playbook, readable),
        engagement_section(actor, case),
        evidence_section(actor, case),
        actions_section(case),
        outcomes_section(case),
        related_section(actor, case),
        similar_section(actor, case),
        timeline_section(actor, case),
    ]
    return Document(
        title=f"Case dossier: {case.title}",
        subtitle=f"{case.ref} · exported {when(now())} by {actor.label}",
        banners=banners,
        sections=sections,
        ref=case.ref,
    )


def _intake(case: Case, playbook: Any) -> Section:
    facts = [
        ("Reference", case.ref),
        ("Title", case.title),
        ("Playbook", playbook.title if playbook else case.playbook_key),
        ("Jurisdiction", _jurisdiction(case.jurisdiction)),
        ("Status", status_label(case.status)),
        ("Round", str(case.round)),
        ("Restricted", yes_no(case.restricted)),
        ("Opened by", person(case.opened_by)),
        ("Opened", when(case.opened_at)),
        ("Decision due", when(case.decision_due_at)),
        ("Legal instrument", case.instrument),
        ("Issuing authority", case.authority),
        ("Legal basis", case.legal_basis),
        ("Stage", stage_label(case.stage)),
        ("Effective date", when(case.effective_date)),
        ("Response deadline", when(case.response_deadline)),
        ("Gag order", yes_no(case.gag_order)),
        ("Source", case.source_url),
        ("Salience", f"{case.salience} of 100" if case.salience else "Not assessed"),
    ]
    blocks: list[Any] = [Facts(facts)]
    if case.summary:
        blocks.append(Text(case.summary, label="Summary"))
    law = [[when(s.dated), stage_label(s.stage), s.source_url, s.note] for s in stages_of(case)]
    if law:
        blocks.append(Heading("The law’s timeline"))
        blocks.append(Table(["Date", "Stage", "Source", "Note"], law, [2, 2, 5, 4]))
    return Section("Intake", blocks)


def _assessment(case: Case) -> Section:
    section = Section("Human-rights assessment (UNGPs 17–19)")
    found = db.session.get(Assessment, case.id)
    if found is None:
        section.blocks.append(Note("No human-rights assessment has been recorded."))
        return section

    def score(value: int | None) -> str:
        return f"{value} of 5" if value else ""

    section.blocks.append(
        Facts(
            [
                ("Rights affected", ", ".join(humanise(r) for r in found.rights or [])),
                ("At-risk groups", ", ".join(str(g) for g in found.at_risk_groups or [])),
                ("Scale", score(found.scale)),
                ("Scope", score(found.scope)),
                ("Irremediable character", score(found.irremediability)),
                ("Likelihood", score(found.likelihood)),
                ("Salience", f"{case.salience} of 100" if case.salience else "Not assessed"),
                ("Involvement", INVOLVEMENT.get(found.involvement or "", found.involvement or "")),
                ("Last updated", f"{when(found.updated_at)} by {person(found.updated_by)}"),
            ]
        )
    )
    if found.groups_note:
        section.blocks.append(Text(found.groups_note, label="Affected and at-risk groups"))
    if found.leverage:
        section.blocks.append(Text(found.leverage, label="Leverage"))
    if found.tests:
        rows, notes = [], []
        for key, value in found.tests.items():
            answer, note = (
                (value.get("answer", ""), value.get("note", ""))
                if isinstance(value, dict)
                else (value, "")
            )
            title = TELENOR_TESTS.get(key, humanise(key))
            rows.append([title, humanise(str(answer or "not answered"))])
            if str(note or "").strip():
                notes.append(Text(str(note), label=title))
        section.blocks += [
            Heading("Telenor's tests of the directive"),
            Table(["Test", "Answer"], rows, [3, 2]),
            *notes,
        ]
    return section


def _answered(playbook: Any, analysis: Any) -> str:
    """ "4 of 6 answered": how far an analysis goes through its function's questions."""
    spec = playbook.function(analysis.function_key) if playbook else None
    return completeness.of(spec, analysis.answers).label


def _analyses(case: Case, playbook: Any, readable: bool) -> Section:
    """Each function's current analysis; a privileged one is marked as legal advice, and for
    an exporter who may not read it only its filing is shown (``PRIVILEGED_HIDDEN``)."""
    reg = registry()
    current = case.current_analyses()
    section = Section("Analyses and recommendations")
    rows = []
    for assignment in case.assignments:
        analysis = current.get(assignment.function_key)
        status = status_label(assignment.status)
        if assignment.status == AssignmentStatus.DRAFT:
            status += " (required questions open: not filed)"
        if assignment.status in OUTSTANDING and assignment.due_at < now():
            status += " (overdue)"
        hidden = analysis is not None and analysis.privileged and not readable
        rows.append(
            [
                reg.function_title(assignment.function_key),
                status,
                PRIVILEGED_HIDDEN
                if hidden
                else option_title(playbook, analysis.recommendation)
                if analysis
                else "",
                person(analysis.author) if analysis else "",
                when(analysis.filed_at) if analysis else when(assignment.due_at) + " (due)",
            ]
        )
    section.blocks += [
        Heading("Recommendations side by side"),
        Table(["Function", "Status", "Recommendation", "Filed by", "Filed"], rows, [3, 2, 4, 4, 3]),
    ]
    for assignment in case.assignments:
        analysis = current.get(assignment.function_key)
        title = reg.function_title(assignment.function_key)
        if analysis is None:
            if assignment.status == AssignmentStatus.WAIVED:
                section.blocks += [Heading(title), Note("Waived. " + (assignment.note or ""))]
            continue
        filed = [
            ("Filed by", person(analysis.author)),
            ("Filed", when(analysis.filed_at)),
            ("Version", str(analysis.version)),
            ("Questions", _answered(playbook, analysis)),
        ]
        if analysis.privileged and not readable:
            section.blocks += [Heading(title), Note(PRIVILEGED_HIDDEN), Facts(filed)]
            continue
        section.blocks.append(Heading(title))
        if analysis.privileged:
            section.blocks.append(Note(PRIVILEGED))
        section.blocks += [
            Facts([("Recommendation", option_title(playbook, analysis.recommendation)), *filed]),
            Text(analysis.text, label="Analysis"),
        ]
        spec = playbook.function(assignment.function_key) if playbook else None
        questions = {q.key: q.text for q in spec.questions} if spec else {}
        answers = analysis.answers or {}
        ordered = [k for k in questions if k in answers] + [
            k for k in answers if k not in questions
        ]
        for key in ordered:  # in the playbook's order; answers to retired questions last
            if str(answers[key]).strip():
                label = questions.get(key, humanise(key))
                section.blocks.append(Text(str(answers[key]), label=label))
    return section


def _decisions(case: Case, playbook: Any, readable: bool) -> Section:
    section = Section("Decision")
    if not case.decisions:
        section.blocks.append(Note("No decision has been recorded yet."))
        return section
    recommended_by: dict[str, list[str]] = {}
    for analysis in case.current_analyses().values():
        if analysis.privileged and not readable:
            continue
        title = registry().function_title(analysis.function_key)
        recommended_by.setdefault(analysis.recommendation, []).append(title)
    for decision in case.decisions:
        if len(case.decisions) > 1:
            section.blocks.append(Heading(f"Round {decision.round}"))
        facts = [
            ("Decision", option_title(playbook, decision.option_key)),
            ("Decided by", person(decision.executive)),
            ("Decided", when(decision.decided_at)),
        ]
        if decision.round == case.round:
            backers = recommended_by.get(decision.option_key, [])
            facts.append(("Recommended by", ", ".join(backers) or "No function"))
        if decision.overridden:
            facts.append(("Override", "Decided before every analysis was filed"))
        section.blocks += [Facts(facts), Text(decision.rationale, label="Rationale")]
        if decision.conditions:
            section.blocks.append(Text(decision.conditions, label="Conditions and dissent"))
    return section


def _jurisdiction(code: str) -> str:
    """The country's name and its code, "Türkiye (TR)"; a code no longer known as it is."""
    name = country_name(code)
    return f"{name} ({code})" if name != code else code
