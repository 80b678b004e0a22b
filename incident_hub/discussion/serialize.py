"""The public JSON shape of comments (API and CLI)."""

from __future__ import annotations

from typing import Any

from ..clock import iso
from .mentions import Mentioned
from .models import Comment
from .service import can_edit, editable_until


def comment_to_dict(comment: Comment, viewer: Any = None) -> dict[str, Any]:
    """One comment, with every earlier text it had (oldest first)."""
    return {
        "id": comment.id,
        "function": comment.function_key or None,
        "to_function": comment.to_function or None,
        "author": comment.author.email,
        "author_name": comment.author.name,
        "text": comment.text,
        "privileged": comment.privileged,
        "analysis_version": comment.analysis_version,
        "round": comment.round,
        "version": comment.version,
        "created_at": iso(comment.created_at),
        "edited_at": iso(comment.edited_at),
        "editable_until": iso(editable_until(comment)),
        "editable": can_edit(viewer, comment),
        "mentioned": sorted(m.user.email for m in comment.mentions),
        "history": [
            {"version": v.version, "text": v.text, "written_at": iso(v.written_at)}
            for v in comment.history
        ],
    }


def posted_to_dict(comment: Comment, mentioned: Mentioned, viewer: Any = None) -> dict[str, Any]:
    """A comment just posted or edited, and whom it told or did not (and why)."""
    return comment_to_dict(comment, viewer) | {
        "notified": [u.email for u in mentioned.told],
        "not_notified": [{"address": a, "reason": why} for a, why in mentioned.not_told],
    }
