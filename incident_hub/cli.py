"""The ``incident-hub`` command: a FlaskGroup over :func:`create_app` plus project commands."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext

from . import create_app
from .config import ConfigError
from .console import CLI_ACTOR, run_service  # noqa: F401  (the names commands used to import)


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


@cli.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create or upgrade the database schema to the latest migration (idempotent)."""
    from .database import upgrade_database

    upgrade_database()
    click.echo("Database is at the latest migration.")


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


from .demo import demo as demo_command  # noqa: E402  (``incident-hub demo``)
from .doors import register_commands  # noqa: E402

cli.add_command(demo_command)
register_commands(cli)  # every feature's commands (see doors.py)
