"""Web doors for evidence: the upload form's post (case page and analysis form), the download
route, and the case page's "Evidence" section. The service is :mod:`.service`.

The request limit of the upload routes is raised to [ATTACHMENTS] MAX_BYTES (every other route
keeps the app's MAX_CONTENT_LENGTH) before anything reads the body, CSRF included; a body over
it answers a clear 413 (JSON under /api/, a page otherwise), never a 500.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from flask_login import login_required
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.utils import secure_filename

from ..actor import Actor
from ..cases.models import Case
from ..errors import ServiceError
from ..web import form_error, local_path, web_actor
from . import service
from .inputs import Upload
from .kinds import KINDS
from .models import Attachment

bp = Blueprint("evidence", __name__)
UPLOADS = {"evidence.upload", "api.upload_attachment"}
ENVELOPE = 256 * 1024  # room for the multipart boundaries and the other fields


@bp.before_request
@login_required
def require_login() -> None:
    """Every evidence page needs a signed-in user."""


def _widen_upload_limit() -> None:
    if request.endpoint in UPLOADS:
        request.max_content_length = current_app.config["ATTACHMENTS"]["MAX_BYTES"] + ENVELOPE


def _too_large(exc: RequestEntityTooLarge) -> ResponseReturnValue:
    if request.endpoint in UPLOADS:
        limit = current_app.config["ATTACHMENTS"]["MAX_BYTES"]
        message = f"the upload is too large: attachments may be at most {service.megabytes(limit)}"
    else:
        limit = current_app.config["MAX_CONTENT_LENGTH"] or 0
        message = f"the request is too large: this server accepts at most {limit} bytes"
    if request.path.startswith("/api/"):
        from ..api.errors import error_response

        return error_response(413, "request_entity_too_large", message)
    return render_template(
        "error.html", status=413, message=message[0].upper() + message[1:] + "."
    ), 413


@bp.record_once
def _install(state: BlueprintSetupState) -> None:
    """On each app: the upload routes' own request limit, set before any other hook reads the
    body (CSRF reads the form), and the 413 answer."""
    app = state.app
    app.before_request_funcs.setdefault(None, []).insert(0, _widen_upload_limit)
    app.register_error_handler(413, _too_large)


def received() -> tuple[Upload | None, dict[str, str]]:
    """The file and the other fields of a multipart upload (web form and API alike)."""
    sent = request.files.get("file")
    fields = {k: request.form.get(k, "") for k in ("function", "description", "privileged")}
    if sent is None or (not sent.filename and not sent.content_length):
        return None, fields
    return Upload(filename=sent.filename or "", data=sent.read()), fields


def download(row: Attachment, data: bytes) -> Response:
    """The file as an attachment, never shown inline: its recorded type, ``nosniff``, a
    sanitised ASCII filename and the name as shown (RFC 6266 / 5987 ``filename*``)."""
    kind = KINDS.get(row.kind)
    fallback = secure_filename(row.filename) or f"attachment-{row.id}.{row.kind}"
    disposition = f'attachment; filename="{fallback}"'
    if fallback != row.filename:
        disposition += f"; filename*=UTF-8''{quote(row.filename, safe='')}"
    response = Response(data, content_type=kind.mime if kind else "application/octet-stream")
    response.headers["Content-Disposition"] = disposition
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["X-Attachment-SHA256"] = row.sha256
    return response


def _back(ref: str) -> str:
    return local_path(request.form.get("back"), "/cases/") or url_for(
        "cases.detail", ref=ref, _anchor="evidence-h"
    )


@bp.post("/cases/<ref>/attachments")
def upload(ref: str) -> ResponseReturnValue:
    """Attach a file from the case page or the analysis form, and go back there."""
    upload_, fields = received()
    back = _back(ref)
    try:
        row = service.attach(web_actor(), ref, upload_, fields)
    except ServiceError as exc:
        if exc.status == 413:
            flash(exc.message[0].upper() + exc.message[1:] + ".", "error")
        else:
            flash(form_error(exc).message, "error")
        return redirect(back)
    flash(f"{row.filename} attached (SHA-256 {row.sha256[:12]}…).", "success")
    return redirect(back)


@bp.get("/cases/<ref>/attachments/<attachment_id>")
def get_attachment(ref: str, attachment_id: str) -> Response:
    """Download a file (audited); 404 for whoever may not read it."""
    return download(*service.open_attachment(web_actor(), ref, attachment_id))


def _shown(rows: list[Attachment]) -> list[dict[str, Any]]:
    return [
        {
            "row": r,
            "label": KINDS[r.kind].label if r.kind in KINDS else r.kind,
            "size": service.megabytes(r.size),
        }
        for r in rows
    ]


def section(actor: Actor, case: Case, function: str | None = None) -> dict[str, Any]:
    """What an evidence section shows: the files ``actor`` may read (the case's, or one
    function's) and whether the upload form is shown."""
    cfg = current_app.config["ATTACHMENTS"]
    return {
        "rows": _shown(service.attachments_of(actor, case, function)),
        "can_attach": service.can_attach(actor.user, case),
        "accept": ",".join(f".{k}" for k in cfg["ALLOWED_TYPES"]),
        "max": service.megabytes(cfg["MAX_BYTES"]),
        "function": function,
    }


def case_section(actor: Actor, case: Case) -> dict[str, Any]:
    """The case page's "Evidence" section (cases/sections.py): every file the viewer may read,
    the case's and each function's."""
    return section(actor, case)


@bp.app_context_processor
def evidence_helpers() -> dict[str, Any]:
    """``evidence_for(case, function)`` for the analysis form's evidence part."""
    return {"evidence_for": lambda case, function: section(web_actor(), case, function)}
