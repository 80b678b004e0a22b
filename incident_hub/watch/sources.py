"""Feed sources: the shipped set in ``feeds/*.toml`` and those admins add through web or API."""

from __future__ import annotations

import tomllib
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select

from .. import validate
from ..actor import Actor
from ..audit import service as audit
from ..auth.permissions import is_admin
from ..clock import now
from ..config import ConfigError
from ..errors import Conflict, Invalid
from ..extensions import db
from ..schemas import parse
from ..transaction import deny, run_in_transaction
from ..vocabulary import SourceOrigin
from .inputs import MAX_URL, NewSource
from .models import DEMO_ORIGIN, Source
from .ssrf import AddressRefused, check_host_literal

NOT_SOURCE_FILES = {"rules.toml"}
WATCHER = Actor(user=None, via="system")  # who a move is audited as: the feed server asked


def _interval_bounds() -> tuple[int, int]:
    feeds = current_app.config["FEEDS"]
    return feeds["MIN_INTERVAL_MIN"], feeds["MAX_INTERVAL_MIN"]


def clean_source(data: Any) -> dict[str, Any]:
    """One source definition (a feed file's table, an admin's input) as the columns of a
    Source; Invalid naming the field."""
    spec = parse(NewSource, data)
    low, high = _interval_bounds()
    return spec.model_dump(exclude={"interval_min"}) | {
        "jurisdiction": spec.jurisdiction or "",
        "language": spec.language or "en",
        "interval_min": min(max(spec.interval_min or low * 4, low), high),
    }


def load_source_files(directory: str | Path) -> list[dict[str, Any]]:
    """Read every ``[[sources]]`` table in the feed files; ConfigError names file and field."""
    out: dict[str, dict[str, Any]] = {}
    for path in sorted(Path(directory).glob("*.toml")):
        if path.name in NOT_SOURCE_FILES:
            continue
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: invalid TOML: {exc}") from None
        for index, raw in enumerate(data.get("sources", [])):
            where = f"{path}: sources[{index}]"
            try:
                source = clean_source(raw if isinstance(raw, dict) else {})
            except Invalid as exc:
                raise ConfigError(f"{where}.{exc.field}: {exc.message}") from None
            if source["key"] in out:
                raise ConfigError(f"{where}.key: duplicate source key {source['key']!r}")
            source["snapshot"] = raw.get("snapshot", "")
            out[source["key"]] = source
    return list(out.values())


def sync_sources_from_files(directory: str | Path | None = None) -> int:
    """Create or update the shipped sources (admin-added and demo ones are left alone, and
    so is every setting an admin edited on a shipped one: ``Source.admin_fields``).

    In a demo instance (one whose sources were bound to snapshots by ``incident-hub demo``), a
    source that appears in the files later joins as a demo source too: on its snapshot if it
    has one, disabled otherwise. A demo instance never gets a real feed address back.
    """
    files = load_source_files(directory or current_app.config["FEEDS_DIR"])
    existing = {s.key: s for s in db.session.execute(select(Source)).scalars()}
    demo = any(s.origin == DEMO_ORIGIN for s in existing.values())
    for spec in files:
        snapshot = spec.pop("snapshot")
        source = existing.get(spec["key"])
        if source is None:
            source = Source(
                origin=SourceOrigin.FILE,
                effective_interval_min=spec["interval_min"],
                next_poll_at=now(),
            )
            db.session.add(source)
            for name, value in spec.items():
                setattr(source, name, value)
            if demo:
                bind_to_snapshot(source, snapshot)
        elif source.origin == SourceOrigin.FILE:
            kept = set(source.admin_fields or [])  # an admin's edits win over the file
            named = spec.pop("url")
            for name, value in spec.items():
                if name not in kept:
                    setattr(source, name, value)
            if "url" not in kept:
                _follow_file_url(source, named)
    db.session.commit()
    return len(files)


def _follow_file_url(source: Source, named: str) -> None:
    """The feed file names ``named`` for this source.

    While that is still the address permanent redirects moved the source away from, the new
    address is kept: the file is out of date, the redirect is not, and going back would cost
    a redirect on every poll and lose the move at each sync. Any other address in the file
    is an edit and wins (the new address itself too, which ends the move).
    """
    if source.moved_from is not None and named == source.moved_from:
        return
    source.url = named
    source.moved_from = source.moved_at = None


def move_source(source: Source, new_url: str, at: datetime) -> bool:
    """Permanent redirects (301/308 on every hop) led the poll to ``new_url``, where the feed
    answered: poll it there from now on. Audited; the caller commits.

    Refused (False) for a demo source, whose address is a loopback placeholder, and for an
    address that is not http(s) or too long to store. ``moved_from`` keeps the address the
    source had before its first move, until the configured address catches up.
    """
    if source.origin == DEMO_ORIGIN or new_url == source.url or not _storable(new_url):
        return False
    old = source.url
    if new_url == source.moved_from:  # moved back to where it was configured
        source.moved_from = source.moved_at = None
    else:
        source.moved_from, source.moved_at = source.moved_from or old, at
    source.url = new_url
    details = {"from": old, "to": new_url, "reason": "permanent redirect"}
    audit.record(WATCHER, "source.moved", "source", source.key, details=details)
    return True


def _storable(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    web = parts.scheme in ("http", "https") and bool(parts.hostname)
    return web and len(url) <= MAX_URL and "\x00" not in url


def bind_to_snapshot(source: Source, snapshot: str) -> None:
    """Make ``source`` a demo source: fetched only from its recorded snapshot on loopback
    (see ``watch.service.poll``), or disabled when it has none."""
    feeds_dir = Path(current_app.config["FEEDS_DIR"])
    source.origin = DEMO_ORIGIN
    source.enabled = bool(snapshot and (feeds_dir / snapshot).is_file())
    if source.enabled:
        # The host is a placeholder: each poll serves the snapshots on a free loopback port.
        source.url = f"http://127.0.0.1/{snapshot}"
        source.next_poll_at = None
        source.etag = source.last_modified = None


def check_fetchable(url: str) -> None:
    """The SSRF rule (watch/ssrf.py) as far as it can be told without DNS: an address the
    watcher would refuse to fetch (loopback, private, link-local…) is refused here, unless
    FEEDS.ALLOW_PRIVATE_NETWORKS. Hostnames are checked again on every connection."""
    if current_app.config["FEEDS"]["ALLOW_PRIVATE_NETWORKS"]:
        return
    host = urlsplit(url).hostname or ""
    try:
        check_host_literal(host)
    except AddressRefused as exc:
        raise Invalid(
            f"url {exc}: the watcher does not fetch from private networks",
            field="url",
            web=f"Feed address: {exc}, which the watcher does not fetch from",
        ) from None


def add_source(actor: Actor, data: dict[str, Any]) -> Source:
    """An admin adds a source (http/https only, not a private address unless allowed; the
    SSRF guard applies again when it is polled)."""
    if not is_admin(actor.user):
        raise deny(
            actor,
            "source.add",
            "source",
            validate.label(data.get("key", "-")),  # raw input: recorded safely
            "only an admin can add sources",
        )
    spec = clean_source(data)
    check_fetchable(spec["url"])

    def work() -> Source:
        if db.session.execute(select(Source.id).where(Source.key == spec["key"])).first():
            raise Conflict(f"a source with key {spec['key']!r} already exists", field="key")
        source = Source(
            origin=SourceOrigin.ADMIN,
            effective_interval_min=spec["interval_min"],
            next_poll_at=now(),
            **spec,
        )
        db.session.add(source)
        db.session.flush()
        audit.record(actor, "source.added", "source", source.key, details={"url": source.url})
        return source

    return run_in_transaction(work)


def list_sources() -> list[Source]:
    return list(db.session.execute(select(Source).order_by(Source.key)).scalars())
