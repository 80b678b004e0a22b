"""What every feed format is parsed into: clean entries, with the text and link rules they share.

RSS, Atom and RDF go through feedparser (``parse.py``), JSON Feed through ``jsonfeed.py``; both
produce the same :class:`Entry`, so dedup, classification and storage never ask which it was.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urljoin

import nh3

MAX_TEXT = 5000
MAX_LINK = 2000
_SPACE = re.compile(r"\s+")


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
    language: str = ""  # the entry's own language tag, else the feed's; "" when neither says


@dataclass(frozen=True)
class ParsedFeed:
    title: str
    version: str  # feedparser's ("rss20", "atom10", …), or "json10" / "json11"
    entries: list[Entry]
    warning: str = ""  # a survivable problem (e.g. a wrong declared encoding)
    language: str = ""


def plain_text(value: str | None, limit: int = MAX_TEXT) -> str:
    """Feed HTML to plain text: tags removed by nh3, entities decoded, whitespace collapsed."""
    if not value:
        return ""
    text = html.unescape(nh3.clean(value[: limit * 4], tags=set()))
    return _SPACE.sub(" ", text).strip()[:limit]


def content_hash(title: str, summary: str) -> str:
    return hashlib.sha256(f"{title}\x1f{summary}".encode()).hexdigest()


def join_url(base: str, relative: str) -> str:
    """``relative`` resolved against ``base``; ``base`` alone if that cannot be done."""
    try:
        return urljoin(base, relative)
    except ValueError:  # a malformed IPv6 literal, say
        return base


def web_link(value: object, base: str = "") -> str:
    """An http(s) address from a feed, resolved against ``base`` when given; "" otherwise.

    NUL survives feedparser's lenient parser and JSON's ``\\u0000`` (and nh3 is not applied to
    links); PostgreSQL refuses it in any text column, so it is dropped here.
    """
    if not isinstance(value, str):
        return ""
    link = value.replace("\x00", "").strip()
    if base and link:
        link = join_url(base, link)
    link = link[:MAX_LINK]
    return link if link.startswith(("http://", "https://")) else ""


def language_tag(value: object) -> str:
    """A language tag as a feed gives it ("en", "pt-BR"), trimmed; "" if it is not text."""
    if not isinstance(value, str):
        return ""
    return value.replace("\x00", "").strip()[:35]
