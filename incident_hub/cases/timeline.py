"""A case's timeline as one viewer may see it.

The timeline is the case's audit events, but some events are about a second case: a link or
an unlink (``case_link`` events, object ``A>B``), a merge (``case.merged``/``case.merged_in``),
an alert moved by a merge (``alert.moved``, naming the link). Such an event is shown only to
whoever may also see that other case *now* (a case that became restricted later, or a member
removed, hides it again): otherwise a non-member would learn that a restricted case exists, is
related, or was merged. Events written before this rule existed may carry people's emails
(``followers_moved``) or the label "a restricted case": the emails are shown as a count, and a
reason naming a restricted case is shown only to those who see every case.

An intake edit (``case.edited``) is shown as each field's before and after in words
(:mod:`.changes`): it is about this case alone, so whoever sees the case sees it.

Each entry carries the name of the person who acted (one query for all of them): pages show
names, as everywhere else; the API keeps the recorded email.

The stored events are never changed (the audit trail is append-only); this is a view of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select

from ..audit.models import AuditEvent
from ..auth import permissions as perm
from ..auth.models import User
from ..extensions import db
from .changes import described
from .models import Case

EMAIL_RE = re.compile(r"[^\s@<>“”\"']+@[^\s@<>“”\"',;:]+\.[A-Za-z]{2,}")
RESTRICTED_LABEL = "a restricted case"  # how events once named a restricted case
PEOPLE_LISTS = ("followers_moved",)  # details that once listed people's emails


@dataclass(frozen=True)
class Entry:
    """One event as the viewer sees it (the attributes pages, API and dossier read)."""

    at: datetime
    actor: str
    action: str
    origin: str
    outcome: str
    details: dict[str, Any]
    name: str = ""  # the person's name (pages and the dossier show it; the API the email)
    reason: str = ""  # details["reason"] with the people it names by name, for pages
    changes: tuple[str, ...] = ()  # an intake edit's "Field: before → after", for pages
    comment: str = ""  # a comment's text as posted or edited, for whoever may read it

    @property
    def who(self) -> str:
        """Whom to show: the person's name, else what the event recorded ("system")."""
        return self.name or self.actor


def _other_refs(case: Case, event: AuditEvent, links: dict[int, tuple[str, str]]) -> set[str]:
    """References of the other cases an event is about (empty for most events)."""
    refs: set[str] = set()
    if event.object_type == "case_link":
        refs.update(event.object_ref.split(">"))
    details = event.details or {}
    link_id = details.get("link")
    if event.action == "alert.moved" or event.object_type == "case_link":
        if isinstance(link_id, int) and link_id in links:
            refs.update(links[link_id])
        for key in ("from", "to"):
            value = details.get(key)
            if isinstance(value, str) and value.startswith("INC-"):
                refs.add(value)
    refs.discard(case.ref)
    return refs


def _names_restricted(event: AuditEvent) -> bool:
    """An old event naming "a restricted case" (whichever it was cannot be told any more)."""
    return any(isinstance(v, str) and RESTRICTED_LABEL in v for v in (event.details or {}).values())


def _about_another(event: AuditEvent) -> bool:
    return event.object_type == "case_link" or event.action == "alert.moved"


def _shown(event: AuditEvent, sees_all: bool) -> dict[str, Any]:
    out = dict(event.details or {})
    if not sees_all and event.action == "case.closed" and _names_restricted(event):
        out["reason"] = "closed"  # an old "merged into a restricted case"
    for key in PEOPLE_LISTS:
        if isinstance(out.get(key), list):
            out[key] = len(out[key])
    return out


def _reason(event: AuditEvent) -> str:
    reason = (event.details or {}).get("reason") if isinstance(event.details, dict) else None
    return reason if isinstance(reason, str) else ""


def _people(events: list[AuditEvent]) -> tuple[dict[int, str], dict[str, str]]:
    """Names of the people who acted (by user id) and of those a reason names by email
    (``“Publish the order” for legal@example.org``), read in one query."""
    ids = {e.actor_id for e in events if e.actor_id is not None}
    emails = {m.lower() for e in events for m in EMAIL_RE.findall(_reason(e))}
    if not ids and not emails:
        return {}, {}
    rows = db.session.execute(
        select(User.id, User.email, User.name).where(or_(User.id.in_(ids), User.email.in_(emails)))
    ).all()
    return {i: n for i, _, n in rows}, {e.lower(): n for _, e, n in rows}


def _by_name(reason: object, named: dict[str, str]) -> str:
    if not isinstance(reason, str):
        return ""
    return EMAIL_RE.sub(lambda m: named.get(m.group(0).lower(), m.group(0)), reason)


def for_viewer(case: Case, events: list[AuditEvent], viewer: User | None) -> list[Entry]:
    """``events`` of ``case`` less those about a case ``viewer`` may not see."""
    from ..followthrough.models import CaseLink  # a model only; followthrough imports cases

    link_ids = {
        e.details.get("link")
        for e in events
        if isinstance(e.details, dict) and isinstance(e.details.get("link"), int)
    }
    links: dict[int, tuple[str, str]] = {}
    if link_ids:
        first, second = Case.__table__.alias("a"), Case.__table__.alias("b")
        rows = db.session.execute(
            select(CaseLink.id, first.c.ref, second.c.ref)
            .join(first, first.c.id == CaseLink.case_id)
            .join(second, second.c.id == CaseLink.other_id)
            .where(CaseLink.id.in_(link_ids))
        ).all()
        links = {link_id: (a, b) for link_id, a, b in rows}
    wanted = {ref for e in events for ref in _other_refs(case, e, links)}
    others = (
        {c.ref: c for c in db.session.execute(select(Case).where(Case.ref.in_(wanted))).scalars()}
        if wanted
        else {}
    )
    sees_all = bool(viewer and viewer.active and perm.sees_every_case(viewer))
    names, named = _people(events)
    said = _comment_texts(case, events, viewer)
    out = []
    for event in events:
        refs = _other_refs(case, event, links)
        if not sees_all:
            if any(r not in others or not perm.can_view_case(viewer, others[r]) for r in refs):
                continue
            if not refs and _about_another(event) and _names_restricted(event):
                continue
        shown = _shown(event, sees_all)
        out.append(
            Entry(
                at=event.at,
                actor=event.actor,
                action=event.action,
                origin=event.origin,
                outcome=event.outcome,
                details=shown,
                name=names.get(event.actor_id, "") if event.actor_id is not None else "",
                reason=_by_name(shown.get("reason"), named),
                changes=described(shown) if event.action == "case.edited" else (),
                comment=said.get(event.id, ""),
            )
        )
    return out


COMMENT_EVENTS = ("comment.added", "comment.edited")


def _comment_texts(case: Case, events: list[AuditEvent], viewer: User | None) -> dict[int, str]:
    """Event id -> the text a comment event posted (that version's), for the comments the
    viewer may read: a comment in a privileged analysis's thread only for those who may read
    privileged analyses (the events carry no text: see discussion/service.py)."""
    from ..discussion.models import Comment  # a model only; discussion imports cases
    from .models import Analysis

    wanted = {
        e.id: (e.details["comment"], e.details.get("version", 1))
        for e in events
        if e.action in COMMENT_EVENTS
        and e.outcome == "ok"
        and isinstance(e.details, dict)
        and isinstance(e.details.get("comment"), int)
    }
    if not wanted:
        return {}
    ids = {comment_id for comment_id, _ in wanted.values()}
    comments = {
        c.id: c
        for c in db.session.execute(
            select(Comment).where(Comment.id.in_(ids), Comment.case_id == case.id)
        ).scalars()
    }
    privileged = set(
        db.session.execute(
            select(Analysis.function_key).where(
                Analysis.case_id == case.id, Analysis.privileged.is_(True)
            )
        ).scalars()
    )
    reads_privileged = perm.can_read_privileged(viewer, case)
    out: dict[int, str] = {}
    for event_id, (comment_id, version) in wanted.items():
        comment = comments.get(comment_id)
        if comment is None:
            continue
        if (comment.privileged or comment.function_key in privileged) and not reads_privileged:
            continue
        texts = {v.version: v.text for v in comment.history} | {comment.version: comment.text}
        out[event_id] = texts.get(version, comment.text)
    return out
