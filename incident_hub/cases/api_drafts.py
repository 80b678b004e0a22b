"""JSON API for drafts (on the /api/v1 blueprint): read, keep or discard your own draft of a
case's form, as the web UI's autosave does (see :mod:`.drafts`)."""

from __future__ import annotations

from datetime import datetime

from flask import g, jsonify
from pydantic import Field

from ..api import bp
from ..api.http import body
from ..api.spec import operation
from ..clock import iso
from ..schemas import Shape
from . import drafts
from .models import Draft


class DraftOut(Shape):
    form: str = Field(examples=["analysis:INC-2026-0007:legal"])
    fields: dict[str, list[str]] = Field(description="Each form field's values as typed")
    updated_at: datetime | None


class DraftDiscarded(Shape):
    form: str
    deleted: bool = Field(description="False: there was no draft")


def _out(row: Draft) -> dict:
    return {"form": row.form_key, "fields": row.fields, "updated_at": iso(row.updated_at)}


@bp.get("/drafts/<key>")
@operation(DraftOut, errors=(404,), tag="drafts")
def get_draft(key: str):  # noqa: ANN201
    """Your draft of a form (``analysis:<ref>:<function>``, ``decision:<ref>``, ``action:<ref>``)"""
    return jsonify(_out(drafts.get_draft(g.actor, key)))


@bp.put("/drafts/<key>")
@operation(DraftOut, body=drafts.DraftInput, errors=(400, 403, 404, 409), tag="drafts")
def put_draft(key: str):  # noqa: ANN201
    """Keep what you typed into a form (replaces your earlier draft of it)

    Only for a form you may submit now (a lead of that function, an executive, a case still
    undecided…); only you read it; filing the form deletes it."""
    return jsonify(_out(drafts.save_draft(g.actor, key, body())))


@bp.delete("/drafts/<key>")
@operation(DraftDiscarded, errors=(404,), tag="drafts")
def delete_draft(key: str):  # noqa: ANN201
    """Discard your draft of a form"""
    return jsonify({"form": key, "deleted": drafts.discard_draft(g.actor, key)})
