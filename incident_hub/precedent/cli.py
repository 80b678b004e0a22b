"""CLI commands for precedent (registered by incident_hub.cli)."""

from __future__ import annotations

import click


def register(cli: click.Group) -> None:
    """Add this feature's commands to the ``incident-hub`` group."""
