"""Poll due feeds: fetch in parallel, then parse, classify and store each in its own boundary.

Fetching is I/O and runs in a thread pool with one shared HTTP client; parsing and storing run
in the calling thread (the database session is not shared across threads). One source's
failure is recorded on that source (reason, error count, backoff) and never stops the others.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import or_, select

from ..clock import now
from ..errors import NotFound
from ..extensions import db
from .classify import Classifier
from .fetch import FetchError, FetchResult, FetchSettings, fetch, make_client
from .ingest import ingest
from .models import DEMO_ORIGIN, Source
from .parse import Entry, FeedParseError, parse_feed
from .snapshots import serve_snapshots
from .sources import move_source

MAX_WORKERS = 32


@dataclass
class PollResult:
    key: str
    status: str  # ok | not_modified | error
    new: int = 0
    updated: int = 0
    flagged: int = 0
    joined: int = 0  # items that joined the alert of a development already raised
    error: str = ""
    moved_to: str = ""  # the new address, when permanent redirects moved the source


def classifier() -> Classifier:
    """The app's classifier, compiled once at start-up (see create_app)."""
    return current_app.extensions["incident_hub.classifier"]


def due_sources(at: datetime, source_key: str | None = None) -> list[Source]:
    if source_key:
        source = db.session.execute(select(Source).where(Source.key == source_key)).scalar()
        if source is None:
            raise NotFound(f"no source {source_key!r}")
        return [source]
    query = select(Source).where(
        Source.enabled.is_(True), or_(Source.next_poll_at.is_(None), Source.next_poll_at <= at)
    )
    return list(db.session.execute(query.order_by(Source.next_poll_at)).scalars())


def poll(
    source_key: str | None = None,
    at: datetime | None = None,
    progress: Callable[[PollResult], None] | None = None,
) -> list[PollResult]:
    """Poll every due source (or one), as of ``at``; return a result per source.

    Demo sources (``origin = "demo"``) are only ever fetched from a loopback server of the
    recorded snapshots, started for this poll: whichever process polls (the demo, ``tick``,
    the scheduler), a demo instance never reaches the internet.
    """
    at = at or now()
    sources = due_sources(at, source_key)
    if not sources:
        return []
    rules = classifier()
    settings = FetchSettings.from_config(current_app.config["FEEDS"])
    demo = [s for s in sources if s.origin == DEMO_ORIGIN]
    live = [s for s in sources if s.origin != DEMO_ORIGIN]
    results = _poll_batch(live, {s.id: s.url for s in live}, settings, rules, at, progress)
    if demo:
        with serve_snapshots(current_app.config["FEEDS_DIR"]) as base:
            urls = {s.id: snapshot_url(base, s.url) for s in demo}
            loopback = replace(settings, allow_private_networks=True)
            results += _poll_batch(demo, urls, loopback, rules, at, progress)
    return sorted(results, key=lambda r: r.key)


def snapshot_url(base: str, stored: str) -> str:
    """Where a demo source is fetched from: its stored path on the live snapshot server."""
    path = urlsplit(stored).path.lstrip("/")
    return f"{base}/{path}"


def _poll_batch(
    sources: list[Source],
    urls: dict[int, str],
    settings: FetchSettings,
    rules: Classifier,
    at: datetime,
    progress: Callable[[PollResult], None] | None,
) -> list[PollResult]:
    if not sources:
        return []
    jobs = {s.id: (urls[s.id], s.etag, s.last_modified) for s in sources}
    by_id = {s.id: s for s in sources}
    results = []
    # Each source commits on its own (one failure never loses the others' work). Without
    # expiry, a commit does not reload every other source object, so 1,000 sources stay linear.
    session = db.session()
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        with (
            make_client(settings) as client,
            ThreadPoolExecutor(max_workers=min(MAX_WORKERS, len(sources))) as pool,
        ):
            futures = {
                pool.submit(_fetch_one, url, etag, modified, settings, client): source_id
                for source_id, (url, etag, modified) in jobs.items()
            }
            for future in as_completed(futures):
                result = _apply(by_id[futures[future]], future.result(), rules, at)
                results.append(result)
                if progress:
                    progress(result)
    finally:
        session.expire_on_commit = expire
    return results


def _fetch_one(
    url: str, etag: str | None, modified: str | None, settings: FetchSettings, client
) -> FetchResult | FetchError:  # noqa: ANN001
    try:
        return fetch(url, etag=etag, last_modified=modified, settings=settings, client=client)
    except FetchError as exc:
        return exc
    except Exception as exc:  # noqa: BLE001 — one source's surprise never stops the poll
        return FetchError("network", f"unexpected error while fetching ({type(exc).__name__})")


def _apply(
    source: Source, outcome: FetchResult | FetchError, rules: Classifier, at: datetime
) -> PollResult:
    source.last_polled_at = at
    try:
        if isinstance(outcome, FetchError):
            return _failed(source, outcome.reason, at, outcome.retry_after_s)
        if outcome.not_modified:
            _succeeded(source, at, outcome, None)
            return PollResult(source.key, "not_modified", moved_to=_moved(source, outcome, at))
        try:
            parsed = parse_feed(outcome.body or b"", outcome.headers, url=outcome.final_url)
        except FeedParseError as exc:  # a feed that moved to a non-feed has not moved
            return _failed(source, exc.reason, at, None)
        counts = ingest(source, parsed.entries, rules, at)
        _succeeded(source, at, outcome, parsed.entries)
        moved = _moved(source, outcome, at)
        return PollResult(
            source.key,
            "ok",
            counts.new,
            counts.updated,
            counts.flagged,
            counts.joined,
            moved_to=moved,
        )
    finally:
        db.session.commit()


def _moved(source: Source, outcome: FetchResult, at: datetime) -> str:
    """Store the address permanent redirects led to (see sources.move_source); "" if none."""
    if outcome.moved_to and move_source(source, outcome.moved_to, at):
        return outcome.moved_to
    return ""


def _failed(source: Source, reason: str, at: datetime, retry_after: float | None) -> PollResult:
    """Record the failure and back off: each consecutive error doubles the wait (capped)."""
    high = current_app.config["FEEDS"]["MAX_INTERVAL_MIN"]
    source.last_status, source.last_error = "error", reason[:2000]
    source.error_count += 1
    wait = min(source.effective_interval_min * 2 ** min(source.error_count - 1, 8), high)
    next_poll = at + timedelta(minutes=wait)
    if retry_after:
        next_poll = max(next_poll, at + timedelta(seconds=retry_after))
    source.next_poll_at = next_poll
    return PollResult(source.key, "error", error=reason)


def _succeeded(
    source: Source, at: datetime, outcome: FetchResult, entries: list[Entry] | None
) -> None:
    source.last_status = "not_modified" if entries is None else "ok"
    source.last_error, source.error_count, source.last_success_at = "", 0, at
    source.etag = (outcome.etag or "")[:500] or None
    source.last_modified = (outcome.last_modified or "")[:100] or None
    if entries is not None:
        source.effective_interval_min = adaptive_interval(source, entries)
    source.next_poll_at = at + timedelta(minutes=source.effective_interval_min)
    if outcome.retry_after_s:
        source.next_poll_at = max(
            source.next_poll_at, at + timedelta(seconds=outcome.retry_after_s)
        )


def adaptive_interval(source: Source, entries: list[Entry]) -> int:
    """Poll about twice per typical gap between posts, within the configured bounds."""
    feeds = current_app.config["FEEDS"]
    low, high = feeds["MIN_INTERVAL_MIN"], feeds["MAX_INTERVAL_MIN"]
    stamps = sorted(e.published_at for e in entries if e.published_at)[-20:]
    if len(stamps) < 3:
        return min(max(source.interval_min, low), high)
    gaps = [(b - a).total_seconds() / 60 for a, b in zip(stamps, stamps[1:], strict=False)]
    return int(min(max(statistics.median(gaps) / 2, low), high))
