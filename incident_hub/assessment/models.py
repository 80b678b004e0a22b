"""The human-rights assessment of a case (UNGPs 17–19): rights, groups, severity, involvement."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..clock import now
from ..extensions import Model
from ..types import UTCDateTime


class Assessment(Model):
    """One per case, edited in place (each change audited with before/after).

    Severity is scale, scope and irremediability (1–5 each); likelihood (1–5) is added when
    ranking. The case's salience (``Case.salience``) is computed from these on every save.
    """

    __tablename__ = "assessments"

    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    rights: Mapped[list[str]] = mapped_column(JSON, default=list)
    at_risk_groups: Mapped[list[str]] = mapped_column(JSON, default=list)
    groups_note: Mapped[str] = mapped_column(Text, default="")
    scale: Mapped[int | None] = mapped_column()
    scope: Mapped[int | None] = mapped_column()
    irremediability: Mapped[int | None] = mapped_column()
    likelihood: Mapped[int | None] = mapped_column()
    involvement: Mapped[str | None] = mapped_column(String(20))  # cause|contribute|linked
    leverage: Mapped[str] = mapped_column(Text, default="")
    # Telenor's four tests: {test_key: {"answer": "yes"|"no"|"unclear", "note": str}}
    tests: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    version: Mapped[int] = mapped_column(default=1)

    updated_by: Mapped[User] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}
