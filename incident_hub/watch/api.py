"""JSON API routes for feed sources (registered on the /api/v1 blueprint)."""

from __future__ import annotations

from dataclasses import asdict

from flask import g, jsonify

from ..api import bp
from ..api.http import body, listing
from ..api.spec import operation
from . import outputs as out
from .inputs import NewSource, SourceChanges
from .serialize import source_to_dict
from .source_admin import edit_source, get_source, poll_source_now
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


@bp.patch("/sources/<key>")
@operation(out.Source, body=SourceChanges, errors=(400, 403, 404, 409), tag="watch")
def update_source(key: str):  # noqa: ANN201
    """Edit a source, or enable or disable it (admin); only the fields sent change

    A setting changed here is no longer set by the feed files."""
    return jsonify(source_to_dict(edit_source(g.actor, key, body())))


@bp.post("/sources/<key>/poll")
@operation(out.SourcePoll, errors=(403, 404), tag="watch")
def poll_source(key: str):  # noqa: ANN201
    """Poll one source now, due or not (admin)"""
    result = poll_source_now(g.actor, key)
    answer = asdict(result)
    del answer["key"]
    return jsonify({"source": source_to_dict(get_source(key))} | answer)
