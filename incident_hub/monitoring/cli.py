"""``incident-hub cases monitor`` and ``incident-hub cases review``: monitoring from the
command line, acting as a named user (``--as``), through the same service functions."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from ..cases.cli import AS_USER, _actor, cases
from ..console import run_service
from ..vocabulary import CaseStatus


@click.command("monitor")
@AS_USER
@click.argument("ref")
@click.option("--every", "every_days", type=int, default=None, help="Days between re-reviews.")
@click.option("--review-at", default=None, help="The (next) re-review: ISO date or time.")
@click.option("--until", default=None, help="No re-review after this date (ISO); '' clears it.")
@click.option("--owner", default=None, metavar="EMAIL", help="Who re-reviews (default: you).")
@click.option("--note", default=None)
@click.option("--stop", is_flag=True, help="End monitoring (with --note saying why).")
@with_appcontext
def cases_monitor(as_user: str, ref: str, stop: bool, **fields: object) -> None:
    """Put a decided case under monitoring, or change (or --stop) its re-reviews."""
    from ..cases.queries import get_case
    from . import service

    actor = _actor(as_user)
    case = run_service(get_case, actor, ref)
    sent = {k: v for k, v in fields.items() if v is not None}
    if stop or case.status == CaseStatus.MONITORING:
        schedule = run_service(
            service.change_monitoring, actor, ref, sent | ({"stop": True} if stop else {})
        )
    else:
        schedule = run_service(service.start_monitoring, actor, ref, sent)
    if schedule is None:
        click.echo(f"{case.ref}: monitoring stopped (decided).")
        return
    until = f" until {schedule.until.isoformat()}" if schedule.until else ""
    click.echo(
        f"{case.ref}: monitoring, next re-review {schedule.next_review_at:%Y-%m-%d %H:%M} UTC, "
        f"every {schedule.every_days} days{until}, owner {schedule.owner.email}."
    )


@click.command("review")
@AS_USER
@click.argument("ref")
@click.option("--outcome", required=True, type=click.Choice(["continue", "reopen", "end"]))
@click.option("--note", required=True, help="What the re-review found.")
@with_appcontext
def cases_review(as_user: str, ref: str, outcome: str, note: str) -> None:
    """Record a re-review of a monitored case (its owner, admins, executives)."""
    from ..cases.queries import get_case
    from . import reviews, service

    actor = _actor(as_user)
    run_service(reviews.record_review, actor, ref, {"outcome": outcome, "note": note})
    case = run_service(get_case, actor, ref)
    schedule = service.monitoring_of(case)
    after = (
        f"next re-review {schedule.next_review_at:%Y-%m-%d %H:%M} UTC"
        if schedule is not None
        else f"now {case.status}"
    )
    click.echo(f"{case.ref}: re-review recorded ({outcome}); {after}.")


def register(cli: click.Group) -> None:
    """Add ``incident-hub cases monitor`` and ``… review`` to the cases group (cases/cli.py
    registers it first: doors.FEATURES lists cases before monitoring)."""
    cases.add_command(cases_monitor)
    cases.add_command(cases_review)
