"""Feed sources, the items seen on them, and the alerts raised for triage."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import now
from ..extensions import Model
from ..types import UTCDateTime

ALERT_STATUSES = ("new", "dismissed", "linked", "case-opened")


DEMO_ORIGIN = "demo"


class Source(Model):
    """A feed to watch, with its polling health."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(2000))
    jurisdiction: Mapped[str] = mapped_column(String(10), default="")
    language: Mapped[str] = mapped_column(String(10), default="en")
    covers: Mapped[str] = mapped_column(Text, default="")
    interval_min: Mapped[int] = mapped_column(default=60)  # as configured
    # file (feeds/*.toml) | admin | demo (a demo instance's source: fetched from the loopback
    # snapshot server only, and never re-synced from the files)
    origin: Mapped[str] = mapped_column(String(10), default="file")
    enabled: Mapped[bool] = mapped_column(default=True)
    # Set when permanent redirects (301/308) moved the feed to ``url``: the address it had
    # before the first move (its file's or admin's), and when it last moved. A file source
    # keeps the new address while its file still names the old one (see sources.py).
    moved_from: Mapped[str | None] = mapped_column(String(2000))
    moved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    # Health and scheduling
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    last_polled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_status: Mapped[str] = mapped_column(String(20), default="never")  # ok|not_modified|error
    last_error: Mapped[str] = mapped_column(Text, default="")
    error_count: Mapped[int] = mapped_column(default=0)
    effective_interval_min: Mapped[int] = mapped_column(default=60)  # adapted to the feed
    next_poll_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    items_seen: Mapped[int] = mapped_column(default=0)
    alerts_flagged: Mapped[int] = mapped_column(default=0)

    @property
    def healthy(self) -> bool:
        return self.last_status != "error"


class FeedItem(Model):
    """One entry seen on a source; ``version`` counts content changes (an amended bill)."""

    __tablename__ = "feed_items"
    __table_args__ = (
        Index("ix_feed_items_source_guid", "source_id", "guid"),
        Index("ix_feed_items_source_link", "source_id", "link"),
        Index("ix_feed_items_source_hash", "source_id", "content_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    guid: Mapped[str | None] = mapped_column(String(500))
    link: Mapped[str] = mapped_column(String(2000), default="")
    content_hash: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    version: Mapped[int] = mapped_column(default=1)
    flagged: Mapped[bool] = mapped_column(default=False)
    score: Mapped[float] = mapped_column(default=0.0)

    source: Mapped[Source] = relationship(lazy="joined")
    alert: Mapped[Alert | None] = relationship(back_populates="item", uselist=False)


class Alert(Model):
    """A flagged item waiting for (or after) triage."""

    __tablename__ = "alerts"
    __table_args__ = (Index("ix_alerts_status_created", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("feed_items.id", ondelete="CASCADE"), unique=True
    )
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), index=True)
    score: Mapped[float] = mapped_column(default=0.0, index=True)
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    rights: Mapped[list[str]] = mapped_column(JSON, default=list)
    jurisdictions: Mapped[list[str]] = mapped_column(JSON, default=list)
    matched: Mapped[list[str]] = mapped_column(JSON, default=list)
    suggested_playbook: Mapped[str | None] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(20), default="new")
    triage_note: Mapped[str] = mapped_column(Text, default="")
    triaged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    triaged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What changed when the item was updated: {"title": [old, new], "summary": [old, new]}
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    item: Mapped[FeedItem] = relationship(lazy="joined", back_populates="alert")
    source: Mapped[Source] = relationship(lazy="joined")
