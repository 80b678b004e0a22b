"""The JSON shape of an attachment (API, CLI): what the file is, never its content."""

from __future__ import annotations

from typing import Any

from ..clock import iso
from .models import Attachment


def attachment_to_dict(row: Attachment, case_ref: str) -> dict[str, Any]:
    return {
        "id": row.id,
        "case": case_ref,
        "function": row.function_key or None,
        "filename": row.filename,
        "type": row.kind,
        "content_type": row.content_type,
        "size": row.size,
        "sha256": row.sha256,
        "description": row.description,
        "privileged": row.privileged,
        "uploaded_by": row.uploaded_by.email,
        "uploaded_at": iso(row.uploaded_at),
        "download_url": f"/api/v1/cases/{case_ref}/attachments/{row.id}",
    }
