"""JSON API routes for precedent and search (registered on the /api/v1 blueprint)."""

from __future__ import annotations

from typing import Any

from flask import g, request
from markupsafe import Markup, escape

from ..api import bp
from ..api.http import listing
from ..api.spec import operation
from ..cases.serialize import iso
from ..schemas import parse
from . import outputs as out
from .inputs import SearchQuery, SimilarQuery
from .search import Hit, search
from .similar import SimilarCase, similar_cases
from .terms import plain, segments

TAG = "precedent"


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
@operation(out.SearchHitList, query=SearchQuery, tag=TAG)
def search_cases():  # noqa: ANN201
    """Full-text search across cases, analyses and decisions you may see, best first"""
    args = parse(SearchQuery, request.args.to_dict())
    hits, total = search(g.actor, args.q, args, args.limit, args.offset)
    return listing([hit_to_dict(h) for h in hits], total)


@bp.get("/cases/<ref>/similar")
@operation(out.SimilarCaseList, query=SimilarQuery, errors=(404,), tag=TAG)
def similar_cases_of(ref: str):  # noqa: ANN201
    """Past cases most like this one, with why each matched"""
    args = parse(SimilarQuery, request.args.to_dict())
    found = similar_cases(g.actor, ref, args.limit)
    return listing([similar_to_dict(c) for c in found], len(found))
