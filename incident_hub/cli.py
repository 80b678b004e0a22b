"""The ``incident-hub`` command: a FlaskGroup over :func:`create_app` plus project commands."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext

from . import create_app
from .actor import Actor
from .config import ConfigError
from .errors import ServiceError


def _make_app() -> Flask:
    try:
        return create_app()
    except ConfigError as exc:
        raise click.ClickException(f"configuration error: {exc}") from None


@click.group(cls=FlaskGroup, create_app=_make_app, add_version_option=False)
def cli() -> None:
    """Incident Hub: coordinate the response when a law change threatens users' rights."""


def main() -> None:
    cli.main(prog_name="incident-hub")


CLI_ACTOR = Actor(user=None, via="cli")


def run_service(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call a service function; its refusals become a one-line message and exit code 1."""
    try:
        return fn(*args, **kwargs)
    except ServiceError as exc:
        raise click.ClickException(exc.message) from None


@cli.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create or upgrade the database schema to the latest migration (idempotent)."""
    from .database import upgrade_database

    upgrade_database()
    click.echo("Database is at the latest migration.")


@cli.group()
def users() -> None:
    """Manage user accounts."""


@users.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    help="admin, triager, lead or executive; repeat for several.",
)
@click.option(
    "--function", "functions", multiple=True, help="A function this lead leads; repeatable."
)
@click.option("--slack-id", default=None, help="Slack user id (U…) for notices and /incident.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def users_create(
    email: str,
    name: str,
    roles: tuple[str, ...],
    functions: tuple[str, ...],
    slack_id: str | None,
    password_stdin: bool,
) -> None:
    """Create a user."""
    from .auth.service import create_user

    password = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    user = run_service(
        create_user,
        CLI_ACTOR,
        email=email,
        name=name,
        roles=list(roles),
        functions=list(functions),
        slack_user_id=slack_id,
        password=password,
    )
    click.echo(
        f"Created {user.email} ({', '.join(sorted(user.roles))}"
        f"{'; leads ' + ', '.join(sorted(user.functions)) if user.functions else ''})."
    )


@users.command("slack")
@click.argument("email")
@click.argument("slack_id")
@with_appcontext
def users_slack(email: str, slack_id: str) -> None:
    """Map EMAIL's account to a Slack user id (U…), for direct messages and /incident."""
    from .auth.service import find_user, set_slack_id

    user = run_service(find_user, email)
    run_service(set_slack_id, CLI_ACTOR, user, slack_id)
    click.echo(f"{user.email} is Slack user {user.slack_user_id}.")


@users.command("token")
@click.argument("email")
@click.option("--label", default="cli", help="What the token is for.")
@with_appcontext
def users_token(email: str, label: str) -> None:
    """Print a new API token for EMAIL (only its hash is stored)."""
    from .auth.service import find_user, issue_token

    user = run_service(find_user, email)
    click.echo(run_service(issue_token, CLI_ACTOR, user, label))


@users.command("disable")
@click.argument("email")
@with_appcontext
def users_disable(email: str) -> None:
    """Disable EMAIL's account: no sign-in, no API token, and every session ends at once."""
    from .auth.service import disable_user, find_user

    user = run_service(find_user, email)
    was_active = user.active
    run_service(disable_user, CLI_ACTOR, user)
    click.echo(
        f"{user.email} is disabled; every session has ended."
        if was_active
        else f"{user.email} was already disabled."
    )


@users.command("roles")
@click.argument("email")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    help="admin, triager, lead or executive; repeat for several. Replaces the current roles.",
)
@click.option(
    "--function", "functions", multiple=True, help="A function this lead leads; repeatable."
)
@with_appcontext
def users_roles(email: str, roles: tuple[str, ...], functions: tuple[str, ...]) -> None:
    """Set EMAIL's roles (and led functions); a change ends every session of that user."""
    from .auth.service import find_user, set_roles

    user = run_service(find_user, email)
    epoch = user.session_epoch
    run_service(set_roles, CLI_ACTOR, user, list(roles), list(functions))
    summary = ", ".join(sorted(user.roles))
    if user.functions:
        summary += "; leads " + ", ".join(sorted(user.functions))
    ended = " Every session of theirs has ended." if user.session_epoch != epoch else ""
    click.echo(f"{user.email}: {summary}.{ended}")


@cli.group()
def playbooks() -> None:
    """Inspect playbooks."""


@playbooks.command("check", with_appcontext=False)
@click.argument("directory", required=False, type=click.Path(file_okay=False))
def playbooks_check(directory: str | None) -> None:
    """Validate playbooks in DIRECTORY (default: the configured PLAYBOOKS_DIR).

    Runs without starting the app, so it works exactly when the configured playbooks are broken.
    """
    from .config import configured, default_instance_path
    from .playbooks import PlaybookError, load_dir

    if directory is None:
        try:
            directory = configured(default_instance_path())["PLAYBOOKS_DIR"]
        except ConfigError as exc:
            raise click.ClickException(f"configuration error: {exc}") from None
    try:
        registry = load_dir(directory)
    except PlaybookError as exc:
        for problem in exc.problems:
            click.echo(problem, err=True)
        click.echo(f"{len(exc.problems)} problem(s) found.", err=True)
        sys.exit(1)
    for playbook in registry.playbooks.values():
        click.echo(
            f"ok  {playbook.key}: {len(playbook.functions)} functions, "
            f"{len(playbook.options)} options ({playbook.path})"
        )
    click.echo(f"{len(registry.playbooks)} playbooks, {len(registry.functions)} functions: valid.")


@cli.group()
def audit() -> None:
    """Audit trail."""


@audit.command("verify")
@with_appcontext
def audit_verify() -> None:
    """Re-check the audit hash chain; exit 1 naming the first bad event."""
    from .audit.service import verify

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

    from .audit.queries import head

    click.echo(json.dumps(head(), indent=2))


@audit.command("export")
@click.option("--since", default=0, show_default=True, help="Only events after this id.")
@click.option("--output", "-o", type=click.File("w"), default="-", help="File (default stdout).")
@with_appcontext
def audit_export(since: int, output) -> None:  # noqa: ANN001
    """Write the audit trail as JSON Lines (every field, so it can be re-verified elsewhere)."""
    from .audit import service as audit_service
    from .audit.queries import export_lines
    from .extensions import db

    audit_service.record(CLI_ACTOR, "audit.exported", "audit", "trail", details={"since": since})
    db.session.commit()
    for line in export_lines(CLI_ACTOR, since):
        output.write(line)


from . import cli_cases, cli_watch, demo  # noqa: E402, F401  (register their commands)
from .precedent.cli import register as _register_precedent  # noqa: E402
from .reports.cli import register as _register_reports  # noqa: E402

_register_precedent(cli)
_register_reports(cli)
