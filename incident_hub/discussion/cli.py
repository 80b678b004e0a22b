"""``incident-hub cases comment …``: comments from the command line, acting as a named user."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from ..cases.cli import AS_USER, _actor, _text, cases
from ..console import run_service


@click.command("comment")
@AS_USER
@click.argument("ref")
@click.argument("text")
@click.option("--function", default="", help="Comment in this function's analysis thread.")
@click.option("--to", "to_function", default="", help="Ask this function a question.")
@click.option("--mention", "mentions", multiple=True, metavar="EMAIL", help="Mention (repeat).")
@with_appcontext
def comment(
    as_user: str, ref: str, text: str, function: str, to_function: str, mentions: tuple[str, ...]
) -> None:
    """Comment on a case (TEXT, or - to read stdin); @alice@example.org mentions someone."""
    from .service import add_comment

    raw = {"text": _text(text), "function": function, "to_function": to_function}
    posted = run_service(add_comment, _actor(as_user), ref, raw | {"mentions": list(mentions)})
    told = ", ".join(u.email for u in posted.mentioned.told)
    click.echo(f"Comment {posted.comment.id} posted on {ref.strip().upper()}.")
    if told:
        click.echo(f"Notified: {told}.")
    if posted.mentioned.not_told:
        click.echo(posted.mentioned.message(), err=True)


@click.command("edit-comment")
@AS_USER
@click.argument("ref")
@click.argument("comment_id")
@click.argument("text")
@with_appcontext
def edit_comment(as_user: str, ref: str, comment_id: str, text: str) -> None:
    """Edit your comment (within [CASES] COMMENT_EDIT_MINUTES of posting)."""
    from .service import edit_comment as edit

    posted = run_service(edit, _actor(as_user), ref, comment_id, {"text": _text(text)})
    click.echo(f"Comment {posted.comment.id} is now version {posted.comment.version}.")
    if posted.mentioned.not_told:
        click.echo(posted.mentioned.message(), err=True)


@click.command("comments")
@AS_USER
@click.argument("ref")
@click.option("--function", default="", help="One analysis thread ('case': the case's own).")
@with_appcontext
def comments(as_user: str, ref: str, function: str) -> None:
    """List the case's comments you may read, oldest first."""
    from ..playbooks import registry
    from .service import list_comments

    _case, rows = run_service(list_comments, _actor(as_user), ref, {"function": function})
    for c in rows:
        where = registry().function_title(c.function_key) if c.function_key else "case"
        asked = f" → {registry().function_title(c.to_function)}" if c.to_function else ""
        edited = f" (edited, v{c.version})" if c.version > 1 else ""
        stamp = c.created_at.strftime("%Y-%m-%d %H:%M")
        click.echo(f"#{c.id} {stamp} [{where}{asked}] {c.author.email}{edited}: {c.text}")
    click.echo(f"{len(rows)} comment(s).")


def register(cli: click.Group) -> None:
    """Add ``cases comment``, ``cases edit-comment`` and ``cases comments`` to the ``cases``
    group (see :mod:`incident_hub.doors`)."""
    for command in (comment, edit_comment, comments):
        cases.add_command(command)
