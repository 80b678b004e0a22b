"""``incident-hub users …``: accounts, roles, Slack ids and API tokens from the command line."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from ..console import CLI_ACTOR, run_service


@click.group()
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
    from ..auth.service import create_user

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
    from ..auth.service import find_user, set_slack_id

    user = run_service(find_user, email)
    run_service(set_slack_id, CLI_ACTOR, user, slack_id)
    click.echo(f"{user.email} is Slack user {user.slack_user_id}.")


@users.command("token")
@click.argument("email")
@click.option("--label", default="cli", help="What the token is for.")
@with_appcontext
def users_token(email: str, label: str) -> None:
    """Print a new API token for EMAIL (only its hash is stored)."""
    from ..auth.service import find_user, issue_token

    user = run_service(find_user, email)
    click.echo(run_service(issue_token, CLI_ACTOR, user, label))


@users.command("disable")
@click.argument("email")
@with_appcontext
def users_disable(email: str) -> None:
    """Disable EMAIL's account: no sign-in, no API token, and every session ends at once."""
    from ..auth.service import disable_user, find_user

    user = run_service(find_user, email)
    was_active = user.active
    run_service(disable_user, CLI_ACTOR, user)
    click.echo(
        f"{user.email} is disabled; every session has ended."
        if was_active
        else f"{user.email} was already disabled."
    )


@users.command("sign-out")
@click.argument("email")
@with_appcontext
def users_sign_out(email: str) -> None:
    """Sign EMAIL out everywhere: every web session of theirs ends at once."""
    from ..auth.service import find_user
    from ..auth.sign_in import sign_out_everywhere

    user = run_service(find_user, email)
    ended = run_service(sign_out_everywhere, CLI_ACTOR, user)
    click.echo(f"{user.email} is signed out everywhere ({ended} sessions ended).")


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
    from ..auth.service import find_user, set_roles

    user = run_service(find_user, email)
    epoch = user.session_epoch
    run_service(set_roles, CLI_ACTOR, user, list(roles), list(functions))
    summary = ", ".join(sorted(user.roles))
    if user.functions:
        summary += "; leads " + ", ".join(sorted(user.functions))
    ended = " Every session of theirs has ended." if user.session_epoch != epoch else ""
    click.echo(f"{user.email}: {summary}.{ended}")


def register(cli: click.Group) -> None:
    """Add ``incident-hub users …`` (see :mod:`incident_hub.doors`)."""
    cli.add_command(users)
