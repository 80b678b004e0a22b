"""Group feed items into developments: join the alert of the same story, or raise a new one.

An item joins an existing alert when its canonical URL is that of one of the alert's reports
(from any feed, at any time), or when its title is near-identical to the title of a report
from *another* feed published within ``FEEDS.SAME_STORY_DAYS`` days of it (see same_story for
both rules). Title matching stays across feeds because a feed that repeats a title under a
new link is a series (court dockets, columns), and a feed's own copies of one item are
already recognised by GUID, link and content. Both lookups are indexed and batched per feed
body: ``url_key`` equality, and a range scan of ``(token, reported_at)`` over the one to four
prefix tokens of each title; nothing scans the alerts.

A flagged item that joins nothing raises a new alert (and its Slack notice); an unflagged one
that joins nothing is only kept as seen. A joining report never changes the alert's status:
a dismissed development stays dismissed (the report is listed on it, silently), one linked to
a case or that opened a case stays so and gains the report. A flagged report adds what it was
flagged for (topics, rights, jurisdictions, terms, a higher score) to the alert.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import delete, insert, literal, select, union_all

from ..extensions import db
from ..notify import events
from ..vocabulary import AlertStatus
from .classify import Classification
from .models import Alert, AlertReport, AlertReportToken, Source
from .same_story import canonical_url, prefix_tokens, same_title, title_tokens, url_key

DEFAULT_WINDOW_DAYS = 3


@dataclass
class NewReport:
    """An item not yet part of any alert, with its grouping keys."""

    item_id: int
    title: str
    link: str
    reported_at: datetime
    result: Classification
    changes: dict[str, Any] = field(default_factory=dict)
    canonical: str = ""
    url_key: str | None = None
    tokens: tuple[str, ...] = ()
    prefix: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.canonical = canonical_url(self.link)
        self.url_key = url_key(self.canonical)
        self.tokens = title_tokens(self.title)
        self.prefix = prefix_tokens(self.tokens)


@dataclass
class Grouped:
    raised: int = 0  # new alerts
    joined: int = 0  # reports added to an alert already raised


@dataclass
class _Candidate:
    alert_id: int
    source_id: int
    tokens: tuple[str, ...]
    reported_at: datetime


def window() -> timedelta:
    """How far apart two near-identical titles may be published and still be one story."""
    days = current_app.config.get("FEEDS", {}).get("SAME_STORY_DAYS", DEFAULT_WINDOW_DAYS)
    return timedelta(days=days)


def place(source: Source, reports: list[NewReport], at: datetime) -> Grouped:
    """Join each report to its development's alert, or raise one if it is flagged."""
    grouped = Grouped()
    if not reports:
        return grouped
    span = window()
    by_url, by_token = _candidates(source, reports, span)
    joins: list[tuple[NewReport, int, str]] = []
    raising: list[NewReport] = []
    later: list[tuple[NewReport, int]] = []  # joins a new alert of this same body
    pending: dict[str, int] = {}  # url_key -> index in raising
    for report in reports:
        if report.url_key and report.url_key in by_url:
            joins.append((report, by_url[report.url_key], "url"))
        elif (alert_id := _by_title(report, by_token, span)) is not None:
            joins.append((report, alert_id, "title"))
        elif report.url_key and report.url_key in pending:
            later.append((report, pending[report.url_key]))
        elif report.result.flagged:
            if report.url_key:
                pending[report.url_key] = len(raising)
            raising.append(report)
    alert_ids = _raise(source, raising, at)
    rows = [(r, alert_id, "first") for r, alert_id in zip(raising, alert_ids, strict=True)]
    rows += joins + [(r, alert_ids[index], "url") for r, index in later]
    _record(source, rows, at)
    _merge_flags([(r, alert_id) for r, alert_id, _how in joins if r.result.flagged])
    grouped.raised, grouped.joined = len(raising), len(joins) + len(later)
    return grouped


def _candidates(
    source: Source, reports: list[NewReport], span: timedelta
) -> tuple[dict[str, int], dict[str, list[_Candidate]]]:
    """Alerts by URL key, and title candidates by prefix token, in one round trip.

    Both halves are index scans: url_key equality, and (token, reported_at) ranges.
    """
    keys = {r.url_key for r in reports if r.url_key}
    probes = {token for r in reports for token in r.prefix} if span > timedelta(0) else set()
    parts = []
    if keys:
        parts.append(
            select(
                literal("u").label("kind"),
                AlertReport.url_key.label("key"),
                AlertReport.alert_id,
                AlertReport.source_id,
                literal("").label("title_key"),
                AlertReport.reported_at,
            ).where(AlertReport.url_key.in_(keys))
        )
    if probes:
        times = [r.reported_at for r in reports if r.prefix]
        parts.append(
            select(
                literal("t").label("kind"),
                AlertReportToken.token.label("key"),
                AlertReport.alert_id,
                AlertReport.source_id,
                AlertReport.title_key,
                AlertReport.reported_at,
            )
            .join(AlertReport, AlertReport.id == AlertReportToken.report_id)
            .where(
                AlertReportToken.token.in_(probes),
                AlertReportToken.reported_at.between(min(times) - span, max(times) + span),
                AlertReport.source_id != source.id,
            )
        )
    by_url: dict[str, int] = {}
    by_token: dict[str, list[_Candidate]] = defaultdict(list)
    if not parts:
        return by_url, by_token
    query = parts[0] if len(parts) == 1 else union_all(*parts)
    for kind, found, alert_id, source_id, title_key, reported_at in db.session.execute(query):
        key = str(found)  # never NULL: both halves filter on it with IN
        if kind == "u":  # the latest alert, if older data holds several with this URL
            by_url[key] = max(alert_id, by_url.get(key, 0))
        else:
            by_token[key].append(
                _Candidate(alert_id, source_id, tuple(title_key.split()), reported_at)
            )
    return by_url, by_token


def _by_title(
    report: NewReport, by_token: dict[str, list[_Candidate]], span: timedelta
) -> int | None:
    best: tuple[float, int] | None = None
    for token in report.prefix:
        for candidate in by_token.get(token, ()):
            if abs(candidate.reported_at - report.reported_at) > span:
                continue
            if not same_title(report.tokens, candidate.tokens):
                continue
            mine, theirs = set(report.tokens), set(candidate.tokens)
            score = (len(mine & theirs) / len(mine | theirs), candidate.alert_id)
            best = max(best, score) if best else score
    return best[1] if best else None


def _raise(source: Source, reports: list[NewReport], at: datetime) -> list[int]:
    if not reports:
        return []
    rows = [
        {
            "item_id": r.item_id,
            "source_id": source.id,
            "created_at": at,
            "status": AlertStatus.NEW,
            "triage_note": "",
            "changes": r.changes,
            "updated_at": at if r.changes else None,  # an updated item, flagged only now
            **alert_fields(r.result),
        }
        for r in reports
    ]
    ids = db.session.scalars(
        insert(Alert).returning(Alert.id, sort_by_parameter_order=True), rows
    ).all()
    events.alerts_flagged(
        [
            {
                "id": alert_id,
                "score": r.result.score,
                "title": r.title,
                "link": r.link,
                "source_title": source.title,
                "topics": r.result.topics,
                "jurisdictions": r.result.jurisdictions,
                "matched": r.result.matched,
            }
            for alert_id, r in zip(ids, reports, strict=True)
        ]
    )
    return list(ids)


def alert_fields(result: Classification) -> dict[str, Any]:
    """An alert's classification columns, from the verdict on the item that raised it."""
    return {
        "score": result.score,
        "topics": list(result.topics),
        "rights": list(result.rights),
        "jurisdictions": list(result.jurisdictions),
        "matched": list(result.matched),
        "suggested_playbook": result.suggested_playbook,
        "language": result.language,
        "regions": list(result.regions),
    }


def _record(source: Source, rows: list[tuple[NewReport, int, str]], at: datetime) -> None:
    if not rows:
        return
    report_ids = db.session.scalars(
        insert(AlertReport).returning(AlertReport.id, sort_by_parameter_order=True),
        [
            {
                "alert_id": alert_id,
                "item_id": r.item_id,
                "source_id": source.id,
                **_keys(r),
                "matched_by": how,
                "created_at": at,
            }
            for r, alert_id, how in rows
        ],
    ).all()
    _store_tokens(zip(report_ids, (r for r, _a, _h in rows), strict=True))


def _keys(report: NewReport) -> dict[str, Any]:
    return {
        "url_key": report.url_key,
        "canonical_url": report.canonical[:2000],
        "title_key": " ".join(report.tokens),
        "reported_at": report.reported_at,
    }


def _store_tokens(pairs: Any) -> None:
    tokens = [
        {"report_id": report_id, "token": token, "reported_at": r.reported_at}
        for report_id, r in pairs
        for token in r.prefix
    ]
    if tokens:
        db.session.execute(insert(AlertReportToken), tokens)


def rekey(pairs: list[tuple[AlertReport, NewReport]]) -> None:
    """Reports whose item changed (title or link): their grouping keys follow, in bulk."""
    moved = []
    for report, fresh in pairs:
        keys = _keys(fresh)
        if all(getattr(report, name) == value for name, value in keys.items()):
            continue
        for name, value in keys.items():
            setattr(report, name, value)
        moved.append((report.id, fresh))
    if moved:
        db.session.execute(
            delete(AlertReportToken).where(AlertReportToken.report_id.in_([i for i, _ in moved]))
        )
        _store_tokens(moved)


def _merge_flags(joined: list[tuple[NewReport, int]]) -> None:
    """What a flagged report was flagged for is added to the development's alert."""
    for report, alert_id in joined:
        alert = db.session.get(Alert, alert_id)
        if alert is not None:
            merge_classification(alert, report.result)


def merge_classification(alert: Alert, result: Classification) -> None:
    """Union of topics, rights, jurisdictions and terms; the higher score and its playbook."""
    for name in ("topics", "rights", "jurisdictions", "matched", "regions"):
        current = list(getattr(alert, name) or [])
        extra = [v for v in getattr(result, name) if v not in current]
        if extra:
            setattr(alert, name, current + extra)
    if result.score > alert.score:
        alert.score = result.score
        alert.suggested_playbook = result.suggested_playbook or alert.suggested_playbook
