"""Load and validate playbooks (``playbooks/*.toml``) and the functions they reference.

Every problem is reported as ``file:line: field: message`` and all problems are collected before
failing, so a playbook author fixes a file in one pass. The app refuses to start on any problem.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import current_app

KEY_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
FUNCTIONS_FILE = "functions.toml"
# When a case has a response deadline (cases/schedule.py): a function's analysis is due after
# this share of the time from opening to the deadline, unless its playbook says otherwise ...
DEFAULT_DEADLINE_SHARE = 0.5
# ... and the decision this many hours before the deadline (an urgent playbook: fewer).
DEFAULT_DECISION_BEFORE_HOURS = 24.0
DEFAULT_URGENT_DECISION_BEFORE_HOURS = 2.0


class PlaybookError(Exception):
    """One or more playbook files are broken; ``problems`` lists each as file:line: message."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Function:
    key: str
    title: str
    description: str = ""


@dataclass(frozen=True)
class Question:
    """One of a function's questions; a ``required`` one must have a real answer before the
    function's analysis counts as filed (see cases/completeness.py)."""

    key: str
    text: str
    required: bool = False


@dataclass(frozen=True)
class PlaybookFunction:
    """A function's part. ``due_days`` is the time to its analysis without a deadline: business
    days on a normal playbook, clock time (``due_hours`` / 24) on an urgent one."""

    key: str
    due_days: float
    required: bool
    questions: tuple[Question, ...]
    deadline_share: float = DEFAULT_DEADLINE_SHARE  # of the time from opening to the deadline

    @property
    def due_hours(self) -> float:
        return self.due_days * 24


@dataclass(frozen=True)
class Option:
    key: str
    title: str
    description: str = ""


@dataclass(frozen=True)
class Playbook:
    key: str
    title: str
    summary: str
    rights: tuple[str, ...]
    functions: tuple[PlaybookFunction, ...]
    options: tuple[Option, ...]
    decision_due_days: float
    reminder_every_hours: float
    escalate_after_hours: float
    escalate_to: str
    examples: tuple[str, ...] = ()
    path: str = ""
    # Urgent (an emergency: hours count, around the clock): due times are stated in hours, and
    # reminders and escalations do not wait for office hours.
    urgent: bool = False
    decision_before_deadline_hours: float = DEFAULT_DECISION_BEFORE_HOURS

    @property
    def decision_due_hours(self) -> float:
        return self.decision_due_days * 24

    def function(self, key: str) -> PlaybookFunction | None:
        return next((f for f in self.functions if f.key == key), None)

    def option(self, key: str) -> Option | None:
        return next((o for o in self.options if o.key == key), None)


@dataclass
class Registry:
    functions: dict[str, Function] = field(default_factory=dict)
    playbooks: dict[str, Playbook] = field(default_factory=dict)

    def get(self, key: str) -> Playbook | None:
        return self.playbooks.get(key)

    def function_title(self, key: str) -> str:
        fn = self.functions.get(key)
        return fn.title if fn else key


Span = tuple[int, int]  # first line, line after the last (1-based)


def load_dir(directory: str | Path) -> Registry:
    """Load every playbook in ``directory``; raise :class:`PlaybookError` listing all problems."""
    from .playbook_loader import load_playbooks

    return load_playbooks(directory)


def registry() -> Registry:
    """The playbooks loaded for the current app."""
    return current_app.extensions["incident_hub.playbooks"]


def playbook_to_dict(playbook: Playbook, functions: dict[str, Function]) -> dict[str, Any]:
    """The public shape of a playbook (API and templates)."""
    return {
        "key": playbook.key,
        "title": playbook.title,
        "summary": playbook.summary,
        "rights": list(playbook.rights),
        "urgent": playbook.urgent,
        "decision_due_days": playbook.decision_due_days,
        "decision_before_deadline_hours": playbook.decision_before_deadline_hours,
        "functions": [
            {
                "key": f.key,
                "title": functions[f.key].title if f.key in functions else f.key,
                "due_days": f.due_days,
                "deadline_share": f.deadline_share,
                "required": f.required,
                "questions": [
                    {"key": q.key, "text": q.text, "required": q.required} for q in f.questions
                ],
            }
            for f in playbook.functions
        ],
        "options": [
            {"key": o.key, "title": o.title, "description": o.description} for o in playbook.options
        ],
    }
