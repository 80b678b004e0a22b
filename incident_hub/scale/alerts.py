"""Bulk-seed a large watch history: sources, feed items and the alerts raised on them.

``seed_alerts(n)`` writes ``n`` alerts (their feed items and reports, plus a third as many
unflagged items) spread over two years across ``sources`` seeded sources, with the status mix a busy
policy team ends up with: most dismissed, some new, some linked to or opening cases (when cases
exist). Seeded sources are disabled, so a running scheduler never polls their made-up addresses.
Rows are written with SQLAlchemy Core in batches with explicit ids (PostgreSQL sequences are
moved on afterwards); no audit events are written for seeded rows.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, text

from ..cases.models import Case
from ..clock import now
from ..extensions import db
from ..vocabulary import AlertStatus, SourceOrigin
from ..watch.models import Alert, AlertReport, AlertReportToken, FeedItem, Source
from ..watch.same_story import canonical_url, prefix_tokens, title_tokens, url_key

BATCH = 5_000
JURISDICTIONS = (
    "TR", "IN", "RU", "BR", "DE", "FR", "GB", "US", "PK", "NG", "KE", "ET", "EG", "SA", "AE",
    "IR", "CN", "VN", "TH", "ID", "PH", "MM", "BD", "LK", "KZ", "BY", "UA", "GE", "HU", "PL",
    "MX", "CO", "VE", "AR", "AU", "SG", "MY", "KR", "JP", "ZA",
)  # fmt: skip
TOPICS = {
    "content-takedown": ("takedown order", "removal within 24 hours", "blocking of accounts"),
    "data-localisation": ("local storage of user data", "local representative", "data transfer"),
    "network-shutdown": ("mobile internet shutdown", "throttling of social media", "blocking"),
    "encryption-lawful-access": ("client-side scanning", "decryption order", "backdoor"),
    "surveillance-data-demand": ("interception mandate", "biometric surveillance", "data demand"),
    "platform-regulation": ("foreign agent law", "false information law", "age verification"),
}
RIGHTS = {
    "content-takedown": ["expression"],
    "data-localisation": ["privacy", "expression"],
    "network-shutdown": ["expression", "assembly", "offline-harm"],
    "encryption-lawful-access": ["privacy"],
    "surveillance-data-demand": ["privacy", "non-discrimination"],
    "platform-regulation": ["expression", "association"],
}
ACTORS = ("Parliament", "The regulator", "The ministry", "A court", "The president", "Police")
VERBS = ("passes", "orders", "proposes", "adopts", "extends", "publishes draft of")
STATUS_MIX = (("dismissed", 0.62), ("new", 0.2), ("linked", 0.1), ("case-opened", 0.08))

Progress = Callable[[int, int], None]


def _next_id(model) -> int:  # noqa: ANN001
    return (db.session.execute(select(func.max(model.id))).scalar() or 0) + 1


def _bump_sequences() -> None:
    if db.engine.dialect.name != "postgresql":
        return
    for table in ("sources", "feed_items", "alerts", "alert_reports"):  # fixed names, no input
        db.session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )
        )


def _seed_sources(rng: random.Random, count: int, at: datetime) -> list[tuple[int, str]]:
    first = _next_id(Source)
    rows: list[dict[str, Any]] = []
    for i in range(count):
        jurisdiction = rng.choice(JURISDICTIONS)
        rows.append(
            {
                "id": first + i,
                "key": f"seeded-{first + i}",
                "title": f"{jurisdiction} official gazette and courts ({first + i})",
                "url": f"https://seeded.invalid/{first + i}/feed.xml",
                "jurisdiction": jurisdiction,
                "language": "en",
                "covers": "seeded history",
                "interval_min": 60,
                "origin": SourceOrigin.ADMIN,
                "enabled": False,
                "created_at": at - timedelta(days=800),
                "last_status": "ok",
                "last_error": "",
                "error_count": 0,
                "effective_interval_min": 60,
                "items_seen": 0,
                "alerts_flagged": 0,
            }
        )
    db.session.execute(insert(Source), rows)
    return [(r["id"], r["jurisdiction"]) for r in rows]


def seed_alerts(
    n: int, *, sources: int = 300, progress: Progress | None = None, seed: int = 0
) -> int:
    """Write ``n`` alerts on ``sources`` new sources; returns the number written."""
    rng, at = random.Random(seed), now()
    source_rows = _seed_sources(rng, max(1, sources), at)
    case_ids = list(db.session.execute(select(Case.id).limit(50_000)).scalars())
    item_id, alert_id, report_id = _next_id(FeedItem), _next_id(Alert), _next_id(AlertReport)
    unflagged = n // 3
    total, done = n + unflagged, 0
    while done < total:
        items, alerts = [], []
        for _ in range(min(BATCH, total - done)):
            flagged = done < n
            item, alert = _item_and_alert(rng, at, item_id, alert_id, source_rows, case_ids)
            item["flagged"] = flagged
            items.append(item)
            if flagged:
                alerts.append(alert)
                alert_id += 1
            item_id += 1
            done += 1
        db.session.execute(insert(FeedItem), items)
        if alerts:
            db.session.execute(insert(Alert), alerts)
            report_id = _seed_reports(alerts, {i["id"]: i for i in items}, report_id)
        db.session.commit()
        if progress:
            progress(done, total)
    _bump_sequences()
    db.session.commit()
    return n


def _seed_reports(alerts: list[dict], items: dict[int, dict], first_id: int) -> int:
    """Each seeded alert is reported by its own item alone, with the keys ingest would store."""
    reports, tokens = [], []
    for offset, alert in enumerate(alerts):
        item = items[alert["item_id"]]
        canonical, words = canonical_url(item["link"]), title_tokens(item["title"])
        report = {
            "id": first_id + offset,
            "alert_id": alert["id"],
            "item_id": item["id"],
            "source_id": item["source_id"],
            "url_key": url_key(canonical),
            "canonical_url": canonical,
            "title_key": " ".join(words),
            "reported_at": item["published_at"],
            "matched_by": "first",
            "created_at": alert["created_at"],
        }
        reports.append(report)
        tokens += [
            {"report_id": report["id"], "token": t, "reported_at": report["reported_at"]}
            for t in prefix_tokens(words)
        ]
    db.session.execute(insert(AlertReport), reports)
    if tokens:
        db.session.execute(insert(AlertReportToken), tokens)
    return first_id + len(alerts)


def _item_and_alert(rng, at, item_id, alert_id, source_rows, case_ids):  # noqa: ANN001, ANN202
    source_id, jurisdiction = rng.choice(source_rows)
    playbook = rng.choice(tuple(TOPICS))
    topic = rng.choice(TOPICS[playbook])
    title = f"{rng.choice(ACTORS)} {rng.choice(VERBS)} {topic} rules ({jurisdiction}) #{item_id}"
    summary = (
        f"{title}. Companies would face fines or blocking; civil society warns of the impact on "
        f"users' {', '.join(RIGHTS[playbook])}."
    )
    seen = at - timedelta(minutes=rng.randrange(2 * 365 * 24 * 60))
    item = {
        "id": item_id,
        "source_id": source_id,
        "guid": f"seeded-{item_id}",
        "link": f"https://seeded.invalid/items/{item_id}",
        "content_hash": hashlib.sha256(title.encode()).hexdigest(),
        "title": title,
        "summary": summary,
        "published_at": seen,
        "first_seen_at": seen,
        "last_seen_at": seen,
        "version": 1,
        "score": round(rng.uniform(4.5, 12.0), 2),
    }
    roll, status = rng.random(), "dismissed"
    for name, share in STATUS_MIX:
        if roll < share:
            status = name
            break
        roll -= share
    if status in (AlertStatus.LINKED, AlertStatus.CASE_OPENED) and not case_ids:
        status = "dismissed"
    triaged = status != "new"
    alert = {
        "id": alert_id,
        "item_id": item_id,
        "source_id": source_id,
        "score": item["score"],
        "topics": [playbook],
        "rights": RIGHTS[playbook],
        "jurisdictions": [jurisdiction],
        "matched": [topic],
        "suggested_playbook": playbook,
        "status": status,
        "triage_note": "not a legal development" if status == "dismissed" else "",
        "triaged_at": seen + timedelta(hours=rng.randrange(1, 72)) if triaged else None,
        "case_id": rng.choice(case_ids)
        if status in (AlertStatus.LINKED, AlertStatus.CASE_OPENED)
        else None,
        "created_at": seen,
        "changes": {},
    }
    return item, alert
