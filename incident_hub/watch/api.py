"""JSON API routes for feed sources (registered on the /api/v1 blueprint)."""

from __future__ import annotations

from flask import g, jsonify

from ..api import bp
from ..api.http import body, listing
from ..api.spec import operation
from . import outputs as out
from .inputs import NewSource
from .serialize import source_to_dict
from .sources import add_source, list_sources


@bp.get("/sources")
@operation(out.SourceList, tag="watch")
def sources():  # noqa: ANN201
    """Feed sources with their health"""
    items = [source_to_dict(s) for s in list_sources()]
    return listing(items, len(items))


@bp.post("/sources")
@operation(out.Source, status=201, body=NewSource, errors=(400, 403, 409), tag="watch")
def create_source():  # noqa: ANN201
    """Add a source (admin)"""
    source = add_source(g.actor, body())
    return jsonify(source_to_dict(source)), 201
