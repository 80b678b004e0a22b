"""JSON API routes for cases and playbooks (registered on the /api/v1 blueprint): thin
wrappers that read the request, call one service function and shape the answer."""

from __future__ import annotations

from typing import Any

from flask import g, jsonify, request

from ..api import bp
from ..api.errors import error_response
from ..api.http import body, listing, sent_json
from ..api.spec import operation
from ..assessment.serialize import case_fields, salience_fields
from ..clock import iso
from ..errors import BadRequest
from ..playbooks import playbook_to_dict, registry
from ..precedent.outcomes import case_fields as outcome_fields
from . import (
    admin_actions,
    analyses,
    assignees,
    case_functions,
    drafts,
    editing,
    following,
    members,
    queries,
    stages,
)
from . import outputs as out
from . import service as cases
from .assign_inputs import AddFunction, ChangeAssignees, ChangePlaybook
from .inputs import (
    AddMember,
    AddStage,
    CaseFilters,
    CloseCase,
    EditCase,
    FileAnalysis,
    LiftRestriction,
    Note,
    OpenCase,
    RecordDecision,
    Reopen,
    RequiredNote,
)
from .models import Draft
from .rounds import rounds_to_dicts
from .serialize import case_summary, case_to_dict, members_to_dicts, stages_to_dicts


def case_json(case: Any) -> dict[str, Any]:
    """The case as the API shows it: with its salience and human-rights assessment."""
    return case_to_dict(case, g.actor.user) | case_fields(case) | outcome_fields(case)


@bp.get("/playbooks")
@operation(out.PlaybookList)
def list_playbooks():  # noqa: ANN201
    """Installed playbooks"""
    reg = registry()
    items = [playbook_to_dict(p, reg.functions) for p in reg.playbooks.values()]
    return listing(items, len(items))


@bp.get("/cases")
@operation(out.CaseList, query=CaseFilters)
def list_cases():  # noqa: ANN201
    """Cases visible to you, most salient first, then newest (sort=newest: newest first)

    X-Total-Count gives the total number of cases the filters match."""
    rows, total = queries.list_cases(g.actor, request.args.to_dict())
    return listing([case_summary(c) | salience_fields(c) for c in rows], total)


@bp.post("/cases")
@operation(out.Case, status=201, body=OpenCase, errors=(400, 403, 404, 409))
def open_case():  # noqa: ANN201
    """Open a case from a playbook (triagers, admins)

    404: an alert in alert_ids does not exist; 409: it was already triaged."""
    case = cases.open_case(g.actor, body())
    response = jsonify(case_json(case))
    response.status_code = 201
    response.headers["Location"] = f"/api/v1/cases/{case.ref}"
    return response


def etag(version: int) -> str:
    """A case's ETag: its version, quoted (``If-Match`` sends it back when editing)."""
    return f'"{version}"'


def _if_match() -> int | None:
    """The version an ``If-Match`` header names (``"3"``, ``W/"3"``), None without one (or
    ``*``); 400 when it names no version of a case."""
    sent = request.headers.get("If-Match", "").strip()
    if not sent or sent == "*":
        return None
    tag = sent.removeprefix("W/").strip().strip('"')
    if not tag.isdigit() or len(tag) > 9:
        raise BadRequest('If-Match must be the ETag of the case as you read it, like "3"')
    return int(tag)


def _with_etag(case: Any):  # noqa: ANN202
    response = jsonify(case_json(case))
    response.headers["ETag"] = etag(case.version)
    return response


@bp.get("/cases/<ref>")
@operation(out.Case, errors=(404,))
def get_case(ref: str):  # noqa: ANN201
    """One case (its ETag header: the version to send back when editing it)"""
    return _with_etag(queries.view_case(g.actor, ref))


@bp.patch("/cases/<ref>")
@operation(out.Case, body=EditCase, errors=(400, 403, 404, 409))
def edit_case(ref: str):  # noqa: ANN201
    """Correct a case's intake: only the fields sent change (the opener, the case's leads,
    executives, admins)

    Send the version you read as `version` or as `If-Match` (the ETag of GET): if the case
    changed since, nothing is saved and the answer is 409, with the current version in the
    ETag header. Every change shows in the case's timeline with its before and after; sending
    only what the case already says changes nothing (200, nothing recorded)."""
    sent = dict(body())
    header = _if_match()
    if header is not None:
        if sent.get("version") is not None and str(sent["version"]) != str(header):
            raise BadRequest("If-Match and version name different versions: send one")
        sent["version"] = header
    try:
        case = editing.edit_case(g.actor, ref, sent)
    except editing.StaleVersion as exc:
        response = error_response(exc.status, exc.code, exc.message, exc.field)
        response.headers["ETag"] = etag(exc.current)
        return response
    return _with_etag(queries.get_case(g.actor, case.ref))


@bp.post("/cases/<ref>/analyses")
@operation(out.Case, status=201, body=FileAnalysis, errors=(400, 403, 404, 409))
def file_analysis(ref: str):  # noqa: ANN201
    """File a function's analysis (a lead of that function, or an admin)"""
    analyses.file_analysis(g.actor, ref, body())
    return jsonify(case_json(queries.get_case(g.actor, ref))), 201


@bp.post("/cases/<ref>/decision")
@operation(out.Case, status=201, body=RecordDecision, errors=(400, 403, 404, 409))
def record_decision(ref: str):  # noqa: ANN201
    """Record the decision (an executive)"""
    cases.record_decision(g.actor, ref, body())
    return jsonify(case_json(queries.get_case(g.actor, ref))), 201


@bp.post("/cases/<ref>/request-decision")
@operation(out.Case, body=Note, errors=(400, 403, 404, 409), optional_body=True)
def request_decision(ref: str):  # noqa: ANN201
    """Move an open case to decision early (admins, executives); the body is optional"""
    cases.request_decision(g.actor, ref, sent_json() or {})
    return jsonify(case_json(queries.get_case(g.actor, ref)))


@bp.post("/cases/<ref>/close")
@operation(out.Case, body=CloseCase, errors=(400, 403, 404, 409))
def close_case(ref: str):  # noqa: ANN201
    """Close a case (admin); an undecided case needs a note saying why

    `government_response` (what the government did next), `government_response_note` and
    `lesson` are recorded for the round being closed when given; they can also be recorded
    later (`PUT /cases/<ref>/government-response`)."""
    admin_actions.close_case(g.actor, ref, body())
    return jsonify(case_json(queries.get_case(g.actor, ref)))


@bp.post("/cases/<ref>/reopen")
@operation(out.Case, body=Reopen, errors=(400, 403, 404, 409))
def reopen_case(ref: str):  # noqa: ANN201
    """Reopen a decided or closed case as a new round (admin)

    Each action still open is carried over to the new round or closed (waived with the note):
    `actions` names the choice per action id, `all_actions` for the rest. 409: open actions
    no choice covers (the message names them), or the case is not decided or closed."""
    admin_actions.reopen_case(g.actor, ref, body())
    return jsonify(case_json(queries.get_case(g.actor, ref)))


@bp.get("/cases/<ref>/rounds")
@operation(out.RoundList, errors=(404,))
def case_rounds(ref: str):  # noqa: ANN201
    """Every round of the case, the first first: who opened or reopened it and why, the
    analyses filed in it, its decision, its actions and what became of them"""
    case = queries.get_case(g.actor, ref)
    rows = rounds_to_dicts(case, g.actor.user)
    return listing(rows, len(rows))


@bp.post("/cases/<ref>/assignments/<function>/waive")
@operation(out.Case, body=RequiredNote, errors=(400, 403, 404, 409))
def waive_assignment(ref: str, function: str):  # noqa: ANN201
    """Waive a function's assignment (admin)"""
    admin_actions.waive_assignment(g.actor, ref, function, body())
    return jsonify(case_json(queries.get_case(g.actor, ref)))


@bp.patch("/cases/<ref>/assignments/<function>")
@operation(out.Case, body=ChangeAssignees, errors=(400, 403, 404, 409))
def change_assignees(ref: str, function: str):  # noqa: ANN201
    """Name a function's owner and delegates (admins, the case's opener, triagers, its current
    owner; a lead of the function may take an unowned one, a delegate leave)

    Only what is sent changes: `owner`, and `delegates` (the whole list) or `add_delegates` /
    `remove_delegates`. Each person named joins the case's need-to-know list."""
    assignees.change_assignees(g.actor, ref, function, body())
    return jsonify(case_json(queries.get_case(g.actor, ref)))


@bp.post("/cases/<ref>/assignments")
@operation(out.Case, status=201, body=AddFunction, errors=(400, 403, 404, 409))
def add_function(ref: str):  # noqa: ANN201
    """Add a function to a case still open or awaiting its decision (admins, the case's
    opener, triagers); a required one sends a case awaiting its decision back to open"""
    case_functions.add_function(g.actor, ref, body())
    return jsonify(case_json(queries.get_case(g.actor, ref))), 201


@bp.put("/cases/<ref>/playbook")
@operation(out.Case, body=ChangePlaybook, errors=(400, 403, 404, 409))
def change_playbook(ref: str):  # noqa: ANN201
    """Change a case's playbook while nothing is filed on it (admins, the case's opener,
    triagers): its assignments and due times are recomputed; 409 once an analysis is filed"""
    case_functions.change_playbook(g.actor, ref, body())
    return jsonify(case_json(queries.get_case(g.actor, ref)))


@bp.get("/cases/<ref>/members")
@operation(out.MemberList, errors=(404,))
def list_members(ref: str):  # noqa: ANN201
    """Who is on the case: its opener, named members and assigned leads (restricted: the only
    people besides executives and admins who may see it)"""
    case, rows = members.list_members(g.actor, ref)
    items = members_to_dicts(case, rows)
    return listing(items, len(items))


@bp.post("/cases/<ref>/members")
@operation(out.MemberList, status=201, body=AddMember, errors=(400, 403, 404, 409))
def add_member(ref: str):  # noqa: ANN201
    """Name a person as a member of the case (its opener, an admin or an executive)"""
    members.add_member(g.actor, ref, body())
    case, rows = members.list_members(g.actor, ref)
    return jsonify(members_to_dicts(case, rows)), 201


@bp.delete("/cases/<ref>/members/<who>")
@operation(out.MemberList, errors=(403, 404, 409))
def remove_member(ref: str, who: str):  # noqa: ANN201
    """Take a person off the case, by user id or email (its opener, an admin or an executive);
    they lose access to a restricted case at once"""
    members.remove_member(g.actor, ref, who)
    case, rows = members.list_members(g.actor, ref)
    return jsonify(members_to_dicts(case, rows))


@bp.post("/cases/<ref>/lift-restriction")
@operation(out.Case, body=LiftRestriction, errors=(400, 403, 404, 409))
def lift_restriction(ref: str):  # noqa: ANN201
    """Lift a restricted (or gagged) case's restriction, with a reason (admin)"""
    members.lift_restriction(g.actor, ref, body())
    return jsonify(case_json(queries.get_case(g.actor, ref)))


@bp.get("/cases/<ref>/stages")
@operation(out.LawStageList, errors=(404,))
def list_stages(ref: str):  # noqa: ANN201
    """The law's timeline: the dated stages of the case's law, oldest first (the last one is
    the case's current stage)"""
    _case, rows = stages.list_stages(g.actor, ref)
    items = stages_to_dicts(rows)
    return listing(items, len(items))


@bp.post("/cases/<ref>/stages")
@operation(out.LawStageList, status=201, body=AddStage, errors=(400, 403, 404, 409))
def add_stage(ref: str):  # noqa: ANN201
    """Record a dated stage of the case's law (its opener, its leads, triagers, executives,
    admins); answers every stage, oldest first"""
    stages.add_stage(g.actor, ref, body())
    _case, rows = stages.list_stages(g.actor, ref)
    return jsonify(stages_to_dicts(rows)), 201


@bp.post("/cases/<ref>/follow")
@operation(out.Following, errors=(404,))
def follow(ref: str):  # noqa: ANN201
    """Follow a case (its notices reach you in Slack)"""
    following.follow_case(g.actor, ref)
    return jsonify({"ref": ref.upper(), "following": True})


@bp.delete("/cases/<ref>/follow")
@operation(out.Following, errors=(404,))
def unfollow(ref: str):  # noqa: ANN201
    """Stop following a case"""
    following.unfollow_case(g.actor, ref)
    return jsonify({"ref": ref.upper(), "following": False})


@bp.get("/cases/<ref>/timeline")
@operation(out.Timeline, errors=(404,))
def case_timeline(ref: str):  # noqa: ANN201
    """Audited events on the case, oldest first"""
    case = queries.get_case(g.actor, ref)
    events = queries.timeline(g.actor, case)
    return listing(
        [
            {
                "at": e.at.isoformat().replace("+00:00", "Z"),
                "actor": e.actor,
                "action": e.action,
                "origin": e.origin.split(" ")[0],
                "details": e.details,
            }
            for e in events
        ],
        len(events),
    )


# --- drafts: your own draft of a case's form, as the web UI's autosave keeps it (drafts.py)


def _draft_out(row: Draft) -> dict:
    return {"form": row.form_key, "fields": row.fields, "updated_at": iso(row.updated_at)}


@bp.get("/drafts/<key>")
@operation(out.DraftOut, errors=(404,), tag="drafts")
def get_draft(key: str):  # noqa: ANN201
    """Your draft of a form (``analysis:<ref>:<function>``, ``decision:<ref>``, ``action:<ref>``)"""
    return jsonify(_draft_out(drafts.get_draft(g.actor, key)))


@bp.put("/drafts/<key>")
@operation(out.DraftOut, body=drafts.DraftInput, errors=(400, 403, 404, 409), tag="drafts")
def put_draft(key: str):  # noqa: ANN201
    """Keep what you typed into a form (replaces your earlier draft of it)

    Only for a form you may submit now (a lead of that function, an executive, a case still
    undecided…); only you read it; filing the form deletes it."""
    return jsonify(_draft_out(drafts.save_draft(g.actor, key, body())))


@bp.delete("/drafts/<key>")
@operation(out.DraftDiscarded, errors=(404,), tag="drafts")
def delete_draft(key: str):  # noqa: ANN201
    """Discard your draft of a form"""
    return jsonify({"form": key, "deleted": drafts.discard_draft(g.actor, key)})
