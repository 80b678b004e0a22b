"""Every API error is JSON ``{"error": {"code", "message"}}`` with the right status."""

from __future__ import annotations

from flask import g, jsonify, request
from werkzeug.exceptions import HTTPException

from ..actor import Actor
from ..auth.service import user_for_token
from ..errors import ServiceError, Unauthorized
from . import bp


def error_response(status: int, code: str, message: str, field: str | None = None):  # noqa: ANN201
    body = {"error": {"code": code, "message": message}}
    if field:
        body["error"]["field"] = field
    response = jsonify(body)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="incident-hub"'
    return response


@bp.before_request
def authenticate() -> None:
    """Resolve the bearer token to a user; the OpenAPI document is public."""
    if request.endpoint == "api.openapi":
        return
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("send Authorization: Bearer <token>")
    user = user_for_token(token.strip())
    if user is None:
        raise Unauthorized("invalid, revoked or expired token")
    g.actor = Actor(user=user, via="api", address=request.remote_addr or "")


@bp.errorhandler(ServiceError)
def service_error(exc: ServiceError):  # noqa: ANN201
    return error_response(exc.status, exc.code, exc.message, exc.field)


@bp.errorhandler(HTTPException)
def http_error(exc: HTTPException):  # noqa: ANN201
    code = (exc.name or "error").lower().replace(" ", "_")
    return error_response(exc.code or 500, code, exc.description or exc.name)
