"""``incident-hub users …``: accounts, roles, Slack ids, time zones, how notices reach
people, and API tokens from the command line."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from ..clock import now
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


@users.command("set-timezone")
@click.argument("email")
@click.argument("zone", metavar="TZ")
@with_appcontext
def users_set_timezone(email: str, zone: str) -> None:
    """Set EMAIL's time zone for reminders: an IANA name (Europe/Berlin, Asia/Tokyo), or
    ``default`` for [REMINDERS] TIMEZONE. Their reminders keep working hours there."""
    from ..auth.service import find_user, set_timezone

    user = run_service(find_user, email)
    chosen = None if zone.strip().lower() == "default" else zone
    run_service(set_timezone, CLI_ACTOR, {"timezone": chosen}, user)
    shown = user.timezone or "the default ([REMINDERS] TIMEZONE)"
    click.echo(f"{user.email}: reminders keep working hours in {shown}.")


@users.command("set-notify")
@click.argument("email")
@click.argument("way", metavar="slack|email|both", type=click.Choice(["slack", "email", "both"]))
@with_appcontext
def users_set_notify(email: str, way: str) -> None:
    """Choose how EMAIL's notices reach them: a Slack direct message, e-mail, or both.
    Without [EMAIL] ENABLED they all go to Slack; without a Slack id, by e-mail."""
    from ..auth.serialize import notified_by
    from ..auth.service import find_user, set_notify_by

    user = run_service(find_user, email)
    run_service(set_notify_by, CLI_ACTOR, {"notify_by": way}, user)
    now_by = " and ".join(notified_by(user)) or "nowhere (no Slack id, and e-mail is off)"
    click.echo(f"{user.email}: notices by {user.notify_by} (now reaching them by {now_by}).")


@users.command("token")
@click.argument("email", required=False)
@click.option("--name", "--label", "name", default=None, help="What it is for (default: cli).")
@click.option("--days", type=int, default=None, help="Days it lasts ([AUTH] API_TOKEN_DAYS).")
@click.option("--revoke", "revoke", default=None, help="Revoke the token with this id (or name).")
@click.option("--list", "listing", is_flag=True, help="List EMAIL's tokens (or everyone's).")
@with_appcontext
def users_token(
    email: str | None, name: str | None, days: int | None, revoke: str | None, listing: bool
) -> None:
    """Print a new API token for EMAIL (only its hash is stored), or list or revoke tokens.

    \b
    incident-hub users token EMAIL [--name NAME] [--days N]   a new token, printed once
    incident-hub users token [EMAIL] --list                  tokens (EMAIL's, or everyone's)
    incident-hub users token [EMAIL] --revoke ID|NAME        revoke one (a name needs EMAIL)
    """
    from ..auth.service import find_user
    from ..auth.tokens import all_tokens, free_name, issue_token, list_tokens, revoke_token

    if revoke is not None and listing:
        raise click.UsageError("--revoke and --list do not go together")
    user = run_service(find_user, email) if email else None
    if revoke is not None:
        if user is None and not (revoke.strip().isascii() and revoke.strip().isdigit()):
            raise click.UsageError("revoking by name needs the owner's EMAIL (or give the id)")
        row = run_service(revoke_token, CLI_ACTOR, revoke, user)
        click.echo(f"Token {row.id} ({row.name!r}) of {row.user.email} is revoked.")
        return
    if listing:
        rows = run_service(list_tokens, CLI_ACTOR, user) if user else all_tokens(CLI_ACTOR)
        for row in rows:
            state = "revoked" if row.revoked_at else ("live" if row.live(now()) else "expired")
            used = f"{row.last_used_at:%Y-%m-%d %H:%M}" if row.last_used_at else "never"
            click.echo(
                f"{row.id}\t{row.user.email}\t{row.name}\t{state}\t"
                f"expires {row.expires_at:%Y-%m-%d}\tlast used {used}"
            )
        return
    if user is None:
        raise click.UsageError("give the EMAIL of the user the token is for")
    chosen = name if name is not None else free_name(user, "cli")
    click.echo(run_service(issue_token, CLI_ACTOR, user, chosen, days))


@users.command("password")
@click.argument("email")
@with_appcontext
def users_password(email: str) -> None:
    """Set EMAIL's password, read from standard input (it must pass the strength check: at
    least 12 characters and hard to guess); every session of that user ends."""
    from ..auth.passwords import set_password
    from ..auth.service import find_user

    user = run_service(find_user, email)
    password = sys.stdin.readline().rstrip("\r\n")
    run_service(set_password, CLI_ACTOR, user, password)
    click.echo(f"{user.email}: password set; every session of theirs has ended.")


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
