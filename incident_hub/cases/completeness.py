"""Question-level completeness: which of a function's playbook questions have a real answer.

A playbook marks some questions ``required = true``. An analysis answers "4 of 6" questions;
while a required one is open, the function's filing is a draft (``AssignmentStatus.DRAFT``),
not filed, and does not move the case to its decision.

What counts as an answer is what a reviewer would accept: not blank, not a single character
("x", "-", "?"), not punctuation alone ("...", "--"), and not a placeholder ("n/a", "tbd",
"todo", "xxx"). Short real answers count: "No", "Yes", "None", "Unclear".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..playbooks import PlaybookFunction, Question
from ..vocabulary import OUTSTANDING
from . import draft_filings
from .models import Case

# Placeholders that say "I will answer later" or "does not apply" without saying why.
PLACEHOLDERS = frozenset(
    {"n/a", "na", "n.a", "n. a", "tbd", "tbc", "todo", "to do", "to be done", "later",
     "placeholder", "asdf", "test", "lorem ipsum"}
)  # fmt: skip
_EDGES = " .,;:!?-_*/\\'\"`~()[]{}<>…—–"


def is_answer(text: Any) -> bool:
    """Whether ``text`` answers a question at all (see the module's docstring)."""
    if not isinstance(text, str):
        return False
    words = " ".join(text.split()).lower()
    core = words.strip(_EDGES)
    if len(core) < 2 or not any(ch.isalnum() for ch in core):
        return False
    if set(core.replace(" ", "")) <= {"x"}:  # "xx", "x x x"
        return False
    return core not in PLACEHOLDERS and words not in PLACEHOLDERS


@dataclass(frozen=True)
class Completeness:
    """How far one set of answers goes through a function's questions."""

    questions: tuple[Question, ...]
    answered: frozenset[str]  # keys of the questions with a real answer

    @property
    def total(self) -> int:
        return len(self.questions)

    @property
    def count(self) -> int:
        return sum(1 for q in self.questions if q.key in self.answered)

    @property
    def open(self) -> list[Question]:
        return [q for q in self.questions if q.key not in self.answered]

    @property
    def missing_required(self) -> list[Question]:
        return [q for q in self.open if q.required]

    @property
    def complete(self) -> bool:
        """Every required question answered: the filing may count as filed."""
        return not self.missing_required

    @property
    def label(self) -> str:
        return f"{self.count} of {self.total} answered"

    def to_dict(self) -> dict[str, Any]:
        """The JSON keys every assignment and analysis carries."""
        return {
            "questions": self.total,
            "answered": self.count,
            "complete": self.complete,
            "open_questions": [
                {"key": q.key, "text": q.text, "required": q.required} for q in self.open
            ],
            "missing_required": [q.key for q in self.missing_required],
        }


def of(spec: PlaybookFunction | None, answers: Mapping[str, Any] | None) -> Completeness:
    """The completeness of ``answers`` (question key -> text) against the function's questions;
    a function the playbook no longer has has no questions, so nothing is open."""
    questions = spec.questions if spec is not None else ()
    given = answers or {}
    answered = frozenset(q.key for q in questions if is_answer(given.get(q.key)))
    return Completeness(questions, answered)


def titles(questions: Iterable[Question]) -> str:
    """The questions' texts as a sentence's list, for messages (“…”, “…” and “…”)."""
    texts = [f"“{q.text}”" for q in questions]
    if len(texts) < 2:
        return "".join(texts)
    return ", ".join(texts[:-1]) + " and " + texts[-1]


def of_assignment(
    spec: PlaybookFunction | None,
    status: str,
    draft: Any | None,
    current: Any | None,
) -> Completeness:
    """A function's completeness on its case: its draft filing's while it is still owed,
    otherwise its current analysis's (nothing answered before either exists)."""
    if draft is not None and status in OUTSTANDING:
        return of(spec, draft.answers)
    return of(spec, current.answers if current is not None else None)


def case_section(case: Case) -> dict[str, Any]:
    """The case page's view of it: each function's completeness (``by_function``) and draft
    filing (``drafts``), from what the page has loaded plus one query."""
    from .service import case_playbook

    playbook = case_playbook(case)  # with the functions added to the case
    drafts, current = draft_filings.drafts_of(case), case.current_analyses()
    by_function = {
        a.function_key: of_assignment(
            playbook.function(a.function_key) if playbook else None,
            a.status,
            drafts.get(a.function_key),
            current.get(a.function_key),
        )
        for a in case.assignments
    }
    return {"by_function": by_function, "drafts": drafts}


def draft_said(draft: draft_filings.AnalysisDraft) -> str:
    """A draft filing in one line (the CLI): how far it goes, and what it leaves open."""
    from .service import case_playbook

    playbook = case_playbook(draft.case)
    done = of(playbook.function(draft.function_key) if playbook else None, draft.answers)
    missing = ", ".join(q.key for q in done.missing_required)
    return (
        f"{draft.case.ref}: {draft.function_key} analysis saved as a draft, not filed "
        f"({done.label}" + (f"; required still open: {missing}" if missing else "") + "); "
        f"case is {draft.case.status}."
    )
