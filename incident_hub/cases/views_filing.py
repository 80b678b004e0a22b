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
from ..playbooks import PlaybookFunction, registry
from ..precedent.views import form_section as precedent_section
from ..vocabulary import AssignmentStatus
from ..web import form_error, web_actor
from . import analyses, completeness, draft_filings, drafts, queries, service
from .draft_filings import AnalysisDraft
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
    kept = draft_filings.drafts_of(case).get(function)  # newer than any filed version
    may_read = perm.can_read_privileged(current_user, case)
    if previous is not None and previous.privileged and not may_read:
        previous = None  # legal advice the filer may not read is not put in the form
    if kept is not None and kept.privileged and not may_read:
        kept = None
    start = kept or previous  # what the form starts from when nothing was typed
    started = (start.answers or {}) if start else {}
    posted = request.form if request.method == "POST" else drafts.as_form(draft)
    form = posted if posted is not None else MultiDict()
    assessment = assessment_views.analysis_part(case, function, posted)  # human rights, legal
    values = {
        "analysis": form.get("analysis", start.text if start else ""),
        "recommendation": form.get("recommendation", start.recommendation if start else ""),
        "answers": {
            q.key: form.get(f"answer-{q.key}", started.get(q.key, "")) for q in spec.questions
        },
    }
    privileged = (
        form.get("privileged") == "on" if posted is not None else bool(start and start.privileged)
    )
    error = None
    if request.method == "POST":
        try:
            result = analyses.file_analysis(
                actor,
                case.ref,
                {"function": function, **values, **assessment["payload"], "privileged": privileged}
                | {"draft": request.form.get("save") == "draft"},
            )
        except ServiceError as exc:
            error = form_error(exc)
        else:
            return _filed(case.ref, function, spec, result)
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
        precedent=precedent_section(actor, case),
        completeness=_completeness(spec, values["answers"], kept, case, function),
    )


def _filed(ref: str, function: str, spec: PlaybookFunction, result: Any):  # noqa: ANN202
    """Where a submitted analysis goes: filed, or kept as a draft, back to the case; a draft
    that leaves required questions open comes back to the form, naming them."""
    title = registry().function_title(function)
    if not isinstance(result, AnalysisDraft):
        flash(f"{title} analysis filed.", "success")
        return redirect(url_for("cases.detail", ref=ref))
    done = completeness.of(spec, result.answers)
    if done.missing_required:
        flash(
            f"{title} analysis saved as a draft, not filed ({done.label}). Still to answer "
            f"before it counts as filed: {completeness.titles(done.missing_required)}.",
            "error",
        )
        return redirect(url_for("cases.analysis_form", ref=ref, function=function))
    flash(f"{title} analysis saved as a draft ({done.label}): file it when it is ready.", "success")
    return redirect(url_for("cases.detail", ref=ref))


def _completeness(
    spec: PlaybookFunction,
    answers: Any,
    kept: AnalysisDraft | None,
    case: Any,
    function: str,
) -> dict[str, Any]:
    """What the form says about its questions: which are required, which the shown answers
    leave open (marked once the function has a draft filing)."""
    done = completeness.of(spec, answers)
    assignment = next((a for a in case.assignments if a.function_key == function), None)
    return {
        "required": any(q.required for q in spec.questions),
        "done": done,
        "missing": {q.key for q in done.missing_required},
        "missing_titles": completeness.titles(done.missing_required),
        "kept": kept,
        "show_missing": kept is not None
        or (assignment is not None and assignment.status == AssignmentStatus.DRAFT),
    }


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
        precedent=precedent_section(actor, case),
    )
