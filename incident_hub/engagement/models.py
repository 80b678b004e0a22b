"""Stakeholder engagement (UNGP 18, RDR G5): organisations and consultations per case."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..clock import now
from ..extensions import Model
from ..types import UTCDateTime

# Kinds of organisation consulted (UNGP 18: internal and independent external expertise,
# potentially affected groups), with the words shown on screen.
KINDS = {
    "civil_society": "Civil society organisation",
    "expert": "Independent expert or academic",
    "government": "Government, regulator or authority",
    "peer": "Peer company or industry initiative (e.g. GNI)",
    "intergovernmental": "Intergovernmental body (UN, OSCE, Council of Europe…)",
    "other": "Other",
}
LIMITS = {
    "name": 200,
    "website": 2000,
    "notes": 5_000,
    "contact": 300,
    "summary": 20_000,
    "advice": 20_000,
}


class Organisation(Model):
    """An outside organisation consulted on cases: a directory shared by every case."""

    __tablename__ = "organisations"
    # A name is in the shared directory once; an organisation added with a confidential entry
    # (or one on a restricted case) is apart, so adding it again elsewhere tells of nothing.
    __table_args__ = (UniqueConstraint("name", "seal"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # civil_society | expert | government | peer | intergovernmental | other
    kind: Mapped[str] = mapped_column(String(30))
    country: Mapped[str] = mapped_column(String(10), default="")
    website: Mapped[str] = mapped_column(String(2000), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    # 0: in the directory for every signed-in user. Otherwise the id of the engagement entry
    # it was added with, an entry that was confidential or on a restricted case: the
    # organisation (its name, who added it and when) is shown only to those who may see that
    # entry, and to whoever added it (engagement/queries.py ``directory_clause``).
    seal: Mapped[int] = mapped_column(default=0, server_default="0")


class Engagement(Model):
    """One consultation recorded on a case.

    ``confidential`` means the organisation may not be named: the entry is shown only to the
    people allowed to see confidential engagement, and never leaves in exports with its name.
    """

    __tablename__ = "engagements"
    __table_args__ = (Index("ix_engagements_case_on", "case_id", "engaged_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    contact: Mapped[str] = mapped_column(String(300), default="")
    engaged_on: Mapped[date] = mapped_column(Date)
    summary: Mapped[str] = mapped_column(Text)
    advice: Mapped[str] = mapped_column(Text, default="")
    confidential: Mapped[bool] = mapped_column(default=False)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    recorded_by: Mapped[User] = relationship(lazy="joined")
