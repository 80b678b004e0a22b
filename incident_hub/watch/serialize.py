"""The public JSON shape of sources and alerts (API, and later Slack)."""

from __future__ import annotations

from typing import Any

from ..clock import iso
from .models import Alert, FeedItem, Source


def source_to_dict(source: Source) -> dict[str, Any]:
    return {
        "key": source.key,
        "title": source.title,
        "url": source.url,
        "moved_from": source.moved_from,
        "moved_at": iso(source.moved_at),
        "jurisdiction": source.jurisdiction,
        "language": source.language,
        "covers": source.covers,
        "interval_min": source.interval_min,
        "effective_interval_min": source.effective_interval_min,
        "origin": source.origin,
        "enabled": source.enabled,
        "admin_fields": list(source.admin_fields or []),
        "healthy": source.healthy,
        "last_status": source.last_status,
        "last_error": source.last_error,
        "error_count": source.error_count,
        "last_polled_at": iso(source.last_polled_at),
        "last_success_at": iso(source.last_success_at),
        "next_poll_at": iso(source.next_poll_at),
        "items_seen": source.items_seen,
        "alerts_flagged": source.alerts_flagged,
    }


def alert_to_dict(alert: Alert, seen: tuple[str, str] | None = None) -> dict[str, Any]:
    """``seen``: (status, triage note) as the viewer may see them (triage's ``shown``)."""
    item = alert.item
    status, note = seen or (alert.status, alert.triage_note)
    return {
        "id": alert.id,
        "source": alert.source.key,
        "title": item.title,
        "summary": item.summary,
        "url": item.link,
        "published_at": iso(item.published_at),
        "topics": alert.topics,
        "rights": alert.rights,
        "jurisdictions": alert.jurisdictions,
        "regions": alert.regions or [],
        "language": alert.language or "",
        "matched": alert.matched,
        "score": round(alert.score, 3),
        "suggested_playbook": alert.suggested_playbook,
        "status": status,
        "triage_note": note,
        "triaged_at": iso(alert.triaged_at),
        "version": item.version,
        "changes": alert.changes,
        "created_at": iso(alert.created_at),
        "updated_at": iso(alert.updated_at),
        "reports": [report_to_dict(item, how) for item, how in alert.reported_by],
    }


def report_to_dict(item: FeedItem, matched_by: str) -> dict[str, Any]:
    """One feed's report of a development; ``matched_by`` says why it joined the alert."""
    return {
        "source": item.source.key,
        "source_title": item.source.title,
        "title": item.title,
        "url": item.link,
        "published_at": iso(item.published_at),
        "matched_by": matched_by,
    }
