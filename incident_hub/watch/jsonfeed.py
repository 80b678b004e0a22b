"""JSON Feed (https://jsonfeed.org/version/1.1, and 1.0) into the same entries as RSS and Atom.

feedparser reads only XML formats, so this reads the standard library's ``json`` output and
checks its shape by hand: a document that is not JSON Feed (bad JSON, not an object, no JSON
Feed ``version``, ``items`` not a list) raises :class:`FeedParseError` naming the problem; an
item of the wrong shape is skipped and named in the feed's ``warning``, as feedparser survives
a broken entry. Relative item URLs are resolved against the feed's ``home_page_url``, else its
``feed_url``, else the address it was fetched from (each of the first two resolved against that
address first), as other JSON Feed readers do.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from .entry import (
    Entry,
    FeedParseError,
    ParsedFeed,
    content_hash,
    language_tag,
    plain_text,
    web_link,
)

JSON_TYPES = frozenset({"application/feed+json", "application/json"})
VERSION_PREFIXES = ("https://jsonfeed.org/version/", "http://jsonfeed.org/version/")
_BLANK = b" \t\r\n"
_BOM = b"\xef\xbb\xbf"
_MAX_PROBLEMS = 3  # named in the warning; the rest are counted


def looks_like_json(body: bytes, headers: dict[str, str]) -> bool:
    """The body decides (JSON opens with ``{`` or ``[``, XML with ``<``); if it is neither,
    a JSON Content-Type sends it here, so the error says what is wrong with it as JSON."""
    head = body.lstrip(_BLANK).removeprefix(_BOM).lstrip(_BLANK)[:1]
    if head in (b"{", b"["):
        return True
    if head == b"<":
        return False
    media = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    return media in JSON_TYPES or media.endswith("+json")


def parse_json_feed(body: bytes, url: str = "") -> ParsedFeed:
    """Parse a JSON Feed fetched from ``url``; raise FeedParseError if it is not one."""
    document = _load(body)
    try:
        return _feed(document, url)
    except FeedParseError:
        raise
    except Exception as exc:  # noqa: BLE001 — the error boundary, as for feedparser
        raise FeedParseError(f"the JSON Feed could not be read ({type(exc).__name__})") from None


def _load(body: bytes) -> Any:
    try:
        return json.loads(body)  # UTF-8 (with or without BOM), as JSON Feed requires; or -16/-32
    except RecursionError:
        raise FeedParseError("not a feed: the JSON is nested too deeply to read") from None
    except UnicodeDecodeError:
        raise FeedParseError("not a feed: the JSON is not valid UTF-8 text") from None
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise FeedParseError(f"not a feed: the JSON is invalid ({exc.msg} at {where})") from None
    except ValueError:  # an integer of more than 4,300 digits
        raise FeedParseError("not a feed: the JSON holds a number too long to read") from None


def _feed(document: Any, url: str) -> ParsedFeed:
    if not isinstance(document, dict):
        kind = _json_kind(document)
        raise FeedParseError(f"not a JSON Feed: the document is {kind}, not an object")
    version = document.get("version")
    if not isinstance(version, str) or not version.startswith(VERSION_PREFIXES):
        raise FeedParseError(
            'not a JSON Feed: it has no "version" naming https://jsonfeed.org/version/1.1 '
            "(this is some other JSON)"
        )
    items = document.get("items")
    if not isinstance(items, list):
        got = "missing" if items is None else _json_kind(items)
        raise FeedParseError(f'not a JSON Feed: "items" must be a list (it is {got})')
    base = _item_base(document, url)
    language = language_tag(document.get("language"))
    entries: list[Entry] = []
    problems: list[str] = []
    for index, raw in enumerate(items):
        entry = _entry(raw, f"items[{index}]", base, language, problems)
        if entry is not None:
            entries.append(entry)
    if items and not entries and problems:
        raise FeedParseError(
            f"not a usable JSON Feed: none of its {len(items)} items could be read "
            f"({_summary(problems)})"
        )
    title = plain_text(_text(document, "title", "feed", problems), 300)
    number = version.rsplit("/", 1)[-1]
    return ParsedFeed(
        title,
        "json11" if number == "1.1" else "json10" if number == "1" else "json",
        entries,
        f"JSON Feed: {_summary(problems)}" if problems else "",
        language,
    )


def _item_base(document: dict[str, Any], url: str) -> str:
    """What relative item URLs are resolved against (see the module docstring)."""
    for key in ("home_page_url", "feed_url"):
        base = web_link(document.get(key), url)
        if base:
            return base
    return url


def _entry(
    raw: Any, where: str, base: str, feed_language: str, problems: list[str]
) -> Entry | None:
    """One item as an Entry; None (with a problem noted) if it is not an object."""
    if not isinstance(raw, dict):
        problems.append(f"{where} is {_json_kind(raw)}, not an object")
        return None
    title = plain_text(_text(raw, "title", where, problems), 1000)
    body = next(
        (
            value
            for key in ("summary", "content_text", "content_html")
            if (value := _text(raw, key, where, problems))
        ),
        "",
    )
    summary = plain_text(body)
    link = web_link(_text(raw, "url", where, problems), base) or web_link(
        _text(raw, "external_url", where, problems), base
    )
    if not (title or summary or link):
        return None
    language = language_tag(_text(raw, "language", where, problems)) or feed_language
    published = _when(_text(raw, "date_published", where, problems)) or _when(
        _text(raw, "date_modified", where, problems)
    )
    guid = _guid(raw.get("id"), where, problems)
    return Entry(guid, link, title, summary, published, content_hash(title, summary), language)


def _text(raw: dict[str, Any], key: str, where: str, problems: list[str]) -> str:
    """A string field ("" when absent); a field of another type is noted and ignored."""
    value = raw.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        problems.append(f"{where}.{key} is {_json_kind(value)}, not a string")
        return ""
    return _valid_unicode(value)


def _guid(value: Any, where: str, problems: list[str]) -> str | None:
    """The item's id as text: JSON Feed says a number must be read as its string."""
    if isinstance(value, bool) or value is None:
        if value is not None:
            problems.append(f"{where}.id is {_json_kind(value)}, not a string")
        return None
    if isinstance(value, int | float):
        value = str(value)
    if not isinstance(value, str):
        problems.append(f"{where}.id is {_json_kind(value)}, not a string")
        return None
    return _valid_unicode(value).replace("\x00", "").strip()[:500] or None


def _when(value: str) -> datetime | None:
    """An RFC 3339 date ("2026-11-30T10:00:00Z"); None if absent or unreadable, as feedparser
    treats a bad RSS date. A date without an offset is taken as UTC."""
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value.strip().upper())
    except ValueError:
        return None
    if when.tzinfo is None:
        return when.replace(tzinfo=UTC)
    try:
        return when.astimezone(UTC)
    except OverflowError:  # year 1 with an offset east of UTC, say
        return None


def _valid_unicode(value: str) -> str:
    """JSON may carry a lone surrogate (``"\\ud800"``), which no database or nh3 accepts."""
    return value.encode("utf-8", "replace").decode("utf-8")


def _json_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true or false"
    names = {dict: "an object", list: "a list", str: "a string", int: "a number"}
    return names.get(type(value), "a number" if isinstance(value, float) else "null")


def _summary(problems: list[str]) -> str:
    shown = "; ".join(problems[:_MAX_PROBLEMS])
    more = len(problems) - _MAX_PROBLEMS
    return f"{shown}; and {more} more" if more > 0 else shown
