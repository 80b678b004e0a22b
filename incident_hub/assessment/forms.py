"""Reading the assessment's form fields (the edit page and the analysis forms) into the data
that :mod:`.service` validates, and back into what the form shows."""

from __future__ import annotations

from typing import Any

from werkzeug.datastructures import MultiDict

from .service import CHECKLIST, WHOLE, snapshot
from .vocabulary import SCORE_KEYS, TESTS

MARKER = "assessment-form"  # a hidden field: the form carried the assessment's fields


def _number(raw: str) -> Any:
    """A score as typed: '' is none, digits a number; anything else is passed on as typed,
    for the service to refuse with a message naming the field."""
    raw = raw.strip()
    if raw == "":
        return None
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else raw


def from_form(form: MultiDict, parts: frozenset[str]) -> dict[str, Any] | None:
    """The assessment data of a posted form, or None when the form did not carry it."""
    if not parts or form.get(MARKER) is None:
        return None
    data: dict[str, Any] = {}
    if WHOLE in parts:
        data["rights"] = form.getlist("rights")
        data["at_risk_groups"] = form.getlist("at_risk_groups")
        data["groups_note"] = form.get("groups_note", "")
        for key in SCORE_KEYS:
            data[key] = _number(form.get(key, ""))
        data["involvement"] = form.get("involvement") or None
        data["leverage"] = form.get("leverage", "")
    if CHECKLIST in parts:
        data["tests"] = {
            key: {
                "answer": form.get(f"test-{key}") or None,
                "note": form.get(f"test-{key}-note", ""),
            }
            for key in TESTS
        }
    version = form.get("version", "").strip()
    if version:
        data["version"] = _number(version)
    return data


def shown(row: Any, posted: dict[str, Any] | None = None) -> dict[str, Any]:
    """What the form shows: the stored assessment, with what was just posted over it (kept
    when the save was refused). Scores are strings, as the radio buttons compare them."""
    values = snapshot(row)
    if posted:
        tests = posted.get("tests")
        values.update({k: v for k, v in posted.items() if k not in ("tests", "version")})
        if isinstance(tests, dict):
            values["tests"] = {**values["tests"], **tests}
    for key in SCORE_KEYS:
        values[key] = "" if values[key] is None else str(values[key])
    return values
