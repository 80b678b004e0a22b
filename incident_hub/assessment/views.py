"""Web pages for assessment: the case page's section, the edit form, and the assessment fields
of the human-rights and legal analysis forms (saved through ``file_analysis``)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.datastructures import MultiDict

from ..actor import Actor
from ..cases.models import Case
from ..cases.queries import get_case
from ..errors import ServiceError
from ..extensions import db
from ..web import form_error, web_actor
from . import salience, vocabulary
from .forms import MARKER, from_form, shown
from .models import Assessment
from .service import (
    BY_FUNCTION,
    CHECKLIST,
    WHOLE,
    authorize_assessment,
    editable_parts,
    save_assessment,
    snapshot,
)

bp = Blueprint("assessment", __name__)


@bp.before_request
@login_required
def require_login() -> None:
    """Every assessment page needs a signed-in user."""


@bp.app_template_filter("salience_band")
def salience_band(value: int | None) -> str | None:
    """``{{ case.salience|salience_band }}``: low · medium · high · critical, or None."""
    return salience.band(value)


@bp.record_once
def _template_globals(state: Any) -> None:
    """``salience_band_labels`` for every template (imported macros included)."""
    state.app.jinja_env.globals["salience_band_labels"] = salience.BAND_LABELS


def _common(case: Case) -> dict[str, Any]:
    return {
        "vocab": vocabulary,
        "salience": case.salience,
        "band": salience.band(case.salience),
        "WHOLE": WHOLE,
        "CHECKLIST": CHECKLIST,
        "marker": MARKER,
    }


def case_section(actor: Actor, case: Case) -> dict[str, Any]:
    """What the case page's assessment section needs (see cases/sections.py)."""
    row = db.session.get(Assessment, case.id)
    return {
        **_common(case),
        "row": row,
        "values": snapshot(row),
        "parts": editable_parts(actor.user),
    }


def analysis_part(case: Case, function_key: str, form: MultiDict | None) -> dict[str, Any]:
    """The assessment fields of a function's analysis form: the whole assessment for the
    human-rights function, Telenor's tests for legal, nothing for the others. ``payload`` is
    what the filing carries (``{"assessment": …}`` when the posted form had the fields)."""
    parts = BY_FUNCTION.get(function_key, frozenset())
    if not parts:
        return {"parts": parts, "payload": {}}
    posted = from_form(form, parts) if form is not None else None
    row = db.session.get(Assessment, case.id)
    return {
        **_common(case),
        "parts": parts,
        "values": shown(row, posted),
        "payload": {} if posted is None else {"assessment": posted},
    }


@bp.route("/cases/<ref>/assessment", methods=["GET", "POST"])
def edit(ref: str):  # noqa: ANN201
    actor = web_actor()
    case = get_case(actor, ref)
    if request.method == "GET":  # the form page asks the service's check; a post, the save
        authorize_assessment(actor, case)
    parts = editable_parts(actor.user)
    posted, error = None, None
    if request.method == "POST":
        posted = from_form(request.form, parts) or {}
        try:
            save_assessment(actor, case.ref, posted)
        except ServiceError as exc:
            error = form_error(exc)
        else:
            flash("Human-rights assessment saved.", "success")
            return redirect(url_for("cases.detail", ref=case.ref, _anchor="assessment-h"))
    row = db.session.get(Assessment, case.id)
    page = render_template(
        "assessment/edit.html",
        case=case,
        row=row,
        values=shown(row, posted),
        parts=parts,
        error=error,
        **_common(case),
    )
    return page, error.status if error else 200
