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

from typing import Any

from sqlalchemy import select

from .. import validate
from ..actor import Actor
from ..audit import service as audit
from ..auth import permissions as perm
from ..auth.models import User
from ..cases.models import Case
from ..cases.queries import get_case, view_case
from ..clock import now
from ..errors import Conflict, Invalid
from ..extensions import db
from ..transaction import deny, run_in_transaction
from . import salience
from .models import Assessment
from .vocabulary import ANSWERS, GROUPS, INVOLVEMENT, LIMITS, RIGHTS, SCORE_KEYS, TESTS

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
INPUT_KEYS = (*FIELDS, "version")
BY_FUNCTION = {  # what a function's analysis filing may carry in ``assessment``
    "human-rights": frozenset({WHOLE, CHECKLIST}),
    "legal": frozenset({CHECKLIST}),
}


def editable_parts(user: User | None) -> frozenset[str]:
    """The parts of an assessment ``user`` may change (empty: none)."""
    if not (user and user.active):
        return frozenset()
    if perm.is_admin(user) or (user.has_role("lead") and "human-rights" in user.functions):
        return BY_FUNCTION["human-rights"]
    if user.has_role("lead") and "legal" in user.functions:
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


def _score(value: Any, field: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise Invalid(f"{field} must be a whole number from 1 to 5, or null", field=field)
    return value


def _keys(value: Any, field: str, vocabulary: dict[str, str]) -> list[str]:
    """A list of vocabulary keys, deduplicated, in the vocabulary's order."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise Invalid(f"{field} must be a list of: {', '.join(vocabulary)}", field=field)
    for item in value:
        if not isinstance(item, str) or item not in vocabulary:
            raise Invalid(
                f"unknown {field} value {validate.label(item, 40)!r} "
                f"(known: {', '.join(vocabulary)})",
                field=field,
            )
    return [key for key in vocabulary if key in value]


def _tests(value: Any, current: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Telenor's tests with the answers and notes given merged over ``current``."""
    if not isinstance(value, dict):
        raise Invalid(
            f"tests must be an object of test → {{answer, note}} (tests: {', '.join(TESTS)})",
            field="tests",
        )
    merged = {key: dict(entry) for key, entry in current.items()}
    for key, entry in value.items():
        if key not in TESTS:
            raise Invalid(
                f"unknown test {validate.label(key, 40)!r} (Telenor's tests: {', '.join(TESTS)})",
                field="tests",
            )
        field = f"tests.{key}"
        if not isinstance(entry, dict):
            raise Invalid(f"{field} must be an object with answer and note", field=field)
        extra = sorted(set(entry) - {"answer", "note"})
        if extra:
            raise Invalid(
                f"unknown field {field}.{validate.label(extra[0], 40)} (known: answer, note)",
                field=field,
            )
        if "answer" in entry:
            answer = entry["answer"]
            if answer not in (None, "") and not (isinstance(answer, str) and answer in ANSWERS):
                raise Invalid(f"{field}.answer must be yes, no, unclear or null", field=field)
            merged[key]["answer"] = answer or None
        if "note" in entry:
            merged[key]["note"] = validate.text(
                entry["note"], f"{field}.note", max_len=LIMITS["test_note"]
            )
    return merged


def _clean(data: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    """The validated new value of every field given."""
    out: dict[str, Any] = {}
    for name in FIELDS:
        if name not in data:
            continue
        value = data[name]
        if name == "rights":
            out[name] = _keys(value, name, RIGHTS)
        elif name == "at_risk_groups":
            out[name] = _keys(value, name, GROUPS)
        elif name in SCORE_KEYS:
            out[name] = _score(value, name)
        elif name == "involvement":
            out[name] = validate.choice(value, name, tuple(INVOLVEMENT), required=False)
        elif name == "tests":
            out[name] = _tests(value, current["tests"])
        else:  # groups_note, leverage
            out[name] = validate.text(value, name, max_len=LIMITS[name])
    return out


def _checked_input(data: Any, field: str = "assessment") -> dict[str, Any]:
    """``data`` is an object with known keys only, and a well-formed ``version`` if any."""
    if not isinstance(data, dict):
        raise Invalid(f"{field} must be an object of {', '.join(INPUT_KEYS)}", field=field)
    for key in data:
        if key not in INPUT_KEYS:
            name = validate.label(key, 40)
            raise Invalid(f"unknown field {name!r} (fields: {', '.join(INPUT_KEYS)})", field=name)
    version = data.get("version")
    if version is not None and (
        isinstance(version, bool) or not isinstance(version, int) or version < 0
    ):
        raise Invalid("version must be a whole number (the version you read)", field="version")
    return data


# --- saving ------------------------------------------------------------------------------


def _load(case: Case) -> Assessment | None:
    query = select(Assessment).where(Assessment.case_id == case.id)
    return db.session.execute(query.execution_options(populate_existing=True)).scalar()


def _apply(actor: Actor, case: Case, data: dict[str, Any], via: str) -> Assessment | None:
    """Write the fields given onto the (locked) case's assessment; audit what changed."""
    row = _load(case)
    sent = data.get("version")
    if sent is not None and sent != (row.version if row else 0):
        raise Conflict(
            f"the assessment of {case.ref} changed since you read it (it is now version "
            f"{row.version if row else 0}, you sent {sent}); reload and try again"
        )
    before = snapshot(row)
    changed = {k: v for k, v in _clean(data, before).items() if v != before[k]}
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


def save_assessment(actor: Actor, ref: str, data: Any) -> tuple[Case, Assessment | None]:
    """Change the fields given of a case's assessment (``version``, if sent, must be the
    current one: 409 otherwise). Returns the case and its assessment."""
    case = get_case(actor, ref)
    allowed = authorize_assessment(actor, case)
    data = _checked_input(data)
    refused = sorted(k for k in data if _part_of(k) not in allowed)
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
        return locked, _apply(actor, locked, data, "assessment")

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
    data = _checked_input(data)
    for key in data:
        if _part_of(key) not in allowed:
            raise Invalid(
                f"the legal analysis can answer Telenor's tests only, not {key}",
                field=f"assessment.{key}",
            )
    _apply(actor, case, data, f"analysis:{function_key}")
