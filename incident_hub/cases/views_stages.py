"""The case page's "The law's timeline" section: the dated stages of the case's law, and the
form that records a new one (for those :func:`.stages.authorize_stage` lets). The service is
:mod:`.stages`."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, request, url_for
from flask.typing import ResponseReturnValue

from ..actor import Actor
from ..auth import permissions as perm
from ..errors import ServiceError
from ..vocabulary import stage_label
from ..web import form_error, web_actor
from . import stages
from .models import STAGES, Case
from .views import bp

FIELDS = ("stage", "dated", "source_url", "note")


def case_section(actor: Actor, case: Case) -> dict[str, Any]:
    """The section's context: the stages, oldest first, and whether the viewer may add one."""
    return {
        "rows": stages.stages_of(case),
        "can_add": perm.can_record_stage(actor.user, case),
        "choices": [(key, stage_label(key)) for key in STAGES],
    }


@bp.post("/cases/<ref>/stages")
def add_stage(ref: str) -> ResponseReturnValue:
    """Record a stage from the case page; a refusal or a bad value comes back to the page,
    with the form unfolded and the message."""
    data = {k: request.form.get(k, "") for k in FIELDS}
    try:
        row = stages.add_stage(web_actor(), ref, data)
    except ServiceError as exc:  # a refusal or a hidden case: the error page (form_error)
        flash(form_error(exc).message, "error")
        return redirect(url_for("cases.detail", ref=ref, form="stages", _anchor="stage-stage"))
    flash(f"{stage_label(row.stage)} from {row.dated:%d %b %Y} recorded.", "success")
    return redirect(url_for("cases.detail", ref=ref, _anchor="stages-h"))
