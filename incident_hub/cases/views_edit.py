"""The intake edit page (``/cases/<ref>/edit``): the form prefilled with the case as it is,
the version read as a hidden field. Only the fields that differ from the case are sent to
:func:`.editing.edit_case`, which checks permission, validity and the version. A stale form
(the case changed since it was opened) keeps what was typed, says so, lists what is on the
case now, and carries the current version: saving again then replaces those values."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from .. import countries
from ..errors import ServiceError
from ..web import form_error, web_actor
from . import editing, queries
from .changes import LABELS
from .models import STAGES, Case
from .views import bp

TEXTS = ("title", "summary", "instrument", "authority", "legal_basis")
MOMENT = "%Y-%m-%dT%H:%M"  # the form's datetime-local value, in UTC
SPARE = 2  # empty jurisdiction fields offered below the case's own


def _values(case: Case) -> dict[str, Any]:
    """The form's fields as the case has them."""
    values: dict[str, Any] = {k: getattr(case, k) or "" for k in TEXTS}
    values["jurisdictions"] = [countries.country_name(c) for c in case.jurisdictions]
    values["stage"] = case.stage or ""
    values["effective_date"] = case.effective_date.isoformat() if case.effective_date else ""
    deadline = case.response_deadline
    values["response_deadline"] = deadline.strftime(MOMENT) if deadline else ""
    values["gag_order"] = bool(case.gag_order)
    return values


def _text(value: Any) -> str:
    """A form value as the stale-form notice lists it."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return ", ".join(value) if isinstance(value, list) else str(value)


def _posted(current: dict[str, Any]) -> dict[str, Any]:
    """The form as posted; a field the post leaves out keeps the case's value (the gag order
    box is sent with a hidden "off" before it, so that an unticked box is still sent)."""
    form = request.form
    values = dict(current)
    for key in (*TEXTS, "stage", "effective_date", "response_deadline"):
        if key in form:
            values[key] = form.get(key, "")
    if "jurisdictions" in form:
        values["jurisdictions"] = [v.strip() for v in form.getlist("jurisdictions") if v.strip()]
    if "gag_order" in form:
        values["gag_order"] = "on" in form.getlist("gag_order")
    return values


@bp.route("/cases/<ref>/edit", methods=["GET", "POST"])
def edit_case(ref: str) -> ResponseReturnValue:
    actor = web_actor()
    case = queries.get_case(actor, ref)
    editing.authorize_edit(actor, case)  # audited 403 before the form is shown
    current = _values(case)
    values, version = current, case.version
    read_version = case.version
    error, now_on_case = None, []
    if request.method == "POST":
        values = _posted(current)
        sent = {k: v for k, v in values.items() if v != current.get(k)}
        read = request.form.get("version", "")
        try:
            edited = editing.edit_case(actor, case.ref, sent | {"version": read or None})
        except editing.StaleVersion as exc:
            error, version = form_error(exc), exc.current
            now_on_case = [(LABELS[k], _text(v)) for k, v in current.items() if v != values[k]]
        except ServiceError as exc:
            error = form_error(exc)
            version = int(read) if read.isdigit() else case.version
        else:
            changed = edited.version != read_version
            flash(f"{case.ref}: intake saved." if changed else "Nothing changed.", "success")
            return redirect(url_for("cases.detail", ref=case.ref, _anchor="intake-h"))
    slots = values["jurisdictions"] + [""] * SPARE
    html = render_template(
        "cases/edit.html",
        case=case,
        values=values,
        jurisdiction_slots=slots,
        version=version,
        stages=STAGES,
        error=error,
        now_on_case=now_on_case,
    )
    return html, error.status if error else 200
