"""The dossier's words: labels for stored keys, and how values are written."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

INVOLVEMENT = {
    "cause": "Causes the harm (UNGP 19)",
    "contribute": "Contributes to the harm (UNGP 19)",
    "linked": "Directly linked to the harm (UNGP 19)",
}
TELENOR_TESTS = {  # Telenor's tests of a government directive, in the words of DOMAIN.md
    "legal_basis": "Legal basis",
    "human_rights_impact": "Human-rights impact",
    "necessity_proportionality": "Necessity and proportionality",
    "transparency": "Ability to be transparent",
}
CONFIDENTIAL = "Withheld (confidential: the organisation may not be named)"
READS = (
    "case.viewed",
    "report.exported",
    "attachment.downloaded",
)  # reads, not changes: counted, not listed
LINK_LABELS = {"related": "Related case", "same_law": "Same law, another country"}


def when(value: datetime | date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M UTC")
    return value.isoformat()


def yes_no(value: bool) -> str:
    return "Yes" if value else "No"


def person(user: Any) -> str:
    return f"{user.name} <{user.email}>" if user is not None else ""


def humanise(key: str) -> str:
    words = str(key).replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:]


def option_title(playbook: Any, key: str | None) -> str:
    if not key:
        return ""
    option = playbook.option(key) if playbook else None
    return option.title if option else key
