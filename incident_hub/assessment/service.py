"""Saving the human-rights assessment of a case; one function per action.

Who may change what (reading needs only that the actor may see the case):

- admins and leads of the human-rights function: the whole assessment;
- leads of the legal function: Telenor's four tests only;
- everyone else: nothing (403), and a case the actor may not see does not exist (404).

Saving is a partial update (PUT of the fields given; a test's ``answer`` and ``note`` change
separately). Every change writes ``assessment.updated`` with the before and after of the fields
that changed, and recomputes ``Case.salience`` (:mod:`.salience`) in the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from ..actor import Actor
from ..audit import service as audit
from ..auth import permissions as perm
from ..auth.models import User
from ..cases.models import Case
from ..cases.queries import get_case, view_case
from ..clock import now
from ..errors import Conflict, Invalid
from ..extensions import db
from ..schemas import parse
from ..transaction import deny, run_in_transaction
from ..vocabulary import Role
from . import salience
from .inputs import AssessmentInput
from .models import Assessment
from .vocabulary import SCORE_KEYS, TESTS

Raw = Mapping[str, Any]  # what a door sends: a JSON object, a form, CLI options
WHOLE, CHECKLIST = "assessment", "tests"  # the parts of an assessment one may be allowed to edit
ASSESSMENT_FIELDS = (
    "rights",
    "at_risk_groups",
    "groups_note",
    *SCORE_KEYS,
    "involvement",
    "leverage",
)
FIELDS = (*ASSESSMENT_FIELDS, "tests")
BY_FUNCTION = {  # what a function's analysis filing may carry in ``assessment``
    "human-rights": frozenset({WHOLE, CHECKLIST}),
    "legal": frozenset({CHECKLIST}),
}


def editable_parts(user: User | None) -> frozenset[str]:
    """The parts of an assessment ``user`` may change (empty: none)."""
    if not (user and user.active):
        return frozenset()
    if perm.is_admin(user) or (user.has_role(Role.LEAD) and "human-rights" in user.functions):
        return BY_FUNCTION["human-rights"]
    if user.has_role(Role.LEAD) and "legal" in user.functions:
        return BY_FUNCTION["legal"]
    return frozenset()


def _part_of(field: str) -> str:
    return CHECKLIST if field in ("tests", "version") else WHOLE


def blank_tests() -> dict[str, dict[str, Any]]:
    return {key: {"answer": None, "note": ""} for key in TESTS}


def snapshot(row: Assessment | None) -> dict[str, Any]:
    """The assessment's fields as plain values (the empty assessment when there is none)."""
    if row is None:
        values: dict[str, Any] = {name: None for name in FIELDS}
        values.update(rights=[], at_risk_groups=[], groups_note="", leverage="")
    else:
        values = {name: getattr(row, name) for name in FIELDS}
    tests = blank_tests()
    for key, entry in ((row.tests if row else None) or {}).items():
        if key in tests and isinstance(entry, dict):
            tests[key] = {"answer": entry.get("answer"), "note": entry.get("note") or ""}
    values["tests"] = tests
    values["rights"] = list(values["rights"] or [])
    values["at_risk_groups"] = list(values["at_risk_groups"] or [])
    return values


# --- validation ---------------------------------------------------------------------------


def _clean(spec: AssessmentInput, current: dict[str, Any]) -> dict[str, Any]:
    """The new value of every field given; the tests given merged over ``current``'s."""
    out = spec.model_dump(exclude_unset=True, exclude={"version"})
    if "tests" in out:
        merged = {key: dict(entry) for key, entry in current["tests"].items()}
        for key, entry in out["tests"].items():
            merged[key].update(entry)
        out["tests"] = merged
    return out


# --- saving ------------------------------------------------------------------------------


def _load(case: Case) -> Assessment | None:
    query = select(Assessment).where(Assessment.case_id == case.id)
    return db.session.execute(query.execution_options(populate_existing=True)).scalar()


def _apply(actor: Actor, case: Case, spec: AssessmentInput, via: str) -> Assessment | None:
    """Write the fields given onto the (locked) case's assessment; audit what changed."""
    row = _load(case)
    sent = spec.version
    if sent is not None and sent != (row.version if row else 0):
        raise Conflict(
            f"the assessment of {case.ref} changed since you read it (it is now version "
            f"{row.version if row else 0}, you sent {sent}); reload and try again"
        )
    before = snapshot(row)
    changed = {k: v for k, v in _clean(spec, before).items() if v != before[k]}
    if not changed:
        return row
    if row is None:
        row = Assessment(case_id=case.id, **{k: v for k, v in before.items() if k not in changed})
        db.session.add(row)
    for name, value in changed.items():
        setattr(row, name, value)
    row.updated_by_id, row.updated_at = actor.require_user().id, now()
    old_salience = case.salience
    case.salience = salience.compute(*(getattr(row, k) for k in SCORE_KEYS))
    details: dict[str, Any] = {
        "before": {k: before[k] for k in changed},
        "after": dict(changed),
        "via": via,
    }
    if "tests" in changed:  # only the tests whose answer or note changed
        keys = [k for k in TESTS if changed["tests"][k] != before["tests"][k]]
        details["before"]["tests"] = {k: before["tests"][k] for k in keys}
        details["after"]["tests"] = {k: changed["tests"][k] for k in keys}
    if case.salience != old_salience:
        details["before"]["salience"], details["after"]["salience"] = old_salience, case.salience
    db.session.flush()
    audit.record(actor, "assessment.updated", "case", case.ref, case_id=case.id, details=details)
    return row


def authorize_assessment(actor: Actor, case: Case) -> frozenset[str]:
    """The parts of ``case``'s assessment ``actor`` may change; refuses (audited) one who may
    change none. The check :func:`save_assessment` makes, and what the web form asks first."""
    allowed = editable_parts(actor.user)
    if not allowed:
        raise deny(
            actor,
            "assessment.update",
            "case",
            case.ref,
            "only admins and human-rights leads (legal leads: Telenor's tests) can change the "
            "human-rights assessment",
        )
    return allowed


def save_assessment(
    actor: Actor, ref: str, data: Raw | AssessmentInput
) -> tuple[Case, Assessment | None]:
    """Change the fields given of a case's assessment (``version``, if sent, must be the
    current one: 409 otherwise). Returns the case and its assessment."""
    case = get_case(actor, ref)
    allowed = authorize_assessment(actor, case)
    spec = parse(AssessmentInput, data)
    refused = sorted(k for k in spec.model_fields_set if _part_of(k) not in allowed)
    if refused:
        raise deny(
            actor,
            "assessment.update",
            "case",
            case.ref,
            f"a legal lead may answer Telenor's tests only, not {', '.join(refused)}",
        )

    def work() -> tuple[Case, Assessment | None]:
        locked = get_case(actor, ref, for_update=True)
        return locked, _apply(actor, locked, spec, "assessment")

    return run_in_transaction(work)


def get_assessment(actor: Actor, ref: str) -> tuple[Case, Assessment | None]:
    """A case (read as the case page reads it: a restricted case's read is audited) and its
    assessment, None when nobody has assessed it yet."""
    case = view_case(actor, ref)
    return case, db.session.get(Assessment, case.id)


def save_from_analysis(actor: Actor, case: Case, function_key: str, data: Any) -> None:
    """Called by ``file_analysis`` (inside its transaction) when the filing carries an
    ``assessment``: the human-rights function's form fills the case's assessment, the legal
    function's form answers Telenor's tests; any other function may not carry one (422)."""
    allowed = BY_FUNCTION.get(function_key, frozenset())
    if not allowed:
        raise Invalid(
            "only the human-rights and legal analyses can carry an assessment", field="assessment"
        )
    spec = parse(AssessmentInput, data)
    for key in sorted(spec.model_fields_set):
        if _part_of(key) not in allowed:
            raise Invalid(
                f"the legal analysis can answer Telenor's tests only, not {key}",
                field=f"assessment.{key}",
            )
    _apply(actor, case, spec, f"analysis:{function_key}")
