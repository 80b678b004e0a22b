"""Parse and validate playbook files: every problem as ``file:line: field: message``.

All problems are collected before failing, so a playbook author fixes a file in one pass.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeGuard

from .playbook_files import Reporter
from .playbook_files import read as read_toml
from .playbooks import (
    DEFAULT_DEADLINE_SHARE,
    DEFAULT_DECISION_BEFORE_HOURS,
    DEFAULT_URGENT_DECISION_BEFORE_HOURS,
    FUNCTIONS_FILE,
    KEY_RE,
    Function,
    Option,
    Playbook,
    PlaybookError,
    PlaybookFunction,
    Question,
    Registry,
)
from .vocabulary import RIGHTS

Span = tuple[int, int]  # first line, line after the last (1-based)
FUNCTION_FIELDS = ("key", "due_days", "due_hours", "deadline_share", "required", "questions")
QUESTION_FIELDS = ("key", "text", "required")
OPTION_FIELDS = ("key", "title", "description")
FUNCTIONS_FILE_FIELDS = ("title", "description")


def _load_functions(directory: Path, problems: list[str]) -> dict[str, Function] | None:
    """The functions defined in functions.toml, or None when that file is missing or broken."""
    path = directory / FUNCTIONS_FILE
    if not path.is_file():
        problems.append(
            f"{path}:1: functions: file not found; every function must be defined once in "
            f"{FUNCTIONS_FILE}"
        )
        return None
    parsed = read_toml(path, problems)
    if parsed is None:
        return None
    data, text = parsed
    report = Reporter(path, text, problems)
    report.unknown_fields(data, ("functions",), "", report.top())
    table = data.get("functions")
    if not isinstance(table, dict) or not table:
        report.add("functions", "expected [functions.<key>] tables", report.top(), "functions")
        return None
    out: dict[str, Function] = {}
    for key, spec in table.items():
        span = report.table(f"functions.{key}")
        if not KEY_RE.match(key):
            report.add(f"functions.{key}", "key must be lowercase letters, digits and dashes", span)
        if not isinstance(spec, dict) or not isinstance(spec.get("title"), str):
            report.add(f"functions.{key}.title", "a title (string) is required", span, "title")
            continue
        report.unknown_fields(
            spec, FUNCTIONS_FILE_FIELDS, f"functions.{key}.", span, f"functions.{key}"
        )
        out[key] = Function(key, spec["title"], str(spec.get("description", "")))
    return out


# Ten years: a bound that keeps `now + timedelta(...)` computable. `0 < value <= MAX` also
# refuses TOML's nan and inf, which slip past a plain `value <= 0` check.
MAX_DAYS = 3650


def _duration(value: Any, limit: float) -> TypeGuard[float]:
    return not isinstance(value, bool) and isinstance(value, int | float) and 0 < value <= limit


def _number(report: Reporter, data: dict, name: str, where: str, span: Span) -> float:
    value = data.get(name)
    limit = MAX_DAYS * 24 if name.endswith("_hours") else MAX_DAYS
    if not _duration(value, limit):
        message = f"must be a number greater than 0, at most {limit}"
        report.add(f"{where}{name}", message, span, name)
        return 1.0
    return float(value)


def _due_days(
    report: Reporter, data: dict, stem: str, where: str, span: Span, urgent: bool
) -> float:
    """``<stem>_hours`` on an urgent playbook, ``<stem>_days`` on a normal one, as days; the
    other unit is refused, so a playbook never says two things about one due time."""
    hours, days = f"{stem}_hours", f"{stem}_days"
    wanted, other = (hours, days) if urgent else (days, hours)
    if other in data:
        message = (
            f"an urgent playbook states due times in hours: use {wanted}"
            if urgent
            else f"hours are for urgent playbooks (urgent = true): use {wanted}"
        )
        report.add(f"{where}{other}", message, span, other)
    if wanted not in data and other in data:
        return 1.0
    value = _number(report, data, wanted, where, span)
    return value / 24 if urgent else value


def _share(report: Reporter, data: dict, where: str, span: Span) -> float:
    value = data.get("deadline_share", DEFAULT_DEADLINE_SHARE)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
        message = "must be a number greater than 0, at most 1 (a share of the time to the deadline)"
        report.add(f"{where}deadline_share", message, span, "deadline_share")
        return DEFAULT_DEADLINE_SHARE
    return float(value)


def _before_hours(report: Reporter, data: dict, urgent: bool, span: Span) -> float:
    name = "decision_before_deadline_hours"
    default = DEFAULT_URGENT_DECISION_BEFORE_HOURS if urgent else DEFAULT_DECISION_BEFORE_HOURS
    value = data.get(name, default)
    limit = MAX_DAYS * 24
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= limit:
        report.add(name, f"must be a number of hours from 0 to {limit}", span, name)
        return default
    return float(value)


def _text(report: Reporter, data: dict, name: str, where: str, span: Span) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value.strip():
        report.add(f"{where}{name}", "a non-empty string is required", span, name)
        return ""
    return value


PLAYBOOK_FIELDS = (
    "key",
    "title",
    "summary",
    "rights",
    "examples",
    "urgent",
    "decision_due_days",
    "decision_due_hours",
    "decision_before_deadline_hours",
    "reminder_every_hours",
    "escalate_after_hours",
    "escalate_to",
    "functions",
    "options",
)


def _parse_playbook(
    path: Path, data: dict[str, Any], report: Reporter, functions: dict[str, Function] | None
) -> Playbook:
    top = report.top()
    report.unknown_fields(data, PLAYBOOK_FIELDS, "", top)
    key = _text(report, data, "key", "", top)
    if key and not KEY_RE.match(key):
        report.add("key", "must be lowercase letters, digits and dashes", top, "key")
    rights = data.get("rights")
    if not isinstance(rights, list) or not rights:
        report.add("rights", f"list at least one of: {', '.join(RIGHTS)}", top, "rights")
        rights = []
    for right in rights:
        if right not in RIGHTS:
            report.add(
                "rights", f"unknown right {right!r} (known: {', '.join(RIGHTS)})", top, "rights"
            )
    examples = data.get("examples", [])
    if not isinstance(examples, list) or not all(isinstance(e, str) for e in examples):
        report.add("examples", "must be a list of strings", top, "examples")
        examples = []
    urgent = data.get("urgent", False)
    if not isinstance(urgent, bool):
        report.add("urgent", "must be true or false", top, "urgent")
        urgent = False
    return Playbook(
        key=key,
        title=_text(report, data, "title", "", top),
        summary=_text(report, data, "summary", "", top),
        rights=tuple(r for r in rights if r in RIGHTS),
        functions=_parse_functions(data.get("functions"), report, functions, urgent),
        options=_parse_options(data.get("options"), report),
        decision_due_days=_due_days(report, data, "decision_due", "", top, urgent),
        reminder_every_hours=_number(report, data, "reminder_every_hours", "", top),
        escalate_after_hours=_number(report, data, "escalate_after_hours", "", top),
        escalate_to=_text(report, data, "escalate_to", "", top),
        examples=tuple(examples),
        path=str(path),
        urgent=urgent,
        decision_before_deadline_hours=_before_hours(report, data, urgent, top),
    )


def _parse_functions(
    raw: Any, report: Reporter, functions: dict[str, Function] | None, urgent: bool
) -> tuple[PlaybookFunction, ...]:
    """The playbook's [[functions]]; references are only checked when functions.toml loaded."""
    if not isinstance(raw, list) or not raw:
        report.add("functions", "at least one [[functions]] table is required", report.top())
        return ()
    out: list[PlaybookFunction] = []
    seen: set[str] = set()
    for index, spec in enumerate(raw):
        where = f"functions[{index}]."
        span = report.table("functions", index)
        if not isinstance(spec, dict):
            report.add(f"functions[{index}]", "must be a [[functions]] table", span)
            continue
        report.unknown_fields(spec, FUNCTION_FIELDS, where, span, "functions")
        key = spec.get("key")
        if not isinstance(key, str) or (functions is not None and key not in functions):
            known = ", ".join(functions or {})
            report.add(
                f"{where}key",
                f"unknown function {key!r} (defined in {FUNCTIONS_FILE}: {known})",
                span,
                "key",
            )
            continue
        if key in seen:
            report.add(f"{where}key", f"duplicate function {key!r}", span, "key")
            continue
        seen.add(key)
        questions = _parse_questions(spec.get("questions"), report, where, span)
        required = spec.get("required", True)
        if not isinstance(required, bool):
            report.add(f"{where}required", "must be true or false", span, "required")
            required = True
        due = _due_days(report, spec, "due", where, span, urgent)
        share = _share(report, spec, where, span)
        out.append(PlaybookFunction(key, due, required, questions, share))
    return tuple(out)


def _parse_questions(raw: Any, report: Reporter, where: str, parent: Span) -> tuple[Question, ...]:
    if not isinstance(raw, list) or not raw:
        report.add(f"{where}questions", "at least one [[functions.questions]] is required", parent)
        return ()
    out: list[Question] = []
    for index, spec in enumerate(raw):
        qwhere = f"{where}questions[{index}]"
        span = report.table("functions.questions", index, within=parent)
        if not isinstance(spec, dict) or not isinstance(spec.get("key"), str):
            report.add(f"{qwhere}.key", "each question needs a key and a text", span, "key")
            continue
        report.unknown_fields(spec, QUESTION_FIELDS, f"{qwhere}.", span, "functions.questions")
        if not KEY_RE.match(spec["key"]):
            report.add(f"{qwhere}.key", "must be lowercase letters, digits and dashes", span, "key")
        if any(q.key == spec["key"] for q in out):
            report.add(f"{qwhere}.key", f"duplicate question {spec['key']!r}", span, "key")
            continue
        text = spec.get("text")
        if not isinstance(text, str) or not text.strip():
            report.add(f"{qwhere}.text", "a non-empty text is required", span, "text")
            continue
        required = spec.get("required", False)
        if not isinstance(required, bool):
            report.add(f"{qwhere}.required", "must be true or false", span, "required")
            required = False
        out.append(Question(spec["key"], text.strip(), required))
    return tuple(out)


def _parse_options(raw: Any, report: Reporter) -> tuple[Option, ...]:
    if not isinstance(raw, list) or len(raw) < 2:
        report.add("options", "at least two [[options]] are required", report.table("options"))
        return ()
    out: list[Option] = []
    for index, spec in enumerate(raw):
        where = f"options[{index}]"
        span = report.table("options", index)
        if not isinstance(spec, dict) or not isinstance(spec.get("key"), str):
            report.add(f"{where}.key", "each option needs a key and a title", span, "key")
            continue
        report.unknown_fields(spec, OPTION_FIELDS, f"{where}.", span, "options")
        key = spec["key"]
        if not KEY_RE.match(key):
            report.add(f"{where}.key", "must be lowercase letters, digits and dashes", span, "key")
        if any(o.key == key for o in out):
            report.add(f"{where}.key", f"duplicate option {key!r}", span, "key")
            continue
        title = spec.get("title")
        if not isinstance(title, str) or not title.strip():
            report.add(f"{where}.title", "a title is required", span, "title")
            continue
        out.append(Option(key, title, str(spec.get("description", ""))))
    return tuple(out)


def load_playbooks(directory: str | Path) -> Registry:
    """Load every playbook in ``directory``; raise :class:`PlaybookError` listing all problems."""
    directory = Path(directory)
    problems: list[str] = []
    if not directory.is_dir():
        raise PlaybookError([f"{directory}: not a directory"])
    functions = _load_functions(directory, problems)
    registry = Registry(functions=functions or {})
    files = sorted(p for p in directory.glob("*.toml") if p.name != FUNCTIONS_FILE)
    if not files:
        problems.append(f"{directory}: no playbooks (*.toml) found")
    for path in files:
        parsed = read_toml(path, problems)
        if parsed is None:
            continue
        data, text = parsed
        report = Reporter(path, text, problems)
        playbook = _parse_playbook(path, data, report, functions)
        if playbook.key in registry.playbooks:
            other = registry.playbooks[playbook.key].path
            report.add(
                "key",
                f"duplicate playbook key {playbook.key!r} (also in {other})",
                report.top(),
                "key",
            )
        elif playbook.key:
            registry.playbooks[playbook.key] = playbook
    if problems:
        raise PlaybookError(problems)
    return registry
