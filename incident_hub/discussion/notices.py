"""Who hears of a comment: the people it mentions, and the leads of the function it asks.

Through the case's notices (:func:`..cases.notices._to_users`: one notice per person, each
person once, to Slack or by e-mail as they chose), keyed to the comment's audit event. The
comment's words go to Slack escaped (``<!channel>`` arrives as text, never as a mention) and
cut; a secret case's notice carries its reference alone (``case_message``), and a comment in a
privileged thread is never quoted: its notice says only where to read it.
"""

from __future__ import annotations

from ..audit.models import AuditEvent
from ..auth import permissions as perm
from ..auth.models import User
from ..cases.members import assigned_leads
from ..cases.models import Case
from ..cases.notices import _to_users
from ..notify.messages import case_message
from ..playbooks import registry
from ..vocabulary import NoticeKind
from .models import Comment

QUOTE = 600  # characters of the comment quoted in a notice (escaped and cut again there)


def _where(comment: Comment) -> str:
    if not comment.function_key:
        return "on the case"
    return f"on the {registry().function_title(comment.function_key)} analysis"


def _detail(comment: Comment, author: User, privileged: bool) -> str:
    if privileged:
        return "The comment is privileged: read it in Incident Hub."
    quoted = comment.text if len(comment.text) <= QUOTE else comment.text[: QUOTE - 1] + "…"
    return f"{author.name} wrote: {quoted}"


def comment_posted(
    case: Case,
    comment: Comment,
    event: AuditEvent,
    mentioned: list[User],
    *,
    privileged: bool,
    edited: bool = False,
) -> None:
    """Tell the people ``mentioned`` (already checked: they may read it) and, for a new
    comment asking a function, that function's assigned leads who may read it."""
    author = comment.author
    name = author.name
    detail = _detail(comment, author, privileged)
    headline = f"{name} mentioned you in a comment {_where(comment)}"
    told = _to_users(
        NoticeKind.COMMENT_MENTION,
        case,
        event,
        mentioned,
        case_message(case, headline, detail=detail),
        exclude={comment.author_id},
        tag=f"comment-{comment.id}",
    )
    if edited or not comment.to_function:
        return
    leads = [
        u
        for u in assigned_leads(case).get(comment.to_function, [])
        if perm.can_view_case(u, case) and (not privileged or perm.can_read_privileged(u, case))
    ]
    title = registry().function_title(comment.to_function)
    question = f"{name} asks {title} a question {_where(comment)}"
    _to_users(
        NoticeKind.COMMENT_QUESTION,
        case,
        event,
        leads,
        case_message(case, question, detail=detail),
        exclude={comment.author_id, *told},
        tag=f"comment-{comment.id}",
    )
