"""Every API error is JSON ``{"error": {"code", "message"}}`` with the right status."""

from __future__ import annotations

from flask import current_app, g, jsonify, request
from limits import parse
from werkzeug.exceptions import HTTPException

from ..actor import Actor
from ..auth.tokens import authenticate as token_owner
from ..errors import ServiceError, TooManyRequests, Unauthorized
from ..extensions import limiter
from . import bp

FAILURES_KEY = "api-auth-failures"


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
    address = request.remote_addr or "-"
    # Failed authentications are limited per address ([LIMITS] AUTH_FAILURES), on top of the
    # per-token API limit that a fresh bogus token per request escapes. Over the limit every
    # token from that address is refused, a good one too: otherwise the answer would still
    # tell a guessed token from a wrong one.
    failures = parse(current_app.config["LIMITS"]["AUTH_FAILURES"])
    if not limiter.limiter.test(failures, FAILURES_KEY, address):
        raise TooManyRequests(
            f"too many failed authentications from this address (limit {failures}); try again later"
        )
    try:
        user = token_owner(token.strip())
    except Unauthorized:
        limiter.limiter.hit(failures, FAILURES_KEY, address)
        raise
    g.actor = Actor(user=user, via="api", address=address)


@bp.errorhandler(ServiceError)
def service_error(exc: ServiceError):  # noqa: ANN201
    return error_response(exc.status, exc.code, exc.message, exc.field)


@bp.errorhandler(HTTPException)
def http_error(exc: HTTPException):  # noqa: ANN201
    code = (exc.name or "error").lower().replace(" ", "_")
    return error_response(exc.code or 500, code, exc.description or exc.name)
