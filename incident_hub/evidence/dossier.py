"""The dossier's "Evidence" section: which files were attached (name, type, size, SHA-256,
who, when), so the dossier can cite each one exactly — never their content. Privileged files
are listed only for exporters who may read them (as the analyses are)."""

from __future__ import annotations

from ..actor import Actor
from ..cases.models import Case
from ..playbooks import registry
from ..reports.blocks import Note, Section, Table
from ..reports.wording import person, when
from .kinds import KINDS
from .service import attachments_of


def section(actor: Actor, case: Case) -> Section:
    out = Section("Evidence (attachments)")
    rows = attachments_of(actor, case)
    if not rows:
        out.blocks.append(Note("No files attached that you may read."))
        return out
    out.blocks.append(
        Note(
            "Files are kept in Incident Hub, not in this dossier; each is identified by the "
            "SHA-256 of its exact content."
        )
    )
    reg = registry()
    out.blocks.append(
        Table(
            ["#", "File", "Type", "Size (bytes)", "For", "Added by", "Added"],
            [
                [
                    str(r.id),
                    r.filename + (" (privileged)" if r.privileged else ""),
                    KINDS[r.kind].label if r.kind in KINDS else r.kind,
                    str(r.size),
                    reg.function_title(r.function_key) if r.function_key else "The case",
                    person(r.uploaded_by),
                    when(r.uploaded_at),
                ]
                for r in rows
            ],
            [1, 5, 3, 2, 3, 4, 3],
        )
    )
    out.blocks.append(Table(["#", "SHA-256"], [[str(r.id), r.sha256] for r in rows], [1, 10]))
    described = [[str(r.id), r.description] for r in rows if r.description]
    if described:
        out.blocks.append(Table(["#", "Description"], described, [1, 10]))
    return out
