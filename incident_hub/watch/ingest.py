"""Store parsed entries: dedup by GUID, then link, then content hash; flag and queue alerts.

An entry already seen with different content is an update (an amended bill): its version goes
up and its alert records what changed; a dismissed alert whose item changed comes back to the
queue, because the change may matter; one linked to a case (or that opened one) tells the case
(see hooks). New items (and changed ones not yet part of an alert)
are then grouped into developments (see grouping): the same story from several feeds is one
alert, listing every report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, or_, select, update
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..vocabulary import TIED_TO_CASE, AlertStatus
from . import grouping, hooks
from .classify import Classification, Classifier
from .grouping import NewReport, alert_fields, merge_classification
from .models import AlertReport, FeedItem, Source
from .parse import Entry


@dataclass
class IngestCounts:
    new: int = 0
    updated: int = 0
    flagged: int = 0  # new alerts raised
    joined: int = 0  # items that joined the alert of a development already raised


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


def ingest(
    source: Source, entries: list[Entry], classifier: Classifier, at: datetime
) -> IngestCounts:
    """Add new entries, update changed ones, group them into alerts; the caller commits.

    New items, their alerts and reports are written with bulk INSERTs (the hot path: most
    polls bring only new or unchanged entries); updates go through the ORM, one by one, with
    the alerts and reports of all changed items loaded at once.
    """
    counts = IngestCounts()
    known = _existing(source, entries)
    by_guid = {i.guid: i for i in known if i.guid}
    by_link = {i.link: i for i in known if i.link}
    by_hash = {i.content_hash: i for i in known}
    seen: set[str] = set()  # keys of entries taken from this body (the first one wins)
    unchanged: list[int] = []
    fresh: list[tuple[Entry, Classification]] = []
    changed: list[tuple[FeedItem, Entry]] = []
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
            changed.append((item, entry))
    if unchanged:
        db.session.execute(
            update(FeedItem).where(FeedItem.id.in_(unchanged)).values(last_seen_at=at)
        )
    _load_alerts([item for item, _entry in changed])
    ungrouped: dict[int, NewReport] = {}  # changed items that are in no alert yet
    rekeyed: dict[int, tuple[AlertReport, NewReport]] = {}
    for item, entry in changed:
        report = _update(source, item, entry, classifier, at)
        if item.report is not None:
            rekeyed[item.report.id] = (item.report, report)
        elif item.alert is None:
            ungrouped[item.id] = report
    grouping.rekey(list(rekeyed.values()))
    counts.updated = len(changed)
    reports = _insert_new(source, fresh, at) + list(ungrouped.values())
    grouped = grouping.place(source, reports, at)
    counts.new, counts.flagged, counts.joined = len(fresh), grouped.raised, grouped.joined
    source.items_seen += counts.new
    source.alerts_flagged += counts.flagged
    return counts


def _load_alerts(items: list[FeedItem]) -> None:
    """The alerts (and reports) of the changed items, in three queries rather than per item."""
    if items:
        query = (
            select(FeedItem)
            .where(FeedItem.id.in_([item.id for item in items]))
            .options(
                selectinload(FeedItem.alert),
                selectinload(FeedItem.report).selectinload(AlertReport.alert),
            )
        )
        db.session.execute(query).scalars().all()


def _insert_new(
    source: Source, fresh: list[tuple[Entry, Classification]], at: datetime
) -> list[NewReport]:
    if not fresh:
        return []
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
            "language": r.language,
        }
        for e, r in fresh
    ]
    ids = db.session.scalars(
        insert(FeedItem).returning(FeedItem.id, sort_by_parameter_order=True), rows
    ).all()
    return [
        NewReport(item_id, e.title, e.link, e.published_at or at, r)
        for item_id, (e, r) in zip(ids, fresh, strict=True)
    ]


def _update(
    source: Source, item: FeedItem, entry: Entry, classifier: Classifier, at: datetime
) -> NewReport:
    """Apply a changed entry to its item and to its alert, if any; return its fresh keys."""
    changes: dict[str, Any] = {}
    if item.title != entry.title:
        changes["title"] = [item.title, entry.title]
    if item.summary != entry.summary:
        changes["summary"] = [item.summary, entry.summary]
    result = classifier.classify(entry.title, entry.summary, source.jurisdiction or None)
    item.title, item.summary, item.content_hash = entry.title, entry.summary, entry.content_hash
    item.version += 1
    item.last_seen_at = at
    item.flagged, item.score, item.language = result.flagged, result.score, result.language
    item.link = entry.link or item.link
    reported_at = item.published_at or item.first_seen_at
    fresh = NewReport(item.id, item.title, item.link, reported_at, result, changes)
    alert = item.alert or (item.report.alert if item.report else None)
    if alert is None:
        return fresh
    if alert.item_id == item.id:  # the item that raised the alert: its verdict is the alert's
        for name, value in alert_fields(result).items():
            setattr(alert, name, value)
    else:  # another feed's report of the development changed
        changes["report"] = source.key
        if result.flagged:
            merge_classification(alert, result)
    alert.changes, alert.updated_at = changes | {"version": item.version}, at
    if alert.status == AlertStatus.DISMISSED and result.flagged:
        alert.status = AlertStatus.NEW
        alert.changes["requeued"] = "the item changed after it was dismissed"
    if alert.case_id is not None and alert.status in TIED_TO_CASE:
        hooks.linked_alert_changed(alert, dict(alert.changes))  # the case hears of it
    return fresh
