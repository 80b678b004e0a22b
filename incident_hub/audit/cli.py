"""``incident-hub audit …``: verify, anchor and export the audit trail."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from ..console import CLI_ACTOR


@click.group()
def audit() -> None:
    """Audit trail."""


@audit.command("verify")
@with_appcontext
def audit_verify() -> None:
    """Re-check the audit hash chain; exit 1 naming the first bad event."""
    from ..audit.service import verify

    result = verify()
    if not result.ok:
        click.echo(
            f"audit chain BROKEN at event {result.bad_event_id}: {result.problem} "
            f"({result.checked} events verified before it)",
            err=True,
        )
        sys.exit(1)
    click.echo(f"audit chain OK: {result.checked} events, head {result.head}")


@audit.command("head")
@with_appcontext
def audit_head() -> None:
    """Print the chain head (JSON) to anchor outside the database."""
    import json

    from ..audit.queries import head

    click.echo(json.dumps(head(), indent=2))


@audit.command("export")
@click.option("--since", default=0, show_default=True, help="Only events after this id.")
@click.option("--output", "-o", type=click.File("w"), default="-", help="File (default stdout).")
@with_appcontext
def audit_export(since: int, output) -> None:  # noqa: ANN001
    """Write the audit trail as JSON Lines (every field, so it can be re-verified elsewhere)."""
    from ..audit import service as audit_service
    from ..audit.queries import export_lines
    from ..extensions import db

    audit_service.record(CLI_ACTOR, "audit.exported", "audit", "trail", details={"since": since})
    db.session.commit()
    for line in export_lines(CLI_ACTOR, since):
        output.write(line)


def register(cli: click.Group) -> None:
    """Add ``incident-hub audit …`` (see :mod:`incident_hub.doors`)."""
    cli.add_command(audit)
