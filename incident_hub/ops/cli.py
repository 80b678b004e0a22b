"""``incident-hub tick`` and ``scheduler``: the periodic work (jobs.JOBS) from the command line."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from flask.globals import app_ctx

from ..clock import frozen_at
from ..watch.cli import AT, at_time


@click.command("tick")
@AT
@with_appcontext
def tick_command(at: str | None) -> None:
    """One pass of all periodic work as of that time (poll due feeds, …)."""
    from ..jobs import tick

    when = at_time(at)
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
    """Add ``incident-hub tick`` and ``scheduler`` (see :mod:`incident_hub.doors`)."""
    for command in (tick_command, scheduler_command):
        cli.add_command(command)
