"""The OpenAPI 3.1 document served at ``/api/v1/openapi.json``: generated, every operation of
it, from the routes and their pydantic models (see :mod:`.spec`)."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from . import bp
from .spec import generated


def document() -> dict[str, Any]:
    return generated()


@bp.get("/openapi.json")
def openapi():  # noqa: ANN201
    """The document itself (public: it holds no data)."""
    return jsonify(document())
