"""JSON API routes for evidence (registered on the /api/v1 blueprint)."""

from __future__ import annotations

from flask import g, jsonify, request

from ..api import bp
from ..api.http import listing
from ..api.spec import operation
from ..schemas import Page, parse
from . import outputs as out
from . import service
from .inputs import UploadForm
from .serialize import attachment_to_dict
from .views import download, received

TAG = "evidence"
FILE = {"schema": {"type": "string", "contentMediaType": "application/octet-stream"}}


@bp.get("/cases/<ref>/attachments")
@operation(out.AttachmentList, query=Page, errors=(404,), tag=TAG)
def list_attachments(ref: str):  # noqa: ANN201
    """The files attached to the case and its analyses that you may read, oldest first"""
    args = parse(Page, request.args.to_dict())
    case, rows = service.list_attachments(g.actor, ref)
    page = rows[args.offset : args.offset + args.limit]
    return listing([attachment_to_dict(r, case.ref) for r in page], len(rows))


@bp.post("/cases/<ref>/attachments")
@operation(out.Attachment, status=201, form=UploadForm, errors=(400, 403, 404, 409), tag=TAG)
def upload_attachment(ref: str):  # noqa: ANN201
    """Attach a file (multipart/form-data: `file`, optional `function`, `description`,
    `privileged`)

    The content is checked, not the name or Content-Type: PDF, images, office documents and
    UTF-8 text ([ATTACHMENTS] ALLOWED_TYPES). 413: larger than [ATTACHMENTS] MAX_BYTES; 422:
    a kind not accepted, or content that is not what its extension says; 409: the same
    content is already attached to the case."""
    upload, fields = received()
    row = service.attach(g.actor, ref, upload, fields)
    response = jsonify(attachment_to_dict(row, row_ref(ref)))
    response.status_code = 201
    response.headers["Location"] = f"/api/v1/cases/{row_ref(ref)}/attachments/{row.id}"
    return response


@bp.get("/cases/<ref>/attachments/<attachment_id>")
@operation(None, errors=(404,), tag=TAG, media={"application/octet-stream": FILE})
def get_attachment(ref: str, attachment_id: str):  # noqa: ANN201
    """Download a file (audited): as an attachment, with its recorded Content-Type"""
    return download(*service.open_attachment(g.actor, ref, attachment_id))


def row_ref(ref: str) -> str:
    return ref.strip().upper()
