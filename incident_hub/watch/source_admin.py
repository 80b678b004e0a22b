"""What admins do to a feed source: edit it, turn it off or on, poll it now.

Every action is admin-only (anyone else gets 403, and the refusal is audited) and audited
itself. An edit names the settings it changed in ``Source.admin_fields``, which the sync from
the feed files then leaves alone: the next ``poll`` or ``tick`` does not undo it. Polling now
runs the poll ``incident-hub poll --source KEY`` runs.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import select

from .. import validate
from ..actor import Actor
from ..audit import service as audit
from ..auth.permissions import is_admin
from ..clock import now
from ..errors import Conflict, Invalid, NotFound
from ..extensions import db
from ..schemas import parse
from ..transaction import deny, run_in_transaction
from .inputs import SourceChanges, SourceSwitch
from .language import LANGUAGES, NAMES
from .models import DEMO_ORIGIN, Source
from .service import PollResult, poll
from .sources import check_fetchable

EDITABLE = ("title", "url", "jurisdiction", "language", "covers", "interval_min")


def authorize_source_admin(actor: Actor, key: Any, action: str = "source.edit") -> None:
    """Refuse (audited) unless ``actor`` is an admin: the check every action here makes, and
    the edit page asks before showing itself."""
    what = {"source.edit": "edit sources", "source.poll": "poll sources"}.get(action, "do that")
    _require_admin(actor, action, key, what)


def _require_admin(actor: Actor, action: str, key: Any, what: str) -> None:
    if not is_admin(actor.user):
        raise deny(actor, action, "source", validate.label(key), f"only an admin can {what}")


def get_source(key: str, *, for_update: bool = False) -> Source:
    query = select(Source).where(Source.key == str(key)[:60])
    if for_update:
        query = query.with_for_update()
    source = db.session.execute(query).scalar()
    if source is None:
        raise NotFound(f"no source {validate.label(key)!r}")
    return source


def _settings(source: Source, data: SourceChanges) -> dict[str, Any]:
    """The settings sent that differ from the source's, checked and bounded."""
    feeds = current_app.config["FEEDS"]
    wanted = {k: v for k, v in data.given().items() if k in EDITABLE}
    if "jurisdiction" in wanted:
        wanted["jurisdiction"] = wanted["jurisdiction"] or ""
    if "language" in wanted:
        language = (wanted["language"] or "en").lower()
        if language not in LANGUAGES:
            known = ", ".join(f"{NAMES[c]} ({c})" for c in LANGUAGES)
            raise Invalid(
                f"language must be one of: {', '.join(LANGUAGES)}",
                field="language",
                web=f"Language must be one the watcher reads: {known}",
            )
        wanted["language"] = language
    if wanted.get("interval_min") is not None:
        low, high = feeds["MIN_INTERVAL_MIN"], feeds["MAX_INTERVAL_MIN"]
        wanted["interval_min"] = min(max(wanted["interval_min"], low), high)
    elif "interval_min" in wanted:
        del wanted["interval_min"]  # null: keep the interval
    if "url" in wanted:
        check_fetchable(wanted["url"])
    return {k: v for k, v in wanted.items() if getattr(source, k) != v}


def edit_source(actor: Actor, key: str, raw: SourceChanges | dict[str, Any]) -> Source:
    """An admin changes a source's settings (and, through the API, whether it is enabled).

    A new address is polled at the next tick, without the old address's validators; a demo
    source's address is its recorded snapshot and does not change.
    """
    _require_admin(actor, "source.edit", key, "edit sources")
    data = parse(SourceChanges, raw)

    def work() -> Source:
        source = get_source(key, for_update=True)
        changes = _settings(source, data)
        if "url" in changes and source.origin == DEMO_ORIGIN:
            raise Conflict(
                f"{source.key} is a demo source, fetched from its recorded snapshot: "
                "its address does not change",
                field="url",
            )
        before = {name: getattr(source, name) for name in changes}
        for name, value in changes.items():
            setattr(source, name, value)
        if "url" in changes:
            source.etag = source.last_modified = None
            source.moved_from = source.moved_at = None
            source.next_poll_at = now()
        if "interval_min" in changes:
            source.effective_interval_min = changes["interval_min"]
        if changes:
            source.admin_fields = sorted(set(source.admin_fields or []) | set(changes))
            details = {"changes": {k: {"from": before[k], "to": changes[k]} for k in changes}}
            audit.record(actor, "source.edited", "source", source.key, details=details)
        switched = data.given().get("enabled")
        if switched is not None and switched != source.enabled:
            _switch(actor, source, switched)
        return source

    return run_in_transaction(work)


def set_source_enabled(actor: Actor, key: str, raw: SourceSwitch | dict[str, Any]) -> Source:
    """An admin turns polling of a source off (it keeps its items and alerts) or on again
    (it is polled at the next tick)."""
    data = parse(SourceSwitch, raw) if isinstance(raw, dict) else raw
    verb = "enable" if data.enabled else "disable"
    _require_admin(actor, f"source.{verb}", key, f"{verb} sources")

    def work() -> Source:
        source = get_source(key, for_update=True)
        if source.enabled != data.enabled:
            _switch(actor, source, data.enabled)
        return source

    return run_in_transaction(work)


def _switch(actor: Actor, source: Source, enabled: bool) -> None:
    source.enabled = enabled
    if enabled:
        source.next_poll_at = now()
    source.admin_fields = sorted(set(source.admin_fields or []) | {"enabled"})
    action = "source.enabled" if enabled else "source.disabled"
    audit.record(actor, action, "source", source.key)


def poll_source_now(actor: Actor, key: str) -> PollResult:
    """An admin polls one source now, due or not (enabled or not): the poll of
    ``incident-hub poll --source KEY``, audited with its outcome."""
    _require_admin(actor, "source.poll", key, "poll sources")
    source = get_source(key)
    (result,) = poll(source.key, now())
    details = {"status": result.status, "new": result.new, "flagged": result.flagged}
    if result.error:
        details["error"] = result.error[:200]
    audit.record_committed(actor, "source.polled", "source", source.key, details=details)
    return result
