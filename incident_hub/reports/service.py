"""Exports: one function per action, called by the web, the API and the CLI alike.

Each checks who may export, validates the request, builds the file and records
``report.exported`` in the audit trail (an export is a sensitive read: it takes case records
out of the tool), committed with nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..actor import Actor
from ..audit import service as audit
from ..auth import permissions as perm
from ..auth.models import User
from ..cases import queries
from ..clock import now
from ..schemas import parse
from ..transaction import deny, run_in_transaction
from . import dossier, transparency
from .inputs import DossierExport, TransparencyExport

Raw = Mapping[str, Any]  # what a door sends: a JSON object, a query string, CLI options
MEDIA_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "pdf": "application/pdf",
}


@dataclass
class Export:
    body: bytes
    media_type: str
    filename: str


def can_export_transparency(user: User | None) -> bool:
    """The transparency report is for the policy teams: admins, executives and triagers."""
    if not (user and user.active):
        return False
    return perm.is_admin(user) or user.has_role("executive") or user.has_role("triager")


def _may_export_transparency(actor: Actor) -> bool:
    """A named user by role; the console operator (CLI without ``--as``), who already holds
    the database and the config, may too: the export holds no restricted case."""
    if actor.user is None:
        return actor.via == "cli"
    return can_export_transparency(actor.user)


def export_transparency(actor: Actor, data: Raw | TransparencyExport) -> Export:
    """The year's RDR counts as JSON or CSV (restricted and gag-order cases excluded)."""
    if not _may_export_transparency(actor):
        raise deny(
            actor,
            "report.exported",
            "report",
            "transparency",
            "only admins, executives and triagers may export the transparency report",
        )
    spec = parse(TransparencyExport, data)
    wanted_year, wanted = spec.year or now().year, spec.format
    data = transparency.build(wanted_year)
    text = transparency.to_json(data) if wanted == "json" else transparency.to_csv(data)

    def record() -> None:
        audit.record(
            actor,
            "report.exported",
            "report",
            f"transparency-{wanted_year}",
            details={"kind": "transparency", "year": wanted_year, "format": wanted},
        )

    run_in_transaction(record)
    return Export(
        text.encode("utf-8"),
        MEDIA_TYPES[wanted],
        f"transparency-{wanted_year}.{wanted}",
    )


def export_dossier(actor: Actor, ref: str, data: Raw | DossierExport) -> Export:
    """The case dossier as Markdown or PDF, for anyone who may see the case (404 otherwise)."""
    case = queries.view_case(actor, ref)
    wanted = parse(DossierExport, data).format
    document = dossier.build(actor, case)
    if wanted == "md":
        from .markdown import render

        body = render(document).encode("utf-8")
    else:
        from .pdf import render as render_pdf

        body = render_pdf(document)
    case_ref, case_id = case.ref, case.id

    def record() -> None:
        audit.record(
            actor,
            "report.exported",
            "case",
            case_ref,
            case_id=case_id,
            details={"kind": "dossier", "format": wanted},
        )

    run_in_transaction(record)
    return Export(body, MEDIA_TYPES[wanted], f"{case_ref}-dossier.{wanted}")
