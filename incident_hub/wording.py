"""Messages in people's words for the web UI.

A service's error speaks to every door: the API keeps its machine ``code``, its ``field`` and a
message that may name keys (``option must be one of: comply, resist``), which a client can act
on. A person reads the same error on a web page, where field names (``due_at``) and internal
keys mean nothing: :func:`readable` gives the error's words for people, either those the
service gave (``ServiceError.web``) or the message with its field named as the form labels it.
"""

from __future__ import annotations

import copy

from .errors import ServiceError

# Field names as the web forms label them. A field not listed here is labelled from its name
# ("legal_basis" -> "Legal basis", "due_at" -> "Due date").
FIELD_LABELS = {
    "alert_ids": "Alerts",
    "current_password": "Current password",
    "days": "Days",
    "due_at": "Due date",
    "effective_date": "Effective date",
    "interval_min": "Poll interval (minutes)",
    "jurisdiction": "Jurisdiction",
    "new_password": "New password",
    "opened_from": "Opened from",
    "opened_to": "Opened to",
    "option": "Decision",
    "options": "Decision",
    "organisation_id": "Organisation",
    "q": "Search",
    "response_deadline": "Response deadline",
    "review_on": "Review date",
    "slack_id": "Slack user id",
    "source_url": "Source link",
    "url": "Feed address",
}


def field_label(field: str) -> str:
    """How a form labels ``field`` (the last part of a dotted path such as answers.q1)."""
    name = field.rsplit(".", 1)[-1] if "." in field else field
    if field in FIELD_LABELS or name in FIELD_LABELS:
        return FIELD_LABELS.get(field) or FIELD_LABELS[name]
    for suffix in ("_at", "_on"):
        if name.endswith(suffix):
            name = name.removesuffix(suffix) + " date"
    words = name.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:] if words else "This field"


def key_words(key: str) -> str:
    """An internal key as words: ``comply-narrowly`` -> ``comply narrowly``."""
    return key.replace("_", " ").replace("-", " ")


def readable(exc: ServiceError) -> str:
    """What the web UI shows for ``exc``: the service's words for people if it gave them,
    else its message with the field (which messages start with) named by its label."""
    if exc.web:
        return exc.web
    message = exc.message
    if exc.field and message.startswith(f"{exc.field} "):
        message = field_label(exc.field) + message[len(exc.field) :]
    return message


def for_people(exc: ServiceError) -> ServiceError:
    """A copy of ``exc`` whose ``message`` is :func:`readable` (the web's form pages show
    ``error.message``); status, code and field are unchanged."""
    shown = copy.copy(exc)
    shown.message = readable(exc)
    shown.web = None
    return shown
