"""Every door of every feature, registered in one place, by one convention.

A feature is a package ``incident_hub/<name>/`` that keeps its doors beside its services:

- ``views.py``: its web pages, a blueprint named ``bp``;
- ``api.py``: its JSON routes, on the shared ``/api/v1`` blueprint (:data:`incident_hub.api.bp`);
- ``cli.py``: ``register(cli)`` adds its commands to ``incident-hub``.

A feature has the doors it needs (triage has no CLI, audit no pages of its own…). To add one,
add its package to :data:`FEATURES`; ``tests/test_doors.py`` checks that every door module
found in a package is registered here, so nothing is wired by an import elsewhere.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Iterator
from types import ModuleType

import click
from flask import Blueprint, Flask

FEATURES = (
    "auth",
    "cases",
    "triage",
    "watch",
    "notify",
    "audit",
    "assessment",
    "engagement",
    "discussion",
    "evidence",
    "followthrough",
    "monitoring",
    "precedent",
    "reports",
    "ops",
    "slack",
)
KINDS = ("views", "api", "cli")


def modules(kind: str) -> Iterator[ModuleType]:
    """Each feature's ``kind`` module (views, api or cli), in FEATURES order."""
    for feature in FEATURES:
        name = f"{__package__}.{feature}.{kind}"
        if importlib.util.find_spec(name) is not None:
            yield importlib.import_module(name)


def blueprints() -> list[Blueprint]:
    """The web blueprints, and the API's (whose routes every ``api.py`` adds) last."""
    from .api import bp as api_bp

    for _ in modules("api"):  # importing a feature's api.py adds its routes to api_bp
        pass
    return [module.bp for module in modules("views")] + [api_bp]


def register_blueprints(app: Flask) -> None:
    for blueprint in blueprints():
        app.register_blueprint(blueprint)


def register_commands(cli: click.Group) -> None:
    for module in modules("cli"):
        module.register(cli)
