"""Bodies and setup for the evidence rows of tests/authz_rules.py: uploads are multipart (the
matrix sends a body with a ``file`` part as multipart/form-data), and ``_with_attachment``
puts attachment 1 (a PDF the admin attached, its bytes in the store) on the cell's case before
the request, so …/attachments/1 names something real."""

from __future__ import annotations

import io
from typing import Any

from authz_bodies import Body, Ctx

# evidence.service.can_attach: the opener (admin), executives, triagers who see the case, and
# its members (the assigned legal lead, the named member); not a lead who is not on the case
ATTACHERS = frozenset({"admin", "triager", "lead", "exec", "named"})
_ATTACHMENT_1 = {"attachment_id": "1"}
PDF = b"%PDF-1.4\n% the matrix's order\ntrailer << >>\n%%EOF\n"


def _upload(c: Ctx) -> dict[str, Any]:
    content = PDF + f"% cell {c.n}\n".encode()
    return {"file": (io.BytesIO(content), f"order {c.n}.pdf"), "description": "the order"}


def _attachment_one(c: Ctx) -> None:
    import hashlib

    from incident_hub.auth.models import User
    from incident_hub.cases.models import Case
    from incident_hub.evidence.models import Attachment
    from incident_hub.evidence.store import current_store
    from incident_hub.extensions import db

    with c.app.app_context():
        case = db.session.execute(db.select(Case).filter_by(ref=c.ref)).scalar()
        if case is None:  # not for the reference of a case that does not exist
            return
        admin = db.session.execute(db.select(User).filter_by(email="admin@example.org")).scalar()
        sha = hashlib.sha256(PDF).hexdigest()
        current_store().put(sha, PDF)
        row = db.session.get(Attachment, 1) or Attachment(id=1)
        row.case_id, row.function_key, row.filename, row.kind = case.id, "", "order.pdf", "pdf"
        row.content_type, row.size, row.sha256 = "application/pdf", len(PDF), sha
        row.uploaded_by_id, row.privileged, row.description = admin.id, False, ""
        db.session.add(row)
        db.session.commit()


def _with_attachment(body: Body | None = None) -> Body:
    return lambda c: (_attachment_one(c), body(c) if body else None)[1]
