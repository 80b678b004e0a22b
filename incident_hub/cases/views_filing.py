"""The two filing forms of a case: a function's analysis, and the executives' decision
(routes on the cases blueprint, :mod:`.views`). Each keeps what was typed through refusals,
re-authentication and expired sessions (drafts, :mod:`.drafts`)."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from ..assessment import views as assessment_views
from ..auth import permissions as perm
from ..auth.sessions import is_recent as is_recent_sign_in
from ..errors import ReauthRequired, ServiceError
from ..playbooks import registry
from ..web import form_error, web_actor
from . import analyses, drafts, queries, service
from .views import _form, bp


@bp.route("/cases/<ref>/analysis/<function>", methods=["GET", "POST"])
def analysis_form(ref: str, function: str):  # noqa: ANN201
    actor = web_actor()
    case = queries.get_case(actor, ref)
    playbook = service.case_playbook(case)  # with the functions added to the case
    spec = playbook.function(function) if playbook else None
    if spec is None:
        abort(404, f"{function} is not part of this case's playbook.")
    if request.method == "GET":  # a finished case refuses here, before anything is typed
        analyses.authorize_analysis(actor, case, function)
    key = f"analysis:{case.ref}:{function}"
    draft = drafts.find_draft(actor, key) if request.method == "GET" else None
    previous = case.current_analyses().get(function)
    if (
        previous is not None
        and previous.privileged
        and not perm.can_read_privileged(current_user, case)
    ):
        previous = None  # legal advice the filer may not read is not put in the form
    posted = request.form if request.method == "POST" else drafts.as_form(draft)
    form = posted if posted is not None else MultiDict()
    assessment = assessment_views.analysis_part(case, function, posted)  # human rights, legal
    values = {
        "analysis": form.get("analysis", previous.text if previous else ""),
        "recommendation": form.get("recommendation", previous.recommendation if previous else ""),
        "answers": {
            q.key: form.get(
                f"answer-{q.key}", (previous.answers or {}).get(q.key, "") if previous else ""
            )
            for q in spec.questions
        },
    }
    privileged = (
        form.get("privileged") == "on"
        if posted is not None
        else bool(previous and previous.privileged)
    )
    error = None
    if request.method == "POST":
        try:
            analyses.file_analysis(
                actor,
                case.ref,
                {"function": function, **values, **assessment["payload"], "privileged": privileged},
            )
        except ServiceError as exc:
            error = form_error(exc)
        else:
            flash(f"{registry().function_title(function)} analysis filed.", "success")
            return redirect(url_for("cases.detail", ref=case.ref))
    return _form(
        "cases/analysis_form.html",
        error,
        case=case,
        playbook=playbook,
        spec=spec,
        values=values,
        previous=previous,
        privileged=privileged,
        assessment=assessment,
        draft=_draft_note(key, draft),
    )


def _draft_note(key: str, draft: Any) -> dict[str, Any]:
    """What a form page says about its draft: where autosave posts, and the restored one."""
    return {
        "key": key,
        "save_url": url_for("cases.save_draft", form=key),
        "discard_url": url_for("cases.discard_draft", form=key, next=request.path),
        "restored_at": drafts.label(draft.updated_at) if draft is not None else None,
    }


@bp.route("/cases/<ref>/decision", methods=["GET", "POST"])
def decision_form(ref: str):  # noqa: ANN201
    actor = web_actor()
    case = queries.get_case(actor, ref)
    if request.method == "GET":  # a decided or closed case refuses here, before any typing
        service.authorize_decision(actor, case)
    key = f"decision:{case.ref}"
    draft = drafts.find_draft(actor, key) if request.method == "GET" else None
    form = request.form if request.method == "POST" else (drafts.as_form(draft) or MultiDict())
    values: dict[str, Any] = {k: form.get(k, "") for k in ("option", "rationale", "conditions")}
    values["override"] = form.get("override") == "on"
    error = None
    reauth = url_for("auth.reauth", next=url_for("cases.decision_form", ref=case.ref))
    if request.method == "GET" and not is_recent_sign_in(actor):
        return redirect(reauth)  # before anything is typed; record_decision enforces it
    if request.method == "POST":
        try:
            service.record_decision(actor, case.ref, values)
        except ReauthRequired:
            kept = drafts.keep_posted(actor, key, request.form)
            flash(
                "Confirm it is you, then record the decision"
                + (": what you typed is kept." if kept else " again."),
                "info",
            )
            return redirect(reauth)
        except ServiceError as exc:
            error = form_error(exc)
        else:
            flash(f"Decision recorded on {case.ref}.", "success")
            return redirect(url_for("cases.detail", ref=case.ref))
    return _form(
        "cases/decision_form.html",
        error,
        case=case,
        playbook=registry().get(case.playbook_key),
        values=values,
        current=case.current_analyses(),
        draft=_draft_note(key, draft),
    )
