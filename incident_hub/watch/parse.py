"""Turn a fetched body into clean entries. feedparser only parses bytes; nothing is fetched here.

Each feed is parsed inside its own error boundary: a malformed, hostile or non-feed body raises
:class:`FeedParseError` with a reason a policy person can read, and never an unhandled error.
"""

from __future__ import annotations

import calendar
import hashlib
import html
import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin

import feedparser
import nh3

MAX_TEXT = 5000
_SPACE = re.compile(r"\s+")
# Entity declarations are how billion-laughs and external-entity (XXE) attacks start; real
# feeds do not declare entities, so such a body is refused before any XML parser sees it.
_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)


class FeedParseError(Exception):
    """The body is not a usable feed; ``reason`` says why in plain words."""

    def __init__(self, reason: str):
        reason = reason.replace("\x00", "")  # stored as the source's last error (PostgreSQL text)
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Entry:
    guid: str | None
    link: str
    title: str
    summary: str
    published_at: datetime | None
    content_hash: str


@dataclass(frozen=True)
class ParsedFeed:
    title: str
    version: str
    entries: list[Entry]
    warning: str = ""  # a survivable problem (e.g. a wrong declared encoding)


def plain_text(value: str | None, limit: int = MAX_TEXT) -> str:
    """Feed HTML to plain text: tags removed by nh3, entities decoded, whitespace collapsed."""
    if not value:
        return ""
    text = html.unescape(nh3.clean(value[: limit * 4], tags=set()))
    return _SPACE.sub(" ", text).strip()[:limit]


def _timestamp(entry: dict) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(key)
        if parsed:
            try:
                return datetime.fromtimestamp(calendar.timegm(parsed), UTC)
            except (OverflowError, ValueError, OSError, TypeError):
                continue
    return None


def content_hash(title: str, summary: str) -> str:
    return hashlib.sha256(f"{title}\x1f{summary}".encode()).hexdigest()


def _entry(raw: dict) -> Entry | None:
    title = plain_text(raw.get("title"), 1000)
    summary = plain_text(raw.get("summary") or _first_content(raw))
    # NUL survives feedparser's lenient parser (and nh3 is not applied to these two fields);
    # PostgreSQL refuses it in any text column, so it is dropped here.
    link = str(raw.get("link") or "").replace("\x00", "")[:2000]
    if not link.startswith(("http://", "https://")):
        link = ""
    guid = str(raw.get("id") or "").replace("\x00", "")[:500] or None
    if not (title or summary or link):
        return None
    return Entry(guid, link, title, summary, _timestamp(raw), content_hash(title, summary))


def _join(base: str, relative: str) -> str:
    """``relative`` resolved against ``base``; ``base`` alone if that cannot be done."""
    try:
        return urljoin(base, relative)
    except ValueError:  # a malformed IPv6 literal, say
        return base


def _first_content(raw: dict) -> str:
    content = raw.get("content")
    if isinstance(content, list) and content and isinstance(content[0], dict):
        return str(content[0].get("value") or "")
    return ""


def _looks_like_html(body: bytes, headers: dict[str, str]) -> bool:
    head = body[:512].lstrip().lower()
    return "text/html" in headers.get("content-type", "") or head.startswith(
        (b"<!doctype html", b"<html")
    )


def parse_feed(body: bytes, headers: dict[str, str] | None = None, url: str = "") -> ParsedFeed:
    """Parse one feed body; raise FeedParseError for anything that is not a usable feed.

    ``url`` is where the body was fetched from (after redirects): relative entry links are
    resolved against it, or against ``xml:base`` where the feed sets one.
    """
    headers = {k.lower(): v for k, v in (headers or {}).items()}
    if url:  # how feedparser learns the base URL of bytes; a Content-Location refines it
        headers["content-location"] = _join(url, headers.get("content-location", ""))
    if not body or not body.strip():
        raise FeedParseError("the server sent an empty body")
    if _ENTITY_DECL.search(body):  # the whole body: a DTD may hide behind padding
        raise FeedParseError("refused: the feed declares XML entities (a known attack pattern)")
    try:
        result = feedparser.parse(
            io.BytesIO(body),
            response_headers=headers,
            sanitize_html=False,  # nh3 strips every tag below: faster and stricter
            resolve_relative_uris=False,
        )
    except Exception as exc:  # noqa: BLE001 — the error boundary: one feed never stops the others
        raise FeedParseError(f"the feed could not be parsed ({type(exc).__name__})") from None
    entries = [e for e in (_entry(raw) for raw in result.entries) if e is not None]
    problem = result.get("bozo_exception")
    if not entries and not result.get("version"):
        if _looks_like_html(body, headers):
            raise FeedParseError("not a feed: the address returns a web page (HTML)")
        detail = f": {str(problem)[:200]}" if problem else ""
        raise FeedParseError(f"not a feed (no RSS or Atom found{detail})")
    warning = f"{type(problem).__name__}: {str(problem)[:200]}" if problem else ""
    return ParsedFeed(
        plain_text(result.feed.get("title"), 300), result.get("version", ""), entries, warning
    )
