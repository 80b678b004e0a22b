"""Domain errors raised by service functions; each interface turns them into its own answer.

The API maps them to JSON with the status below, the web UI to a flash message or an error page,
the CLI to a message and exit code, Slack to an ephemeral reply.
"""

from __future__ import annotations


class ServiceError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, field: str | None = None, web: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        # The same in people's words, for the web UI, where ``message`` speaks the API's
        # language (option keys, field names like due_at): see incident_hub/wording.py.
        self.web = web


class BadRequest(ServiceError):
    status, code = 400, "bad_request"


class Unauthorized(ServiceError):
    status, code = 401, "unauthorized"


class Forbidden(ServiceError):
    status, code = 403, "forbidden"


class NotFound(ServiceError):
    status, code = 404, "not_found"


class Conflict(ServiceError):
    """The object is in the wrong state for this action (or changed underneath it)."""

    status, code = 409, "conflict"


class Invalid(ServiceError):
    """Well-formed input that fails validation."""

    status, code = 422, "validation_error"


class TooManyRequests(ServiceError):
    """Over a rate limit the service or a door checks itself (not Flask-Limiter's own)."""

    status, code = 429, "too_many_requests"


class ReauthRequired(Forbidden):
    """The action needs a recent sign-in (see :func:`incident_hub.auth.sessions.require_recent`);
    the web UI answers it by sending the user to ``/reauth`` and back."""

    status, code = 403, "reauth_required"
