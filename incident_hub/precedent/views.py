"""Web pages for precedent: the search page, the similar-cases section of the case page and
of the analysis and decision forms, and what happened next after each round of a case."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_required

from .. import validate
from ..actor import Actor
from ..assessment.vocabulary import RIGHTS
from ..cases.models import STATUSES, Case
from ..errors import ServiceError
from ..vocabulary import GOVERNMENT_RESPONSE_LABELS, CaseStatus
from ..web import form_error, web_actor
from ..wording import for_people, readable
from .outcomes import may_record, outcomes_of, set_government_response
from .search import FILTERS, search
from .similar import similar_cases
from .terms import segments

bp = Blueprint("precedent", __name__)
PAGE_SIZE = 20
SECTION_SIZE = 5
FORM_SIZE = 3  # the analysis and decision forms show fewer, compactly


@bp.before_request
@login_required
def require_login() -> None:
    """Every precedent page needs a signed-in user."""


def _similar(actor: Actor, case: Case, size: int) -> dict[str, Any]:
    try:
        found = similar_cases(actor, case.ref, size)
    except ServiceError as exc:
        return {"similar": [], "error": readable(exc)}
    return {"similar": found, "error": None}


def case_section(actor: Actor, case: Case) -> dict[str, Any]:
    """What the case page's precedent sections need (see cases/sections.py): the similar
    cases, this case's recorded outcomes, and the rounds the viewer may record one for (an
    earlier round, or the current one once closed)."""
    finished = list(range(1, case.round if case.status != CaseStatus.CLOSED else case.round + 1))
    return _similar(actor, case, SECTION_SIZE) | {
        "outcomes": outcomes_of(case),
        "record_rounds": finished if may_record(actor) else [],
        "responses": GOVERNMENT_RESPONSE_LABELS,
    }


def form_section(actor: Actor, case: Case) -> dict[str, Any]:
    """What the analysis and decision forms show of precedent: the few most similar cases."""
    return _similar(actor, case, FORM_SIZE)


@bp.post("/cases/<ref>/government-response")
def record_government_response(ref: str) -> ResponseReturnValue:
    """Record or correct what the government did next after a round, from the case page."""
    raw = {k: request.form.get(k, "") for k in ("government_response", "note", "lesson", "round")}
    try:
        set_government_response(web_actor(), ref, raw)
    except ServiceError as exc:
        flash(form_error(exc).message, "error")
    else:
        flash("What happened next is recorded.", "success")
    return redirect(url_for("cases.detail", ref=ref, _anchor="outcome-h"))


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
