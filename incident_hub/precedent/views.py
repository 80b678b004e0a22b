"""Web pages for precedent: the search page, and the similar-cases section of the case page."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import login_required

from .. import validate
from ..actor import Actor
from ..assessment.vocabulary import RIGHTS
from ..cases.models import STATUSES, Case
from ..errors import ServiceError
from ..web import web_actor
from ..wording import for_people, readable
from .search import FILTERS, search
from .similar import similar_cases
from .terms import segments

bp = Blueprint("precedent", __name__)
PAGE_SIZE = 20
SECTION_SIZE = 5


@bp.before_request
@login_required
def require_login() -> None:
    """Every precedent page needs a signed-in user."""


def case_section(actor: Actor, case: Case) -> dict[str, Any]:
    """What the case page's precedent section needs (see cases/sections.py)."""
    try:
        found = similar_cases(actor, case.ref, SECTION_SIZE)
    except ServiceError as exc:
        return {"similar": [], "error": readable(exc)}
    return {"similar": found, "error": None}


@bp.get("/search")
def search_page() -> ResponseReturnValue:
    values = {name: request.args.get(name, "") for name in ("q", *FILTERS)}
    page = validate.page_number(request.args.get("page", type=int), PAGE_SIZE)
    hits: list[Any] = []
    total, error = 0, None
    if values["q"].strip():
        try:
            hits, total = search(
                web_actor(), values["q"], values, PAGE_SIZE, (page - 1) * PAGE_SIZE
            )
        except ServiceError as exc:
            error = for_people(exc)
    shown = {name: value for name, value in values.items() if value}
    html = render_template(
        "precedent/search.html",
        values=values,
        shown=shown,
        error=error,
        searched=bool(values["q"].strip()) and error is None,
        results=[(hit, segments(hit.snippet)) for hit in hits],
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        statuses=STATUSES,
        rights=RIGHTS,
    )
    return html, error.status if error else 200
