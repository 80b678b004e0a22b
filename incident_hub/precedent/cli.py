"""CLI commands for precedent and search (registered by incident_hub.cli)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext


def register(cli: click.Group) -> None:
    """Add this feature's commands to the ``incident-hub`` group."""

    @cli.group("search")
    def search_group() -> None:
        """Full-text search index."""

    @search_group.command("reindex")
    @with_appcontext
    def reindex_command() -> None:
        """Rebuild every case's search document (title, intake, analyses, decision) and
        concepts (what it is about, read with the current flagging rules)."""
        from ..console import CLI_ACTOR, run_service
        from .index import reindex

        count = run_service(reindex, CLI_ACTOR)
        click.echo(f"Reindexed {count} case{'' if count == 1 else 's'}.")
