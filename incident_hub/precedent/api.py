"""JSON API routes for precedent and search (registered on the /api/v1 blueprint)."""

from __future__ import annotations

from typing import Any

from flask import g, request
from markupsafe import Markup, escape

from .. import validate
from ..api import bp
from ..api.http import listing
from ..cases.serialize import iso
from .search import FILTERS, Hit, search
from .similar import SimilarCase, similar_cases
from .terms import plain, segments


def snippet_html(snippet: str) -> Markup:
    """The snippet as HTML: every piece of text escaped, the hits inside <mark>."""
    return Markup("").join(
        Markup("<mark>%s</mark>") % part if hit else escape(part) for part, hit in segments(snippet)
    )


def hit_to_dict(hit: Hit) -> dict[str, Any]:
    return {
        "ref": hit.ref,
        "title": hit.title,
        "status": hit.status,
        "playbook": hit.playbook,
        "jurisdiction": hit.jurisdiction,
        "restricted": hit.restricted,
        "opened_at": iso(hit.opened_at),
        "rank": hit.rank,
        "snippet": plain(hit.snippet),
        "snippet_html": str(snippet_html(hit.snippet)),
    }


def similar_to_dict(case: SimilarCase) -> dict[str, Any]:
    decision = case.decision
    return {
        "ref": case.ref,
        "title": case.title,
        "score": case.score,
        "reasons": case.reasons,
        "decision": None
        if decision is None
        else {**decision, "decided_at": iso(decision["decided_at"])},
        "outcome": {
            "status": case.status,
            "actions_done": case.actions["done"],
            "actions_waived": case.actions["waived"],
            "actions_total": case.actions["total"],
        },
        "status": case.status,
        "playbook": case.playbook,
        "jurisdiction": case.jurisdiction,
        "restricted": case.restricted,
        "opened_at": iso(case.opened_at),
    }


@bp.get("/search")
def search_cases():  # noqa: ANN201
    limit, offset = validate.page(request.args.get("limit"), request.args.get("offset"))
    filters = {name: request.args.get(name) for name in FILTERS}
    hits, total = search(g.actor, request.args.get("q"), filters, limit, offset)
    return listing([hit_to_dict(h) for h in hits], total)


@bp.get("/cases/<ref>/similar")
def similar_cases_of(ref: str):  # noqa: ANN201
    found = similar_cases(g.actor, ref, request.args.get("limit"))
    return listing([similar_to_dict(c) for c in found], len(found))
