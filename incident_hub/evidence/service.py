"""Attaching evidence to a case, listing it, and handing a file out (audited).

Who may attach: the people who may work on the case — its opener, its members (named, and the
leads assigned to it), and the triagers, executives and admins who may see it
(:func:`can_attach`). Who may read a file: whoever may see the case, except that a privileged
file (marked so, or on a function whose current analysis is privileged) is read only by those
:func:`..auth.permissions.can_read_privileged` lets; to everyone else it does not exist (404).

The same content is attached to a case once: a second upload of it is refused (409) naming the
first. Every upload and every download is audited, with the file's SHA-256; a refused download
is audited too and answers 404, as for a file that does not exist.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from flask import current_app
from sqlalchemy import select

from ..actor import Actor
from ..audit import service as audit
from ..auth import permissions as perm
from ..cases.models import Case
from ..cases.queries import get_case, view_case
from ..clock import now
from ..errors import BadRequest, Conflict, Invalid, NotFound, ServiceError
from ..extensions import db
from ..schemas import parse
from ..transaction import deny, run_in_transaction
from .detect import clean_name, detect
from .inputs import NewAttachment, Upload
from .models import Attachment
from .store import current_store

Raw = Mapping[str, Any]
WHO_ATTACHES = (
    "only the people who work on the case (its opener, its members and assigned leads, "
    "triagers, executives and admins) can attach files to it"
)


class TooLarge(ServiceError):
    status, code = 413, "request_entity_too_large"


def limits() -> dict[str, Any]:
    return current_app.config["ATTACHMENTS"]  # type: ignore[no-any-return]


def megabytes(size: int) -> str:
    """A size in people's words: "25 MB", "1.5 kB", "300 bytes" (decimal units)."""
    for unit, scale in (("MB", 1_000_000), ("kB", 1_000)):
        if size >= scale:
            return f"{size / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{size} bytes"


def can_attach(user: Any, case: Case) -> bool:
    if not (user and user.active and perm.can_view_case(user, case)):
        return False
    if perm.sees_every_case(user) or perm.can_triage(user):
        return True
    return perm.is_participant(user, case)


def authorize_attach(actor: Actor, case: Case) -> None:
    """Refuse (audited) unless ``actor`` may attach files to ``case``: the check
    :func:`attach` makes, and what the pages ask before showing the upload form."""
    if not can_attach(actor.user, case):
        raise deny(actor, "attachment.add", "case", case.ref, WHO_ATTACHES)


def _privileged_functions(case: Case) -> set[str]:
    return {a.function_key for a in case.current_analyses().values() if a.privileged}


def hidden_from(actor: Actor, case: Case, rows: list[Attachment]) -> set[int]:
    """Ids of the privileged rows ``actor`` may not read."""
    guarded = _privileged_functions(case)
    hidden = [r for r in rows if r.privileged or (r.function_key and r.function_key in guarded)]
    if not hidden or perm.can_read_privileged(actor.user, case):
        return set()
    return {r.id for r in hidden}


def attachments_of(actor: Actor, case: Case, function: str | None = None) -> list[Attachment]:
    """The case's files ``actor`` may read, oldest first (only ``function``'s, if given: ''
    for the case's own)."""
    query = select(Attachment).where(Attachment.case_id == case.id)
    if function is not None:
        query = query.where(Attachment.function_key == function)
    rows = list(db.session.execute(query.order_by(Attachment.id)).scalars())
    hidden = hidden_from(actor, case, rows)
    return [r for r in rows if r.id not in hidden]


def list_attachments(actor: Actor, ref: str) -> tuple[Case, list[Attachment]]:
    """The case (404 unless visible; a restricted case's read is audited) and its files."""
    case = view_case(actor, ref)
    return case, attachments_of(actor, case)


def _function(case: Case, key: str) -> str:
    if key and key not in {a.function_key for a in case.assignments}:
        known = ", ".join(a.function_key for a in case.assignments)
        raise Invalid(
            f"{key!r} is not a function of {case.ref} (its functions: {known})",
            field="function",
            web="Function: choose one of the case's functions",
        )
    return key


def check_file(upload: Upload) -> tuple[str, Any]:
    """The shown name and kind of an uploaded file, or the reason it is refused."""
    cfg = limits()
    size = len(upload.data)
    if size > cfg["MAX_BYTES"]:
        raise TooLarge(
            f"the file is {megabytes(size)}; attachments may be at most "
            f"{megabytes(cfg['MAX_BYTES'])}",
            field="file",
        )
    if size == 0:
        raise Invalid("the file is empty", field="file")
    name = clean_name(upload.filename)
    kind = detect(name, upload.data, cfg["ALLOWED_TYPES"])
    if name.rpartition(".")[0] == "":
        name = f"attachment.{kind.ext}"
    return name, kind


def attach(actor: Actor, ref: str, upload: Upload | None, raw: NewAttachment | Raw) -> Attachment:
    """Attach a file to a case (or to one of its functions' analysis): checked by its content,
    stored under its SHA-256, recorded and audited. ``upload`` None: no file was sent (400,
    once the permission check has passed)."""
    case = get_case(actor, ref)
    authorize_attach(actor, case)
    if upload is None:
        raise BadRequest(
            "send the file as multipart/form-data, in a part named file",
            field="file",
            web="Choose a file to attach.",
        )
    data = parse(NewAttachment, raw)
    function = _function(case, data.function)
    name, kind = check_file(upload)
    sha256 = hashlib.sha256(upload.data).hexdigest()
    _refuse_duplicate(case, sha256)
    current_store().put(sha256, upload.data)  # before the row: a row always has its bytes

    def work() -> Attachment:
        _refuse_duplicate(case, sha256)
        row = Attachment(
            case_id=case.id,
            function_key=function,
            filename=name,
            kind=kind.ext,
            content_type=kind.mime,
            size=len(upload.data),
            sha256=sha256,
            description=data.description,
            privileged=data.privileged,
            uploaded_by_id=actor.require_user().id,
            uploaded_at=now(),
        )
        db.session.add(row)
        db.session.flush()
        details: dict[str, Any] = {
            "attachment": row.id,
            "sha256": sha256,
            "size": row.size,
            "type": kind.ext,
            "privileged": row.privileged,
        }
        if function:
            details["function"] = function
        if not row.privileged:  # a privileged file's name is not spelled out in the timeline
            details["reason"] = name
        audit.record(actor, "attachment.added", "case", case.ref, case_id=case.id, details=details)
        return row

    return run_in_transaction(work)


def _refuse_duplicate(case: Case, sha256: str) -> None:
    existing = db.session.execute(
        select(Attachment).where(Attachment.case_id == case.id, Attachment.sha256 == sha256)
    ).scalar_one_or_none()
    if existing is not None:
        raise Conflict(
            f"this file is already attached to {case.ref} (attachment {existing.id}, "
            f"added {existing.uploaded_at:%d %b %Y})",
            field="file",
        )


def _wanted_id(value: Any) -> int | None:
    text = str(value)
    return int(text) if text.isdigit() and len(text) <= 9 else None


def open_attachment(actor: Actor, ref: str, attachment_id: Any) -> tuple[Attachment, bytes]:
    """The file and its bytes, for a download: audited (``attachment.downloaded``, with its
    SHA-256), and so is a refusal, which answers 404 whether the case, the file or the right
    to read it is missing."""
    wanted = _wanted_id(attachment_id)
    try:
        case = get_case(actor, ref)
        row = db.session.get(Attachment, wanted) if wanted is not None else None
        if row is None or row.case_id != case.id or row.id in hidden_from(actor, case, [row]):
            raise NotFound(f"no attachment {str(attachment_id)[:20]} on {case.ref}")
    except NotFound:
        audit.record_committed(
            actor,
            "attachment.downloaded",
            "case",
            str(ref),
            outcome="denied",
            details={"attachment": str(attachment_id)[:20], "reason": "not found or not visible"},
        )
        raise
    data = current_store().get(row.sha256)
    audit.record_committed(
        actor,
        "attachment.downloaded",
        "case",
        case.ref,
        case_id=case.id,
        details={"attachment": row.id, "sha256": row.sha256, "size": row.size},
    )
    return row, data
