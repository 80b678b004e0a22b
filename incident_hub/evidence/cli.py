"""``incident-hub cases attach`` and ``cases attachments``: evidence from the command line,
acting as a named user (their permissions apply, as on the web and API)."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import with_appcontext

from ..console import run_service


@click.command("attach")
@click.option("--as", "as_user", required=True, metavar="EMAIL", help="Act as this user.")
@click.argument("ref")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, readable=True))
@click.option("--function", default="", help="The function whose analysis it belongs to.")
@click.option("--description", default="", help="What the file is.")
@click.option("--privileged", is_flag=True, help="Legal advice: case members, executives, admins.")
@click.option("--name", default=None, help="The name to show (default: the file's own name).")
@with_appcontext
def attach(
    as_user: str,
    ref: str,
    path: str,
    function: str,
    description: str,
    privileged: bool,
    name: str | None,
) -> None:
    """Attach the file at PATH to case REF (or to one of its functions' analysis)."""
    from ..cases.cli import _actor
    from .inputs import Upload
    from .service import attach as attach_file

    file = Path(path)
    limit = _limit()
    if file.stat().st_size > limit:
        raise click.ClickException(
            f"{file.name} is {file.stat().st_size} bytes; attachments may be at most {limit}"
        )
    upload = Upload(filename=name or file.name, data=file.read_bytes())
    fields = {"function": function, "description": description, "privileged": privileged}
    row = run_service(attach_file, _actor(as_user), ref, upload, fields)
    click.echo(f"Attached {row.filename} to {ref.upper()} as attachment {row.id}")
    click.echo(f"SHA-256 {row.sha256}  {row.size} bytes  {row.content_type}")


def _limit() -> int:
    from flask import current_app

    return int(current_app.config["ATTACHMENTS"]["MAX_BYTES"])


@click.command("attachments")
@click.option("--as", "as_user", required=True, metavar="EMAIL", help="Act as this user.")
@click.argument("ref")
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON.")
@with_appcontext
def attachments(as_user: str, ref: str, as_json: bool) -> None:
    """List the files attached to case REF that the user may read."""
    from ..cases.cli import _actor
    from .serialize import attachment_to_dict
    from .service import list_attachments

    case, rows = run_service(list_attachments, _actor(as_user), ref)
    if as_json:
        click.echo(json.dumps([attachment_to_dict(r, case.ref) for r in rows], indent=2))
        return
    for r in rows:
        target = r.function_key or "case"
        click.echo(f"{r.id:>5}  {r.sha256}  {r.size:>10}  {target:<18} {r.filename}")
    click.echo(f"{len(rows)} attachment(s).")


def register(cli: click.Group) -> None:
    """Add ``attach`` and ``attachments`` to ``incident-hub cases`` (see :mod:`..doors`)."""
    group = cli.commands["cases"]
    assert isinstance(group, click.Group)
    group.add_command(attach)
    group.add_command(attachments)
