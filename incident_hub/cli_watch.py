"""``incident-hub poll``, ``tick`` and ``scheduler``: the periodic work from the command line."""

from __future__ import annotations

import contextlib
import sys
from datetime import datetime

import click
from flask import current_app
from flask.cli import with_appcontext

from .cli import cli, run_service
from .clock import frozen_at, now, parse_iso


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


@cli.command("poll")
@click.option("--source", "source_key", default=None, help="Poll only this source, due or not.")
@AT
@with_appcontext
def poll_command(source_key: str | None, at: str | None) -> None:
    """Poll due feeds (or one) now and print a summary per source."""
    from .watch.service import due_sources, poll
    from .watch.sources import sync_sources_from_files

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
            + (" (not modified)" if r.status == "not_modified" else "")
        )
        click.echo(f"{r.key:<{width}}  {detail}")
    errors = sum(r.status == "error" for r in results)
    click.echo(
        f"{len(results)} source(s): {sum(r.new for r in results)} new, "
        f"{sum(r.flagged for r in results)} flagged, {errors} failing."
    )


@cli.command("tick")
@AT
@with_appcontext
def tick_command(at: str | None) -> None:
    """One pass of all periodic work as of that time (poll due feeds, …)."""
    from .jobs import tick

    when = _at(at)
    with frozen_at(when):
        summary = tick(when)
    for job, figures in summary.items():
        click.echo(f"{job}: " + ", ".join(f"{k} {v}" for k, v in figures.items()))


@cli.command("scheduler")
@click.option("--poll-every", default=60, show_default=True, help="Seconds between job runs.")
@with_appcontext
def scheduler_command(poll_every: int) -> None:
    """Run the scheduler process (APScheduler) that calls the same jobs as ``tick``."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    from .jobs import JOBS

    app = current_app._get_current_object()
    scheduler = BlockingScheduler(timezone="UTC")

    def run(name: str) -> None:
        with app.app_context():
            try:
                JOBS[name]()
            except Exception:  # noqa: BLE001 — a failed run is logged; the next one still runs
                app.logger.exception("job %s failed", name)

    for name in JOBS:
        scheduler.add_job(
            run,
            "interval",
            seconds=poll_every,
            args=[name],
            id=f"incident-hub-{name}",
            replace_existing=True,
            max_instances=1,
            coalesce=True,
            next_run_time=now(),
        )
    click.echo(f"Scheduler running jobs {', '.join(JOBS)} every {poll_every}s; Ctrl-C stops.")
    with contextlib.suppress(KeyboardInterrupt, SystemExit):
        scheduler.start()
