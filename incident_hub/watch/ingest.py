"""Store parsed entries: dedup by GUID, then link, then content hash; flag and queue alerts.

An entry already seen with different content is an update (an amended bill): its version goes
up and its alert records what changed; a dismissed alert whose item changed comes back to the
queue, because the change may matter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, or_, select, update

from ..extensions import db
from ..notify import events
from .classify import Classification, Classifier
from .models import Alert, FeedItem, Source
from .parse import Entry


@dataclass
class IngestCounts:
    new: int = 0
    updated: int = 0
    flagged: int = 0


def _existing(source: Source, entries: list[Entry]) -> list[FeedItem]:
    guids = {e.guid for e in entries if e.guid}
    links = {e.link for e in entries if e.link}
    hashes = {e.content_hash for e in entries}
    clauses = [FeedItem.content_hash.in_(hashes)]
    if guids:
        clauses.append(FeedItem.guid.in_(guids))
    if links:
        clauses.append(FeedItem.link.in_(links))
    query = select(FeedItem).where(FeedItem.source_id == source.id, or_(*clauses))
    return list(db.session.execute(query).scalars())


def _alert_fields(result: Classification) -> dict:
    return {
        "score": result.score,
        "topics": list(result.topics),
        "rights": list(result.rights),
        "jurisdictions": list(result.jurisdictions),
        "matched": list(result.matched),
        "suggested_playbook": result.suggested_playbook,
    }


def ingest(
    source: Source, entries: list[Entry], classifier: Classifier, at: datetime
) -> IngestCounts:
    """Add new entries, update changed ones; the caller commits.

    New items and their alerts are written with two bulk INSERTs (the hot path: most polls
    bring only new or unchanged entries); updates go through the ORM, one by one.
    """
    counts = IngestCounts()
    known = _existing(source, entries)
    by_guid = {i.guid: i for i in known if i.guid}
    by_link = {i.link: i for i in known if i.link}
    by_hash = {i.content_hash: i for i in known}
    seen: set[str] = set()  # keys of entries taken from this body (the first one wins)
    unchanged: list[int] = []
    fresh: list[tuple[Entry, Classification]] = []
    for entry in entries:
        keys = {f"h:{entry.content_hash}"}
        keys |= {f"g:{entry.guid}"} if entry.guid else set()
        keys |= {f"l:{entry.link}"} if entry.link else set()
        if keys & seen:
            continue
        seen |= keys
        item = (
            (by_guid.get(entry.guid) if entry.guid else None)
            or (by_link.get(entry.link) if entry.link else None)
            or by_hash.get(entry.content_hash)
        )
        if item is None:
            result = classifier.classify(entry.title, entry.summary, source.jurisdiction or None)
            fresh.append((entry, result))
        elif item.content_hash == entry.content_hash:
            unchanged.append(item.id)
        else:
            _update(source, item, entry, classifier, at, counts)
    if unchanged:
        db.session.execute(
            update(FeedItem).where(FeedItem.id.in_(unchanged)).values(last_seen_at=at)
        )
    if fresh:
        _insert_new(source, fresh, at, counts)
    source.items_seen += counts.new
    source.alerts_flagged += counts.flagged
    return counts


def _insert_new(
    source: Source, fresh: list[tuple[Entry, Classification]], at: datetime, counts: IngestCounts
) -> None:
    rows = [
        {
            "source_id": source.id,
            "guid": e.guid,
            "link": e.link,
            "content_hash": e.content_hash,
            "title": e.title,
            "summary": e.summary,
            "published_at": e.published_at,
            "first_seen_at": at,
            "last_seen_at": at,
            "version": 1,
            "flagged": r.flagged,
            "score": r.score,
        }
        for e, r in fresh
    ]
    ids = db.session.scalars(
        insert(FeedItem).returning(FeedItem.id, sort_by_parameter_order=True), rows
    ).all()
    alerts = [
        {
            "item_id": item_id,
            "source_id": source.id,
            "created_at": at,
            "status": "new",
            "triage_note": "",
            "changes": {},
            **_alert_fields(result),
        }
        for item_id, (_entry, result) in zip(ids, fresh, strict=True)
        if result.flagged
    ]
    if alerts:
        alert_ids = db.session.scalars(
            insert(Alert).returning(Alert.id, sort_by_parameter_order=True), alerts
        ).all()
        flagged = [(e, r) for e, r in fresh if r.flagged]
        events.alerts_flagged(
            [
                {
                    "id": alert_id,
                    "score": r.score,
                    "title": e.title,
                    "link": e.link,
                    "source_title": source.title,
                    "topics": r.topics,
                    "jurisdictions": r.jurisdictions,
                    "matched": r.matched,
                }
                for alert_id, (e, r) in zip(alert_ids, flagged, strict=True)
            ]
        )
    counts.new += len(rows)
    counts.flagged += len(alerts)


def _update(
    source: Source,
    item: FeedItem,
    entry: Entry,
    classifier: Classifier,
    at: datetime,
    counts: IngestCounts,
) -> None:
    changes = {}
    if item.title != entry.title:
        changes["title"] = [item.title, entry.title]
    if item.summary != entry.summary:
        changes["summary"] = [item.summary, entry.summary]
    result = classifier.classify(entry.title, entry.summary, source.jurisdiction or None)
    item.title, item.summary, item.content_hash = entry.title, entry.summary, entry.content_hash
    item.version += 1
    item.last_seen_at = at
    item.flagged, item.score = result.flagged, result.score
    item.link = entry.link or item.link
    counts.updated += 1
    alert = item.alert  # may still be pending, from an earlier entry of this same body
    if alert is None:
        if result.flagged:
            db.session.add(
                Alert(
                    item=item,
                    source=source,
                    created_at=at,
                    updated_at=at,
                    changes=changes,
                    **_alert_fields(result),
                )
            )
            counts.flagged += 1
        return
    for name, value in _alert_fields(result).items():
        setattr(alert, name, value)
    alert.changes, alert.updated_at = changes | {"version": item.version}, at
    if alert.status == "dismissed" and result.flagged:
        alert.status = "new"
        alert.changes["requeued"] = "the item changed after it was dismissed"
