"""What every command shares: the console operator as an actor, and a service call whose
refusal becomes a one-line message. A leaf: feature ``cli.py`` modules import it, never the
``incident-hub`` group itself (:mod:`.cli` imports them)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from .actor import Actor
from .errors import ServiceError

CLI_ACTOR = Actor(user=None, via="cli")


def run_service(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call a service function; its refusals become a one-line message and exit code 1."""
    try:
        return fn(*args, **kwargs)
    except ServiceError as exc:
        raise click.ClickException(exc.message) from None
