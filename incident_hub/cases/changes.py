"""An intake edit's before and after: as the audit event stores them, and in people's words.

``case.edited`` events carry ``{"changes": {field: {"before": x, "after": y}}}`` with JSON
values (codes for jurisdictions, ISO dates and times); the case page's timeline shows each as
"Response deadline: 04 Dec 2026 23:59 UTC → 10 Dec 2026 23:59 UTC", with country names.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from .. import countries
from ..clock import iso

# The fields an edit changes, in the order forms and the timeline show them, and their labels.
LABELS = {
    "title": "Title",
    "summary": "Summary",
    "jurisdictions": "Jurisdictions",
    "instrument": "Instrument",
    "authority": "Issuing authority",
    "legal_basis": "Legal basis",
    "stage": "Stage",
    "effective_date": "Effective date",
    "response_deadline": "Response deadline",
    "gag_order": "Gag order",
    "restricted": "Restricted",
}
EDITABLE = tuple(k for k in LABELS if k != "restricted")  # restricted follows the gag order
SHOWN_TEXT = 120  # characters of a long text (the summary) shown in the timeline


def stored(value: Any) -> Any:
    """``value`` as JSON keeps it in the audit trail."""
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return list(value)
    return value


def _shown(field: str, value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if field == "jurisdictions" and isinstance(value, list):
        return ", ".join(countries.country_name(str(c)) for c in value)
    if field == "stage":
        return str(value).replace("_", " ")
    if field == "effective_date":
        try:
            return date.fromisoformat(str(value)).strftime("%d %b %Y")
        except ValueError:
            return str(value)
    if field == "response_deadline":
        try:
            return datetime.fromisoformat(str(value).replace("Z", "+00:00")).strftime(
                "%d %b %Y %H:%M UTC"
            )
        except ValueError:
            return str(value)
    text = str(value)
    text = text if len(text) <= SHOWN_TEXT else text[: SHOWN_TEXT - 1] + "…"
    return f"“{text}”"


def described(details: dict[str, Any]) -> tuple[str, ...]:
    """Each change of a ``case.edited`` event's details as "Label: before → after"."""
    changes = details.get("changes")
    if not isinstance(changes, dict):
        return ()
    out = []
    for field in sorted(changes, key=lambda f: list(LABELS).index(f) if f in LABELS else 99):
        change = changes[field]
        if not isinstance(change, dict):
            continue
        label = LABELS.get(field, field.replace("_", " ").capitalize())
        before, after = _shown(field, change.get("before")), _shown(field, change.get("after"))
        out.append(f"{label}: {before} → {after}")
    return tuple(out)
