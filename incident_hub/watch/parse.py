"""Turn a fetched body into clean entries. feedparser only parses bytes; nothing is fetched here.

Each feed is parsed inside its own error boundary: a malformed, hostile or non-feed body raises
:class:`FeedParseError` with a reason a policy person can read, and never an unhandled error.
A JSON body (JSON Feed) goes to ``jsonfeed.py``, since feedparser reads only XML formats.
"""

from __future__ import annotations

import calendar
import io
import re
from datetime import UTC, datetime

import feedparser

from . import jsonfeed
from .entry import (
    Entry,
    FeedParseError,
    ParsedFeed,
    content_hash,
    join_url,
    language_tag,
    plain_text,
    web_link,
)

__all__ = ["Entry", "FeedParseError", "ParsedFeed", "content_hash", "parse_feed", "plain_text"]

# Entity declarations are how billion-laughs and external-entity (XXE) attacks start; real
# feeds do not declare entities, so such a body is refused before any XML parser sees it.
_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)


def _timestamp(entry: dict) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(key)
        if parsed:
            try:
                return datetime.fromtimestamp(calendar.timegm(parsed), UTC)
            except (OverflowError, ValueError, OSError, TypeError):
                continue
    return None


def _entry(raw: dict, feed_language: str) -> Entry | None:
    title = plain_text(raw.get("title"), 1000)
    summary = plain_text(raw.get("summary") or _first_content(raw))
    link = web_link(raw.get("link"))  # already resolved by feedparser (xml:base, feed URL)
    guid = str(raw.get("id") or "").replace("\x00", "")[:500] or None
    if not (title or summary or link):
        return None
    language = _detail_language(raw) or feed_language
    hashed = content_hash(title, summary)
    return Entry(guid, link, title, summary, _timestamp(raw), hashed, language)


def _detail_language(raw: dict) -> str:
    """The xml:lang in force on the entry's text, which feedparser keeps in its *_detail."""
    for key in ("summary_detail", "title_detail"):
        detail = raw.get(key)
        if isinstance(detail, dict) and detail.get("language"):
            return language_tag(detail["language"])
    return ""


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
    if not body or not body.strip():
        raise FeedParseError("the server sent an empty body")
    if jsonfeed.looks_like_json(body, headers):
        return jsonfeed.parse_json_feed(body, url)
    if url:  # how feedparser learns the base URL of bytes; a Content-Location refines it
        headers["content-location"] = join_url(url, headers.get("content-location", ""))
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
    language = language_tag(result.feed.get("language"))
    entries = [e for e in (_entry(raw, language) for raw in result.entries) if e is not None]
    problem = result.get("bozo_exception")
    if not entries and not result.get("version"):
        if _looks_like_html(body, headers):
            raise FeedParseError("not a feed: the address returns a web page (HTML)")
        detail = f": {str(problem)[:200]}" if problem else ""
        raise FeedParseError(f"not a feed (no RSS, Atom or JSON Feed found{detail})")
    warning = f"{type(problem).__name__}: {str(problem)[:200]}" if problem else ""
    title = plain_text(result.feed.get("title"), 300)
    return ParsedFeed(title, result.get("version", ""), entries, warning, language)
