"""``incident-hub poll``: poll the due feeds (or one) now, from the command line."""

from __future__ import annotations

import sys
from datetime import datetime

import click
from flask.cli import with_appcontext

from ..clock import frozen_at, now, parse_iso
from ..console import run_service


def at_time(value: str | None) -> datetime:
    if not value:
        return now()
    try:
        return parse_iso(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO 8601 time", param_hint="--at") from None


AT = click.option(
    "--at",
    "at",
    default=None,
    metavar="ISO",
    help="Act as if it were this time (UTC unless an offset is given).",
)


@click.command("poll")
@click.option("--source", "source_key", default=None, help="Poll only this source, due or not.")
@AT
@with_appcontext
def poll_command(source_key: str | None, at: str | None) -> None:
    """Poll due feeds (or one) now and print a summary per source."""
    from .service import due_sources, poll
    from .sources import sync_sources_from_files

    when = at_time(at)
    with frozen_at(when):
        sync_sources_from_files()
        total = len(run_service(due_sources, when, source_key))
        if total == 0:
            click.echo("No source is due.")
            return
        show_bar = sys.stdout.isatty()
        with click.progressbar(
            length=total, label="Polling", file=sys.stderr if show_bar else None
        ) as bar:
            results = run_service(
                poll, source_key, when, lambda _r: bar.update(1) if show_bar else None
            )
    width = max(len(r.key) for r in results)
    for r in results:
        detail = (
            f"error: {r.error}"
            if r.status == "error"
            else f"{r.new} new, {r.updated} updated, {r.flagged} flagged"
            + (f", {r.joined} joined an existing alert" if r.joined else "")
            + (" (not modified)" if r.status == "not_modified" else "")
            + (f"; moved permanently to {r.moved_to}" if r.moved_to else "")
        )
        click.echo(f"{r.key:<{width}}  {detail}")
    errors = sum(r.status == "error" for r in results)
    click.echo(
        f"{len(results)} source(s): {sum(r.new for r in results)} new, "
        f"{sum(r.flagged for r in results)} flagged, {errors} failing."
    )


def register(cli: click.Group) -> None:
    """Add ``incident-hub poll`` (see :mod:`incident_hub.doors`)."""
    cli.add_command(poll_command)
