"""Filing a function's analysis: who may, what it answers, how often it may be re-filed.

One service function for every door (web form, JSON API, CLI, demo); filing the last required
analysis moves the case to its decision (:func:`.service.advance_if_complete`). A filing that
leaves a required playbook question without a real answer (:mod:`.completeness`), or that asks
to be a draft, is kept as the function's draft filing (:mod:`.draft_filings`): the function is
``draft``, not filed, and the case does not move.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app

from ..actor import Actor
from ..assessment.service import save_from_analysis
from ..audit import service as audit
from ..auth import permissions as perm
from ..clock import now
from ..errors import Conflict, Invalid, TooManyRequests
from ..extensions import db
from ..playbooks import registry
from ..precedent import index as search_index
from ..schemas import parse
from ..transaction import deny, run_in_transaction
from ..vocabulary import UNDECIDED, AssignmentStatus
from . import assignees, completeness, draft_filings, drafts, members
from . import notices as events
from .draft_filings import AnalysisDraft
from .inputs import FileAnalysis
from .models import Analysis, Case
from .queries import get_case
from .service import Raw, _status, _titles, advance_if_complete, playbook_of, refuse_if_finished


def _analysis_answers(raw: dict[str, str], questions: dict[str, str]) -> dict[str, str]:
    """Map answers keyed by question key (or by the question's text) to question keys."""
    by_text = {text: key for key, text in questions.items()}
    out: dict[str, str] = {}
    for key, answer in raw.items():
        qkey = key if key in questions else by_text.get(key)
        if qkey is None:
            raise Invalid(
                f"unknown question {key!r} (questions: {', '.join(questions)})",
                field="answers",
                web="Answers: one of the questions is not part of this playbook",
            )
        if answer:
            out[qkey] = answer
    return out


def authorize_analysis(actor: Actor, case: Case, function_key: str) -> None:
    """Refuse (audited) unless ``actor`` leads ``function_key`` or is named on its assignment
    (its owner or a delegate, :mod:`.assignees`): the check :func:`file_analysis` makes, and
    what the web form asks before showing itself."""
    if not (
        perm.can_file_for(actor.user, function_key)
        or assignees.may_file(actor.user, case, function_key)
    ):
        raise deny(
            actor,
            "analysis.file",
            "case",
            case.ref,
            f"only a lead of {registry().function_title(function_key)} can file its analysis",
        )
    refuse_if_finished(case, "analyses can no longer be filed")


def _check_refile_rate(case: Case, function_key: str, previous: list[Analysis]) -> None:
    """At most [LIMITS] REFILE_PER_HOUR re-filings of one function's analysis on one case in
    any hour (429): every version is kept and shown, so unlimited re-filing would grow the case
    page without bound. Checked on the locked case, so racing filings cannot pass it together."""
    limit = current_app.config["LIMITS"]["REFILE_PER_HOUR"]
    since = now() - timedelta(hours=1)
    refiled = [a for a in previous if a.version > 1 and a.filed_at > since]
    if previous and len(refiled) >= limit:
        raise TooManyRequests(
            f"{function_key}'s analysis was re-filed {len(refiled)} times on {case.ref} in the "
            f"last hour, the most allowed ([LIMITS] REFILE_PER_HOUR): wait before filing again",
            field="analysis",
        )


def _keep_draft(
    actor: Actor, case: Case, data: FileAnalysis, answers: dict[str, str]
) -> AnalysisDraft:
    """Keep the submission as the function's draft filing (inside the case's lock): the
    function is ``draft`` until a complete filing (a filed one stays filed while its revision
    is drafted), nobody is notified, the case does not move."""
    user = actor.require_user()
    draft = draft_filings.save(
        case,
        data.function,
        user,
        text=data.analysis,
        answers=answers,
        recommendation=data.recommendation,
        privileged=data.privileged,
    )
    members.ensure_assigned(case, user, data.function)
    assignment = next(a for a in case.assignments if a.function_key == data.function)
    if assignment.status == AssignmentStatus.PENDING:
        assignment.status = AssignmentStatus.DRAFT
    done = completeness.of(playbook_of(case).function(data.function), answers)
    audit.record(
        actor,
        "analysis.drafted",
        "case",
        case.ref,
        case_id=case.id,
        details={
            "function": data.function,
            "answered": done.count,
            "questions": done.total,
            "missing": [q.key for q in done.missing_required],
        }
        | ({"asked": True} if data.draft else {}),
    )
    if data.assessment is not None:  # the assessment is kept as typed, like the answers
        save_from_analysis(actor, case, data.function, data.assessment)
    drafts.forget(user.id, f"analysis:{case.ref}:{data.function}")  # all of it is kept here
    return draft


def file_analysis(actor: Actor, ref: str, raw: FileAnalysis | Raw) -> Analysis | AnalysisDraft:
    """File (or re-file) a function's analysis and recommendation.

    Re-filing keeps earlier versions; when every required function has filed, the case moves
    to ``awaiting_decision``. Re-filing is capped per hour (:func:`_check_refile_rate`). A
    filing with a required question unanswered, or with ``draft``, is kept as the function's
    draft filing instead (:func:`_keep_draft`) and returned as such.
    """
    case = get_case(actor, ref)
    playbook = playbook_of(case)
    data = parse(FileAnalysis, raw)  # first: the function named decides who may file
    function_key = data.function
    spec = playbook.function(function_key)
    if spec is None:
        raise Invalid(
            f"function {function_key!r} is not part of the {playbook.title} playbook "
            f"(functions: {', '.join(f.key for f in playbook.functions)})",
            field="function",
            web=f"The {playbook.title} playbook has no such function: choose one of "
            f"{_titles(registry().function_title(f.key) for f in playbook.functions)}",
        )
    authorize_analysis(actor, case, function_key)
    text, option = data.analysis, data.recommendation
    if playbook.option(option) is None:
        raise Invalid(
            f"recommendation must be one of the playbook's options: "
            f"{', '.join(o.key for o in playbook.options)}",
            field="recommendation",
            web=f"Recommendation: choose one of {_titles(o.title for o in playbook.options)}",
        )
    answers = _analysis_answers(data.answers, {q.key: q.text for q in spec.questions})
    assessment_data = data.assessment
    as_draft = data.draft or not completeness.of(spec, answers).complete

    def work() -> Analysis | AnalysisDraft:
        locked = get_case(actor, ref, for_update=True)
        if locked.status not in UNDECIDED:
            raise Conflict(
                f"{locked.ref} is {locked.status}: analyses can no longer be filed",
                web=f"{locked.ref} is {_status(locked)}: analyses can no longer be filed",
            )
        if as_draft:
            return _keep_draft(actor, locked, data, answers)
        previous = [a for a in locked.analyses if a.function_key == function_key]
        _check_refile_rate(locked, function_key, previous)
        for old in previous:
            old.current = False
        analysis = Analysis(
            case=locked,
            function_key=function_key,
            author_id=actor.require_user().id,
            text=text,
            answers=answers,
            recommendation=option,
            version=max((a.version for a in previous), default=0) + 1,
            round=locked.round,
            filed_at=now(),
            privileged=data.privileged,
        )
        db.session.add(analysis)
        members.ensure_assigned(locked, actor.require_user(), function_key)
        assignment = next(a for a in locked.assignments if a.function_key == function_key)
        assignment.status, assignment.filed_at = AssignmentStatus.FILED, analysis.filed_at
        event = audit.record(
            actor,
            "analysis.filed",
            "case",
            locked.ref,
            case_id=locked.id,
            # a privileged analysis's recommendation is legal advice: not in the case's timeline
            details={"function": function_key, "version": analysis.version}
            | ({"privileged": True} if data.privileged else {"recommendation": option}),
        )
        db.session.flush()
        if assessment_data is not None:  # the human-rights form also fills the assessment
            save_from_analysis(actor, locked, function_key, assessment_data)
        events.analysis_filed(locked, analysis, event)  # after: its urgency uses the salience
        search_index.refresh(locked)
        advance_if_complete(actor, locked)
        draft_filings.drop(locked, function_key)
        drafts.forget(analysis.author_id, f"analysis:{locked.ref}:{function_key}")
        return analysis

    return run_in_transaction(work)
