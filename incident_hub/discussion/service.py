"""Comments: post, edit (the author, for [CASES] COMMENT_EDIT_MINUTES), list.

Who reads a comment: whoever may see its case (a restricted case's comments answer 404 to
everyone else, as the case does). A comment in a function's analysis thread is as protected as
that analysis: when any version of the function's analysis on the case is privileged, or the
comment was written while it was, only those who may read privileged analyses
(:func:`..auth.permissions.can_read_privileged`) read it, post in that thread, or are told of
it; to everyone else it does not exist (404). Who posts: whoever reads the thread.

Editing: only the author, only within COMMENT_EDIT_MINUTES of posting; then the comment is
locked (409). Every earlier text is kept (``comment_versions``) and read by whoever reads the
comment. Comments are never deleted: they are part of the case's record (a wrong one is
corrected by an edit in its window, or answered by another comment).

Every post and edit is audited (``comment.added``, ``comment.edited``, in the case's timeline,
without the text: a timeline entry shows it only to those who may read it), and so is every
refusal. Mentions (:mod:`.mentions`) and a question to a function tell people through the
case's notices (:mod:`.notices`). Comments are not put in the search index.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select

from ..actor import Actor
from ..audit import service as audit
from ..auth import permissions as perm
from ..auth.models import User
from ..cases.models import Case
from ..cases.queries import get_case, view_case
from ..clock import now
from ..errors import Conflict, Invalid, NotFound
from ..extensions import db
from ..playbooks import registry
from ..schemas import parse
from ..transaction import deny, run_in_transaction
from . import mentions
from . import notices as events
from .inputs import CommentFilters, EditComment, NewComment
from .models import Comment, CommentMention, CommentVersion

Raw = Mapping[str, Any]
CASE_THREAD = "case"  # how a filter names the case's own thread


@dataclass
class Posted:
    """A comment just posted or edited, and whom its mentions told (or not)."""

    comment: Comment
    mentioned: mentions.Mentioned


def edit_minutes() -> int:
    return int(current_app.config["CASES"]["COMMENT_EDIT_MINUTES"])


def editable_until(comment: Comment) -> datetime:
    return comment.created_at + timedelta(minutes=edit_minutes())


def can_edit(user: User | None, comment: Comment) -> bool:
    """Is ``user`` the author, and is the comment still in its edit window?"""
    return bool(
        user and user.active and user.id == comment.author_id and now() < editable_until(comment)
    )


def privileged_threads(case: Case) -> set[str]:
    """The functions whose analysis on the case is privileged (any version)."""
    return {a.function_key for a in case.analyses if a.privileged}  # the page loads them


def is_protected(comment: Comment, privileged: set[str]) -> bool:
    return comment.privileged or comment.function_key in privileged


def readable(user: User | None, case: Case, comment: Comment, privileged: set[str]) -> bool:
    """May ``user`` (who sees ``case``) read ``comment``?"""
    return not is_protected(comment, privileged) or perm.can_read_privileged(user, case)


def comments_of(
    actor: Actor, case: Case, function: str | None = None, privileged: set[str] | None = None
) -> list[Comment]:
    """The comments of ``case`` (one thread's with ``function``: '' the case's own) that the
    actor may read, oldest first (``privileged``: :func:`privileged_threads`, if read). The
    caller has checked that the actor sees the case."""
    query = select(Comment).where(Comment.case_id == case.id)
    if function is not None:
        query = query.where(Comment.function_key == function)
    rows = list(db.session.execute(query.order_by(Comment.created_at, Comment.id)).scalars())
    if not rows:
        return []
    if privileged is None:
        privileged = privileged_threads(case)
    reads = None  # asked once, and only when a comment is protected
    out = []
    for comment in rows:
        if is_protected(comment, privileged):
            if reads is None:
                reads = perm.can_read_privileged(actor.user, case)
            if not reads:
                continue
        out.append(comment)
    return out


def list_comments(actor: Actor, ref: str, raw: CommentFilters | Raw) -> tuple[Case, list[Comment]]:
    """The case (404 unless visible; reading a restricted one is audited) and its comments
    the actor may read; ``function`` picks one thread (``case``: the case's own)."""
    filters = parse(CommentFilters, raw)
    case = view_case(actor, ref)
    function = None
    if filters.function:
        function = "" if filters.function == CASE_THREAD else _thread(case, filters.function)
    return case, comments_of(actor, case, function)


def _thread(case: Case, function: str, field: str = "function") -> str:
    """``function`` if it is one of the case's functions ('' stays '': the case's own)."""
    if not function or (field == "function" and function == CASE_THREAD):
        return ""
    keys = [a.function_key for a in case.assignments]
    if function not in keys:
        titles = ", ".join(f"{k} ({registry().function_title(k)})" for k in keys)
        raise Invalid(
            f"{function[:60]!r} is not one of {case.ref}'s functions: {titles}",
            field=field,
            web=f"Choose one of this case's functions: "
            f"{', '.join(registry().function_title(k) for k in keys)}",
        )
    return function


def authorize_thread(actor: Actor, case: Case, thread: str, action: str = "comment.add") -> None:
    """Refuse (audited) a post in a privileged thread by someone who may not read it."""
    if actor.user is None or not actor.user.active:
        raise deny(actor, action, "case", case.ref, "only a signed-in person can comment")
    if thread in privileged_threads(case) and not perm.can_read_privileged(actor.user, case):
        raise deny(
            actor,
            action,
            "case",
            case.ref,
            f"the {registry().function_title(thread)} analysis is privileged: only the case's "
            "members, executives and admins can discuss it",
        )


def _details(comment: Comment, **more: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"comment": comment.id}
    if comment.function_key:
        out["function"] = comment.function_key
    if comment.to_function:
        out["to_function"] = comment.to_function
        out["reason"] = f"question to {registry().function_title(comment.to_function)}"
    return out | more


def add_comment(actor: Actor, ref: str, raw: NewComment | Raw) -> Posted:
    """Post a comment on the case or in a function's analysis thread; tell the people it
    mentions who may read it, and the assigned leads of the function it asks a question."""
    case = get_case(actor, ref)
    data = parse(NewComment, raw)
    thread = _thread(case, data.function)
    asked = _thread(case, data.to_function, "to_function")
    authorize_thread(actor, case, thread)
    author = actor.require_user()
    wanted = mentions.addresses(data.text, list(data.mentions))

    def work() -> Posted:
        locked = get_case(actor, ref)
        privileged = thread in privileged_threads(locked)
        current = locked.current_analyses().get(thread) if thread else None
        comment = Comment(
            case_id=locked.id,
            function_key=thread,
            to_function=asked,
            author_id=author.id,
            text=data.text,
            privileged=privileged,
            analysis_version=current.version if current else None,
            round=locked.round,
            created_at=now(),
        )
        db.session.add(comment)
        db.session.flush()
        told = mentions.resolve(locked, wanted, privileged=privileged, author=author)
        _keep_mentions(comment, told.told)
        event = audit.record(
            actor,
            "comment.added",
            "case",
            locked.ref,
            case_id=locked.id,
            details=_details(comment, mentioned=len(told.told)),
        )
        events.comment_posted(locked, comment, event, told.told, privileged=privileged)
        return Posted(comment, told)

    return run_in_transaction(work)


def _keep_mentions(comment: Comment, users: list[User]) -> None:
    stamp = now()
    for user in users:
        db.session.add(CommentMention(comment_id=comment.id, user_id=user.id, notified_at=stamp))


def _comment_id(value: Any) -> int:
    text = str(value).strip()
    if not text.isdigit() or len(text) > 9:
        raise NotFound(f"no comment {text[:20]!r}")
    return int(text)


def get_comment(actor: Actor, case: Case, comment_id: Any, *, for_update: bool = False) -> Comment:
    """The case's comment ``comment_id`` if the actor may read it; otherwise 404."""
    wanted = _comment_id(comment_id)
    query = select(Comment).where(Comment.id == wanted, Comment.case_id == case.id)
    if for_update:
        query = query.with_for_update(of=Comment).execution_options(populate_existing=True)
    comment = db.session.execute(query).scalar_one_or_none()
    if comment is None or not readable(actor.user, case, comment, privileged_threads(case)):
        raise NotFound(f"no comment {wanted} on {case.ref}")
    return comment


def _locked(actor: Actor, case: Case, comment: Comment) -> Conflict:
    """The edit window has passed: audited, and a 409 that says so."""
    minutes = edit_minutes()
    posted = comment.created_at.strftime("%d %b %Y %H:%M UTC")
    message = (
        f"comment {comment.id} is locked: a comment can be edited for {minutes} minutes after "
        f"it is posted ([CASES] COMMENT_EDIT_MINUTES), and this one was posted {posted}; "
        "post a new comment instead"
    )
    audit.record_denied(actor, "comment.edit", "case", case.ref, message)
    return Conflict(message, field="text")


def edit_comment(actor: Actor, ref: str, comment_id: Any, raw: EditComment | Raw) -> Posted:
    """Replace a comment's text (its author, within the edit window), keeping the text it
    had; people newly mentioned are told (those told before are not told again)."""
    case = get_case(actor, ref)
    comment = get_comment(actor, case, comment_id)
    author = actor.user
    if author is None or author.id != comment.author_id:
        raise deny(actor, "comment.edit", "case", case.ref, "only its author can edit a comment")
    if now() >= editable_until(comment):
        raise _locked(actor, case, comment)
    data = parse(EditComment, raw)
    wanted = mentions.addresses(data.text, list(data.mentions))

    def work() -> Posted:
        locked = get_case(actor, ref)
        row = get_comment(actor, locked, comment_id, for_update=True)
        if now() >= editable_until(row):
            raise Conflict(f"comment {row.id} is locked: post a new comment instead")
        if data.version is not None and data.version != row.version:
            raise Conflict(
                f"comment {row.id} was edited since you read it (now version {row.version}): "
                "reload and edit again",
                field="version",
            )
        privileged = is_protected(row, privileged_threads(locked))
        told = mentions.resolve(locked, wanted, privileged=privileged, author=author)
        before = {m.user_id for m in row.mentions}
        new = [u for u in told.told if u.id not in before]
        if data.text == row.text and not new:
            return Posted(row, told)  # nothing changes, nothing is recorded
        if data.text != row.text:
            db.session.add(
                CommentVersion(
                    comment_id=row.id,
                    version=row.version,
                    text=row.text,
                    written_at=row.edited_at or row.created_at,
                )
            )
            row.text, row.version, row.edited_at = data.text, row.version + 1, now()
        _keep_mentions(row, new)
        event = audit.record(
            actor,
            "comment.edited",
            "case",
            locked.ref,
            case_id=locked.id,
            details=_details(row, version=row.version, mentioned=len(new)),
        )
        events.comment_posted(locked, row, event, new, privileged=privileged, edited=True)
        db.session.flush()
        db.session.expire(row, ["history", "mentions"])
        return Posted(row, told)

    return run_in_transaction(work)
