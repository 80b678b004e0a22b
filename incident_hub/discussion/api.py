"""JSON API routes for comments (registered on the /api/v1 blueprint)."""

from __future__ import annotations

from flask import g, jsonify, request

from ..api import bp
from ..api.http import body, listing
from ..api.spec import operation
from . import outputs as out
from . import service
from .inputs import CommentFilters, EditComment, NewComment
from .serialize import comment_to_dict, posted_to_dict


@bp.get("/cases/<ref>/comments")
@operation(out.CommentList, query=CommentFilters, errors=(404,))
def list_comments(ref: str):  # noqa: ANN201
    """The case's comments you may read, oldest first (`function`: one analysis thread;
    `case`: the case's own); each with its earlier texts"""
    _case, rows = service.list_comments(g.actor, ref, request.args.to_dict())
    return listing([comment_to_dict(c, g.actor.user) for c in rows], len(rows))


@bp.post("/cases/<ref>/comments")
@operation(out.PostedComment, status=201, body=NewComment, errors=(400, 403, 404))
def add_comment(ref: str):  # noqa: ANN201
    """Comment on the case, or in a function's analysis thread (`function`); `to_function`
    asks that function a question. Mentioned people (`@alice@example.org` in the text, or
    `mentions`) who may read the comment are told; `not_notified` lists the others and why"""
    posted = service.add_comment(g.actor, ref, body())
    response = jsonify(posted_to_dict(posted.comment, posted.mentioned, g.actor.user))
    response.status_code = 201
    return response


@bp.patch("/cases/<ref>/comments/<comment_id>")
@operation(out.PostedComment, body=EditComment, errors=(400, 403, 404, 409))
def edit_comment(ref: str, comment_id: str):  # noqa: ANN201
    """Edit your comment within [CASES] COMMENT_EDIT_MINUTES of posting (409 after: it is
    locked); the earlier text is kept in its history"""
    posted = service.edit_comment(g.actor, ref, comment_id, body())
    return jsonify(posted_to_dict(posted.comment, posted.mentioned, g.actor.user))
