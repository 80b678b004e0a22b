"""``incident-hub cases assign | add-function | change-playbook | members …``: who works a
case (named assignees, the need-to-know list) and the functions of a running case from the
command line (commands of the ``cases`` group,
:mod:`.cli`; the same service functions as the web and API)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from ..console import run_service
from .cli import AS_USER, _actor, cases


@cases.command("assign")
@AS_USER
@click.argument("ref")
@click.argument("function")
@click.option("--owner", default="", metavar="EMAIL", help="Make this person its owner.")
@click.option("--delegate", "add", multiple=True, metavar="EMAIL", help="Delegate it (repeat).")
@click.option(
    "--remove-delegate", "remove", multiple=True, metavar="EMAIL", help="Take a delegate off."
)
@with_appcontext
def cases_assign(
    as_user: str, ref: str, function: str, owner: str, add: tuple[str, ...], remove: tuple[str, ...]
) -> None:
    """Name a function's owner and delegates on a case (with no option: show them)."""
    from .assignees import change_assignees, named_on
    from .queries import view_case

    actor = _actor(as_user)
    if owner or add or remove:
        raw = {"owner": owner, "add_delegates": list(add), "remove_delegates": list(remove)}
        run_service(change_assignees, actor, ref, function, raw)
    case = run_service(view_case, actor, ref)
    named = named_on(case).get(function)
    if named is None:
        raise click.ClickException(f"{function!r} is not assigned on {case.ref}")
    delegates = ", ".join(u.email for u in named.delegates) or "none"
    owner_email = named.owner.email if named.owner else "nobody yet"
    click.echo(f"{case.ref} {function}: owner {owner_email}; delegates {delegates}.")


@cases.command("add-function")
@AS_USER
@click.argument("ref")
@click.argument("function")
@click.option("--owner", default="", metavar="EMAIL", help="Its owner (default: its one lead).")
@click.option("--due", "due_at", default=None, help="When its analysis is due (ISO 8601).")
@click.option("--optional", is_flag=True, help="Advisory: the decision need not wait for it.")
@click.option("--questions-from", default="", metavar="PLAYBOOK", help="Whose questions it asks.")
@with_appcontext
def cases_add_function(
    as_user: str,
    ref: str,
    function: str,
    owner: str,
    due_at: str | None,
    optional: bool,
    questions_from: str,
) -> None:
    """Add a function to a case still open or awaiting its decision."""
    from .case_functions import add_function

    raw = {
        "function": function,
        "owner": owner,
        "due_at": due_at,
        "required": not optional,
        "questions_from": questions_from,
    }
    assignment = run_service(add_function, _actor(as_user), ref, raw)
    click.echo(
        f"{function} added to {ref.strip().upper()}, due {assignment.due_at:%Y-%m-%d %H:%M} UTC."
    )


@cases.command("change-playbook")
@AS_USER
@click.argument("ref")
@click.argument("playbook")
@click.option("--version", type=int, default=None, help="The version you read: refused if stale.")
@with_appcontext
def cases_change_playbook(as_user: str, ref: str, playbook: str, version: int | None) -> None:
    """Move a case to another playbook while nothing is filed on it."""
    from .case_functions import change_playbook

    raw = {"playbook": playbook, "version": version}
    case = run_service(change_playbook, _actor(as_user), ref, raw)
    functions = ", ".join(a.function_key for a in case.assignments)
    click.echo(f"{case.ref} now follows {case.playbook_key}: {functions}.")


@cases.group("members")
def members_group() -> None:
    """Who is on a case's need-to-know list."""


@members_group.command("list")
@AS_USER
@click.argument("ref")
@with_appcontext
def members_list(as_user: str, ref: str) -> None:
    """List a case's members: opener, named members, assigned leads."""
    from .members import list_members
    from .serialize import members_to_dicts

    case, rows = run_service(list_members, _actor(as_user), ref)
    for m in members_to_dicts(case, rows):
        function = f" ({m['function']})" if m["function"] else ""
        click.echo(f"{m['email']}  {m['kind']}{function}")


@members_group.command("add")
@AS_USER
@click.argument("ref")
@click.argument("email")
@with_appcontext
def members_add(as_user: str, ref: str, email: str) -> None:
    """Name a person as a member (the opener, an admin or an executive)."""
    from .members import add_member

    member = run_service(add_member, _actor(as_user), ref, {"user": email})
    click.echo(f"{member.user.email} is now a member of {ref.strip().upper()}.")


@members_group.command("remove")
@AS_USER
@click.argument("ref")
@click.argument("email")
@with_appcontext
def members_remove(as_user: str, ref: str, email: str) -> None:
    """Take a person off the case (the opener, an admin or an executive)."""
    from .members import remove_member

    user = run_service(remove_member, _actor(as_user), ref, email)
    click.echo(f"{user.email} is no longer a member of {ref.strip().upper()}.")
