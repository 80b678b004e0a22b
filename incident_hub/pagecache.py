"""A small per-process cache of rendered pages, invalidated by any change anywhere.

Every state change in Incident Hub writes an audit event (that is a guarantee the tests hold),
so the id of the newest such event is a version number for everything a page can show. A page is
cached under (page, viewer, the viewer's session CSRF secret, the objects it shows, that
version): the next change, by anyone, makes every cached page stale at once. Entries also
expire after ``TTL_S`` (times shown as "due in 3 hours" move on, and a form's CSRF token must
stay well inside its one-hour validity) and the cache is bounded (``MAX_PAGES`` per process).

Pages are never cached for a request with flashed messages pending (they are shown once), and
the cache lives only in the web worker's memory: no page of a case ever leaves the process.
Reading a restricted case is audited before the cache is asked (``view_case``), every time;
audited reads are left out of the version and of the page's timeline.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable

from cachetools import TTLCache
from flask import current_app, session
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select

from .audit.models import AuditEvent
from .extensions import db

TTL_S = 60
MAX_PAGES = 256
_lock = threading.Lock()
_pages: TTLCache = TTLCache(maxsize=MAX_PAGES, ttl=TTL_S)


# Audited reads and refusals change nothing a page shows (and reading a restricted case writes
# one each time): they do not make pages stale.
READS = ("case.viewed", "report.exported", "audit.exported", "attachment.downloaded")


def state_version() -> int:
    """The id of the newest audit event that changed something (walking back from the newest
    event along the primary key, past reads and refusals)."""
    newest = (
        select(AuditEvent.id)
        .where(AuditEvent.outcome == "ok", AuditEvent.action.not_in(READS))
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    return db.session.execute(newest).scalar() or 0


def cached_page(page: str, viewer_id: int, objects: Hashable, render: Callable[[], str]) -> str:
    """The rendered page from the cache when nothing changed since it was rendered for this
    viewer and session; otherwise ``render()`` it (and keep it, unless messages are pending)."""
    if not current_app.config["OPS"]["PAGE_CACHE"] or session.get("_flashes"):
        return render()
    generate_csrf()  # the session's CSRF secret exists before it becomes part of the key
    database = current_app.config["SQLALCHEMY_DATABASE_URI"]
    key = (database, page, viewer_id, session["csrf_token"], objects, state_version())
    with _lock:
        html = _pages.get(key)
    if html is not None:
        return html
    html = render()
    if not session.get("_flashes"):
        with _lock:
            _pages[key] = html
    return html


def forget() -> None:
    """Drop every cached page (tests; a process that changed the schema)."""
    with _lock:
        _pages.clear()
