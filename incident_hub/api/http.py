"""What every API route shares: reading the JSON body, answering a page of a list."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from ..errors import BadRequest


def sent_json() -> Any:
    """The JSON body, or None when there is none or it is not JSON; 400 when it is nested
    deeper than the parser can go ("[[[[…": the parser raises RecursionError, not ValueError)."""
    try:
        return request.get_json(silent=True)
    except RecursionError:
        raise BadRequest("the JSON body is nested too deeply") from None


def body() -> dict[str, Any]:
    """The JSON object sent, or 400."""
    data = sent_json()
    if not isinstance(data, dict):
        raise BadRequest("send a JSON object with Content-Type: application/json")
    return data


def listing(items: list[Any], total: int):  # noqa: ANN201
    response = jsonify(items)
    response.headers["X-Total-Count"] = str(total)
    return response
