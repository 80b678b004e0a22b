"""JSON API route for the outbox (registered on the /api/v1 blueprint)."""

from __future__ import annotations

from flask import g, request

from ..api import bp
from ..api.http import listing
from ..api.spec import operation
from .inputs import NoticeFilters
from .outputs import NoticeList
from .queries import list_notices, notice_to_dict


@bp.get("/notices")
@operation(NoticeList, query=NoticeFilters, errors=(403,), tag="notices")
def notices():  # noqa: ANN201
    """The Slack outbox with status, attempts and Slack ts (admin)"""
    rows, total = list_notices(g.actor, request.args.to_dict())
    return listing([notice_to_dict(n) for n in rows], total)
