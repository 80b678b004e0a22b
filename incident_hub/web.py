"""Web plumbing shared by the blueprints: sign-in loading, error pages, template helpers."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app, render_template, request
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from . import countries, vocabulary
from .actor import Actor
from .auth.models import User
from .errors import ServiceError
from .extensions import login_manager
from .playbooks import registry
from .vocabulary import stage_label, status_label
from .watch.language import NAMES as LANGUAGE_NAMES
from .wording import for_people, readable


def web_actor() -> Actor:
    """The signed-in user (or nobody), with the session's sign-in time (see ``Actor``)."""
    from .auth.sessions import signed_in_at

    user = current_user if current_user.is_authenticated else None
    return Actor(
        user=user,
        via="web",
        address=request.remote_addr or "",
        authenticated_at=signed_in_at() if user else None,
    )


def local_path(target: str | None, prefix: str = "/") -> str | None:
    """``target`` if it is a path on this site under ``prefix`` (a form's ``back``, a ``next``),
    else None: never another host (``//host``, ``/\\host``, a scheme), never a control
    character (a newline would split the Location header: a 500, or a forged header)."""
    if not target or len(target) > 2000 or not target.isprintable() or "\\" in target:
        return None
    if not target.startswith(prefix) or target.startswith("//"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def form_error(exc: ServiceError) -> ServiceError:
    """What a web form does with a service's error: a refusal (403: the service has audited it)
    or a missing object (404) is not the form's to show, so it goes on to the app's
    ServiceError handler, an error page with the service's own message and status, the answer
    the API gives; any other error (invalid input, a conflict) is returned, to be shown on the
    form with the input kept, in people's words. One rule for every form and one-click action
    of the web UI."""
    if exc.status in (403, 404) and not exc.field:
        raise exc
    return for_people(exc)  # the message in people's words (see incident_hub/wording.py)


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The cookie holds ``id:epoch`` and the random id of its server-side row: no row (signed
    out, signed out everywhere, disabled, roles changed) or a bumped epoch, no user."""
    from .auth.sessions import load

    user_id, _, epoch = session_id.partition(":")
    if not user_id.isdigit() or not epoch.isdigit() or len(user_id) > 18 or len(epoch) > 18:
        return None
    return load(int(user_id), int(epoch))


def _wants_json() -> bool:
    return request.path.startswith("/api/")


# The vocabulary templates compare with (``case.status == CaseStatus.OPEN``), never bare strings.
TEMPLATE_WORDS = (
    "CaseStatus", "AssignmentStatus", "AlertStatus", "NoticeStatus", "ActionStatus",
    "UNDECIDED", "DECIDED_OR_CLOSED", "DECIDED_NOT_CLOSED", "UNTRIAGED", "OUTSTANDING",
)  # fmt: skip


def register_web(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"
    app.jinja_env.globals.update({name: getattr(vocabulary, name) for name in TEMPLATE_WORDS})

    from .auth.sessions import enforce_limits

    app.before_request(enforce_limits)  # idle and absolute session timeouts ([AUTH])

    @app.errorhandler(ServiceError)
    def service_error(exc: ServiceError):  # noqa: ANN202
        if _wants_json():
            from .api.errors import error_response

            return error_response(exc.status, exc.code, exc.message, exc.field)
        shown = readable(exc)
        return render_template("error.html", status=exc.status, message=shown), exc.status

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):  # noqa: ANN202
        if _wants_json():
            from .api.errors import error_response

            code = (exc.name or "error").lower().replace(" ", "_")
            return error_response(exc.code or 500, code, exc.description or "")
        return render_template("error.html", status=exc.code, message=exc.description), exc.code

    @app.context_processor
    def helpers() -> dict:
        reg = registry()

        def playbook_title(key: str) -> str:
            playbook = reg.get(key)
            return playbook.title if playbook else key

        return {
            "status_label": status_label,
            "stage_label": stage_label,
            "function_title": reg.function_title,
            "playbook_title": playbook_title,
            "playbooks": reg.playbooks,
            "language_name": lambda code: LANGUAGE_NAMES.get(code, code),
        }

    app.add_template_filter(countries.country_name, "country_name")
    app.jinja_env.globals["jurisdiction_names"] = countries.names  # the forms' <datalist>

    @app.template_filter("when")
    def when(value) -> str:  # noqa: ANN001
        return value.strftime("%d %b %Y %H:%M UTC") if value else "—"

    @app.template_filter("day")
    def day(value) -> str:  # noqa: ANN001
        return value.strftime("%d %b %Y") if value else "—"

    @app.after_request
    def security_headers(response):  # noqa: ANN001, ANN202
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        )
        if request.endpoint != "static":
            # Pages and API answers hold restricted data: no browser or proxy keeps a copy
            # (the back button after sign-out, a shared machine). Static files may be cached.
            response.headers["Cache-Control"] = "no-store"
            response.headers.setdefault("Pragma", "no-cache")
        if request.is_secure or current_app.config["BASE_URL"].startswith("https://"):
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        return response
