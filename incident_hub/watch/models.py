"""Feed sources, the items seen on them, and the alerts raised for triage."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import now
from ..extensions import Model
from ..types import UTCDateTime
from ..vocabulary import ALERT_STATUSES as ALERT_STATUSES  # read by triage and the API
from ..vocabulary import AlertStatus, SourceOrigin

MATCHED_BY = ("first", "url", "title")


DEMO_ORIGIN = SourceOrigin.DEMO


class Source(Model):
    """A feed to watch, with its polling health."""

    __tablename__ = "sources"
    # admin_fields is the database's default: read when asked, not returned by every INSERT
    # (rows written at older revisions, as the migration tests do, have no such column)
    __mapper_args__ = {"eager_defaults": False}

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
    origin: Mapped[str] = mapped_column(String(10), default=SourceOrigin.FILE)
    enabled: Mapped[bool] = mapped_column(default=True)
    # The settings an admin edited (title, url, …): the sync from the feed files leaves them
    # alone, so the next poll does not undo the edit (see sources.sync_sources_from_files).
    # Defaulted by the database alone, so an INSERT need not name it (the migration tests
    # write rows at older revisions through these models); read it as ``or []``.
    admin_fields: Mapped[list[str]] = mapped_column(JSON, server_default="[]")
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
    language: Mapped[str] = mapped_column(String(10), default="")  # detected (ISO 639-1)

    source: Mapped[Source] = relationship(lazy="joined")
    alert: Mapped[Alert | None] = relationship(back_populates="item", uselist=False)
    # The alert this item reports, whether it raised it (alert.item) or joined it later.
    report: Mapped[AlertReport | None] = relationship(back_populates="item", uselist=False)


class Alert(Model):
    """One development waiting for (or after) triage: raised by a flagged item (``item``), and
    reported by every item in ``reports`` (that first one included), from any feed."""

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
    language: Mapped[str] = mapped_column(String(10), default="")  # of the item that raised it
    regions: Mapped[list[str]] = mapped_column(JSON, default=list)  # e.g. "Manipur (IN)"
    status: Mapped[str] = mapped_column(String(20), default=AlertStatus.NEW)
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
    # One extra query for a whole page of alerts (selectin), never one per alert.
    reports: Mapped[list[AlertReport]] = relationship(
        back_populates="alert", lazy="selectin", order_by="AlertReport.id"
    )

    @property
    def reported_by(self) -> list[tuple[FeedItem, str]]:
        """(item, matched_by) for every report, first first. An alert written without report
        rows (seeded history, tests) is reported by its own item alone."""
        if not self.reports:
            return [(self.item, "first")]
        return [(report.item, report.matched_by) for report in self.reports]


class AlertReport(Model):
    """One feed item reporting an alert's development, with the keys that group items.

    ``url_key`` is the SHA-256 of the item's canonical URL (None for none, or a home page);
    ``title_key`` its title's comparable words (see same_story). ``reported_at`` is when the
    item says it was published (else when it was first seen): the time window of title
    matching is measured between these. ``matched_by`` says why it joined: first (it raised
    the alert), url or title.
    """

    __tablename__ = "alert_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("feed_items.id", ondelete="CASCADE"), unique=True
    )
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    url_key: Mapped[str | None] = mapped_column(String(64), index=True)
    canonical_url: Mapped[str] = mapped_column(String(2000), default="")
    title_key: Mapped[str] = mapped_column(Text, default="")
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    matched_by: Mapped[str] = mapped_column(String(10), default="first")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    alert: Mapped[Alert] = relationship(back_populates="reports")
    item: Mapped[FeedItem] = relationship(lazy="joined", back_populates="report")


class AlertReportToken(Model):
    """A word a near-identical title must share with this report's (its prefix tokens), so
    finding title candidates is an index range scan on (token, reported_at)."""

    __tablename__ = "alert_report_tokens"
    __table_args__ = (Index("ix_alert_report_tokens_token_reported", "token", "reported_at"),)

    report_id: Mapped[int] = mapped_column(
        ForeignKey("alert_reports.id", ondelete="CASCADE"), primary_key=True
    )
    token: Mapped[str] = mapped_column(String(100), primary_key=True)
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime)
