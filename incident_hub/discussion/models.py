"""Comments on a case, the earlier texts of edited ones, and who a comment told.

A comment belongs to a thread: the case's own (``function_key`` '') or a function's analysis
thread on the case (``function_key`` the function). Threads are keyed by case and function, not
by one analysis version, so a re-filing keeps its discussion; ``analysis_version`` records which
version was current when the comment was written. A comment in a function's thread is as
protected as that function's analysis: see :mod:`.service`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..clock import now
from ..extensions import Model
from ..types import UTCDateTime

MAX_TEXT = 10_000  # characters of one comment


class Comment(Model):
    __tablename__ = "comments"
    __table_args__ = (Index("ix_comments_case_id_created_at", "case_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    # '' : the case's own thread; else the function whose analysis thread it is in
    function_key: Mapped[str] = mapped_column(String(50), default="", server_default="")
    # A question to another function ('' : none): its assigned leads are told
    to_function: Mapped[str] = mapped_column(String(50), default="", server_default="")
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    # Written in a privileged thread (the function's analysis was privileged at the time)
    privileged: Mapped[bool] = mapped_column(default=False, server_default=false())
    analysis_version: Mapped[int | None] = mapped_column()
    round: Mapped[int] = mapped_column(default=1, server_default="1")
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    author: Mapped[User] = relationship(lazy="joined")
    history: Mapped[list[CommentVersion]] = relationship(
        order_by="CommentVersion.version", cascade="all, delete-orphan", lazy="selectin"
    )
    mentions: Mapped[list[CommentMention]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )


class CommentVersion(Model):
    """An earlier text of an edited comment (version 1 is what was first posted)."""

    __tablename__ = "comment_versions"
    __table_args__ = (UniqueConstraint("comment_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column()
    text: Mapped[str] = mapped_column(Text)
    written_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CommentMention(Model):
    """A person a comment mentioned and told (only people who may read the comment are ever
    recorded: a mention of anyone else is neither told nor kept)."""

    __tablename__ = "comment_mentions"

    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    notified_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    user: Mapped[User] = relationship(lazy="joined")
