"""JSON API routes for precedent and search (registered on the /api/v1 blueprint)."""

from __future__ import annotations

from typing import Any

from flask import g, jsonify, request
from markupsafe import Markup, escape

from ..api import bp
from ..api.http import body, listing
from ..api.spec import operation
from ..cases.outputs import GovernmentResponse
from ..cases.serialize import iso
from ..schemas import parse
from . import outputs as out
from .inputs import RecordGovernmentResponse, SearchQuery, SimilarQuery
from .outcomes import outcome_to_dict, set_government_response
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
        **response_fields(hit.response),
    }


def response_fields(response: dict[str, Any] | None) -> dict[str, Any]:
    """What happened next (the latest round recorded), as the precedent answers carry it."""
    if response is None:
        return {
            "government_response": None,
            "government_response_title": None,
            "government_response_note": "",
            "lesson": "",
            "response_round": None,
            "response_recorded_at": None,
        }
    return {
        "government_response": response["government_response"],
        "government_response_title": response["title"],
        "government_response_note": response["note"],
        "lesson": response["lesson"],
        "response_round": response["round"],
        "response_recorded_at": iso(response["recorded_at"]),
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
        **response_fields(case.response),
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


@bp.put("/cases/<ref>/government-response")
@operation(GovernmentResponse, body=RecordGovernmentResponse, errors=(400, 403, 404, 409), tag=TAG)
def put_government_response(ref: str):  # noqa: ANN201
    """Record or correct what the government did next, and the lesson (admins, executives)

    For the current round once the case is closed, or for an earlier `round` of a reopened
    case; recording again replaces it (the audit trail keeps what it replaced). 409: the
    round is still open."""
    _case, row = set_government_response(g.actor, ref, body())
    return jsonify(outcome_to_dict(row))
