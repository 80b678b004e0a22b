"""Attachments: files kept as evidence on a case, or on one function's analysis of it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..clock import now
from ..extensions import Model
from ..types import UTCDateTime

LIMITS = {"description": 2_000}


class Attachment(Model):
    """One file attached to a case (``function_key`` '') or to a function's analysis of it.

    The bytes are in the store (:mod:`.store`) under ``sha256``; this row says what they are.
    The same content is attached to a case once (a second upload is refused, naming the
    first). ``privileged``: legal advice, read only by those who may read privileged analyses;
    a file on a function whose current analysis is privileged is protected as that analysis
    is, whatever this flag says (:func:`.service.hidden_from`).
    """

    __tablename__ = "attachments"
    __table_args__ = (
        UniqueConstraint("case_id", "sha256"),
        Index("ix_attachments_case_id_function_key", "case_id", "function_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    function_key: Mapped[str] = mapped_column(String(50), default="", server_default="")
    filename: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10))  # the extension: kinds.KINDS
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    privileged: Mapped[bool] = mapped_column(default=False, server_default=false())
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    uploaded_by: Mapped[User] = relationship(lazy="joined")
