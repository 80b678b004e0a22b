"""``incident-hub poll``, ``tick`` and ``scheduler``: polling and the periodic work (whose first
job is polling) from the command line."""

from __future__ import annotations

import sys
from datetime import datetime

import click
from flask.cli import with_appcontext
from flask.globals import app_ctx

from ..cli import run_service
from ..clock import frozen_at, now, parse_iso


def _at(value: str | None) -> datetime:
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

    when = _at(at)
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


@click.command("tick")
@AT
@with_appcontext
def tick_command(at: str | None) -> None:
    """One pass of all periodic work as of that time (poll due feeds, …)."""
    from ..jobs import tick

    when = _at(at)
    with frozen_at(when):
        summary = tick(when)
    for job, figures in summary.items():
        click.echo(f"{job}: " + ", ".join(f"{k} {v}" for k, v in figures.items()))


@click.command("scheduler")
@click.option(
    "--job-interval",
    "job_intervals",
    multiple=True,
    metavar="NAME=SECONDS",
    help="Seconds between runs of one job (default: its interval in jobs.JOBS); repeatable.",
)
@click.option(
    "--lock-poll",
    default=5.0,
    show_default=True,
    type=click.FloatRange(min=0.1),
    metavar="SECONDS",
    help="How often a standby retries the lock and the active process checks it.",
)
@with_appcontext
def scheduler_command(job_intervals: tuple[str, ...], lock_poll: float) -> None:
    """Run the scheduler process (APScheduler) that calls the same jobs as ``tick``.

    On PostgreSQL one copy is active and any other waits as a standby (advisory lock), taking
    over when the active one dies. SIGTERM or Ctrl-C stops it cleanly (exit 0).
    """
    import logging

    from ..jobs import JOBS
    from ..scheduler import resolve_intervals, run_scheduler

    overrides: dict[str, int] = {}
    for item in job_intervals:
        name, sep, seconds = item.partition("=")
        if not sep or not seconds.strip().isdigit():
            raise click.BadParameter(f"{item!r} is not NAME=SECONDS", param_hint="--job-interval")
        overrides[name.strip()] = int(seconds)
    try:
        resolve_intervals(JOBS, overrides)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--job-interval") from None
    app = app_ctx.app  # the app itself (not the current_app proxy): the jobs run in threads
    if app.logger.level == logging.NOTSET:  # job runs and failures are logged at INFO/ERROR
        app.logger.setLevel(logging.INFO)
    run_scheduler(app, intervals=overrides, lock_poll_s=lock_poll)


def register(cli: click.Group) -> None:
    """Add ``incident-hub poll``, ``tick`` and ``scheduler`` (see :mod:`incident_hub.doors`)."""
    for command in (poll_command, tick_command, scheduler_command):
        cli.add_command(command)
