"""CLI commands for reports (registered by incident_hub.cli).

``incident-hub reports transparency --year 2026 --format csv [--output FILE] [--as EMAIL]``
``incident-hub reports dossier REF --as EMAIL --format md|pdf --output FILE``

Both call the same service functions as the web and the API, so the same rules apply: the
dossier is built as the named user sees the case, and every export is audited.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from ..actor import Actor


def _actor(email: str | None) -> Actor:
    """The named user (their permissions apply), or the operator at the console."""
    from ..auth.service import find_user
    from ..console import CLI_ACTOR, run_service

    if email is None:
        return CLI_ACTOR
    user = run_service(find_user, email)
    if not user.active:
        raise click.ClickException(f"{email} is disabled")
    return Actor(user=user, via="cli")


def _check_output(output: str | None) -> None:
    """Refuse an output path that cannot be written before anything is exported (and audited)."""
    if output in (None, "-"):
        return
    target = Path(output)
    folder = target.parent if str(target.parent) else Path(".")
    if target.is_dir() or not folder.is_dir() or not os.access(folder, os.W_OK):
        raise click.ClickException(f"cannot write {output}: no such folder, or not writable")


def _write(body: bytes, output: str | None, binary: bool) -> None:
    if output in (None, "-"):
        if binary and sys.stdout.isatty():
            raise click.ClickException("refusing to write a PDF to a terminal: use --output FILE")
        click.echo(body, nl=False)
        return
    try:
        with open(output, "wb") as handle:
            handle.write(body)
    except OSError as exc:
        raise click.ClickException(f"cannot write {output}: {exc.strerror or exc}") from None
    click.echo(f"Wrote {output} ({len(body):,} bytes).", err=True)


def register(cli: click.Group) -> None:
    """Add this feature's commands to the ``incident-hub`` group."""

    @cli.group()
    def reports() -> None:
        """Transparency report and case dossiers."""

    @reports.command("transparency")
    @click.option("--year", default=None, help="Year the cases were opened (default: this year).")
    @click.option(
        "--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True
    )
    @click.option("--output", "-o", default=None, help="File to write (default: stdout).")
    @click.option(
        "--as",
        "email",
        default=None,
        help="Export as this user (admin, executive or triager); default: the operator.",
    )
    @with_appcontext
    def transparency(year: str | None, fmt: str, output: str | None, email: str | None) -> None:
        """The year's RDR counts (F6, P11, F10, G4); restricted and gag-order cases excluded."""
        from ..console import run_service
        from .service import export_transparency

        actor = _actor(email)
        _check_output(output)
        export = run_service(export_transparency, actor, {"year": year, "format": fmt})
        _write(export.body, output, binary=False)

    @reports.command("dossier")
    @click.argument("ref")
    @click.option("--as", "email", required=True, help="Export as this user (their view).")
    @click.option(
        "--format", "fmt", type=click.Choice(["md", "pdf"]), default="md", show_default=True
    )
    @click.option("--output", "-o", default=None, help="File to write (default: stdout).")
    @with_appcontext
    def dossier(ref: str, email: str, fmt: str, output: str | None) -> None:
        """The dossier of case REF as EMAIL sees it (Markdown or PDF)."""
        from ..console import run_service
        from .service import export_dossier

        actor = _actor(email)
        _check_output(output)
        export = run_service(export_dossier, actor, ref, {"format": fmt})
        _write(export.body, output, binary=fmt == "pdf")
