"""Parse and validate playbook files: every problem as ``file:line: field: message``.

All problems are collected before failing, so a playbook author fixes a file in one pass.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any, TypeGuard

from .playbooks import (
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
_HEADER_RE = re.compile(r"^\s*\[\[?\s*([^\[\]]+?)\s*\]\]?\s*(#.*)?$")
_ASSIGN_RE = re.compile(r"^\s*[\"']?([A-Za-z0-9_.-]+)[\"']?\s*=")
FUNCTION_FIELDS = ("key", "due_days", "required", "questions")
QUESTION_FIELDS = ("key", "text")
OPTION_FIELDS = ("key", "title", "description")
FUNCTIONS_FILE_FIELDS = ("title", "description")


class _Reporter:
    """Collects problems for one file, locating each field by the table it sits in.

    Tables are found by their headers (``[[functions]]``, ``[[functions.questions]]``,
    ``[[options]]``, ``[functions.legal]``), so a problem in the third function is reported on
    that function's line, not on the first line that happens to contain the same text.
    """

    def __init__(self, path: Path, text: str, problems: list[str]):
        self.path, self.lines, self.problems = path, text.splitlines(), problems
        self.headers: list[tuple[int, str]] = []
        for number, line in enumerate(self.lines, start=1):
            match = _HEADER_RE.match(line)
            if match:
                self.headers.append((number, re.sub(r"\s+", "", match.group(1))))
        self._header_lines = {number for number, _ in self.headers}

    @property
    def end(self) -> int:
        return len(self.lines) + 1

    def top(self) -> Span:
        """The top-level keys: everything before the first table header."""
        return 1, self.headers[0][0] if self.headers else self.end

    def table(self, name: str, index: int = 0, within: Span | None = None) -> Span:
        """The ``index``-th ``[[name]]`` (or ``[name]``) table, with its sub-tables.

        Falls back to the line of an inline ``name = ...`` in the enclosing table.
        """
        low, high = within or (1, self.end)
        starts = [n for n, header in self.headers if header == name and low <= n < high]
        if index < len(starts):
            start = starts[index]
            stop = next(
                (n for n, h in self.headers if n > start and not h.startswith(name + ".")),
                self.end,
            )
            return start, min(stop, high)
        parent = within or self.top()
        line = self.line_of(name.rsplit(".", 1)[-1], parent)
        return (line, line + 1) if line != parent[0] else parent

    def line_of(self, name: str, span: Span) -> int:
        """The line assigning ``name`` in the table's own body (not its sub-tables)."""
        low, high = span
        for number in range(low, min(high, self.end)):
            if number > low and number in self._header_lines:
                break
            if _assigns(self.lines[number - 1], name):
                return number
        return low

    def add(
        self, where: str, message: str, span: Span | None = None, name: str | None = None
    ) -> None:
        """Report ``message`` about field ``where``, on the line of ``name`` within ``span``.

        Without ``name`` the problem is about the table as a whole: its first line is given.
        """
        span = span or self.top()
        line = self.line_of(name, span) if name else span[0]
        self.problems.append(f"{self.path}:{line}: {where}: {message}")

    def unknown_fields(
        self, data: dict, known: tuple[str, ...], where: str, span: Span, table: str = ""
    ) -> None:
        """Report keys of ``data`` outside ``known``: assignments or (sub-)tables of ``table``."""
        for extra in sorted(set(data) - set(known)):
            line = self.line_of(extra, span)
            if not _assigns(self.lines[line - 1] if line < self.end else "", extra):
                low, high = (1, self.end) if span == self.top() else span
                name = f"{table}.{extra}" if table else extra
                line = next((n for n, h in self.headers if h == name and low <= n < high), line)
            self.problems.append(
                f"{self.path}:{line}: {where}{extra}: unknown field (known: {', '.join(known)})"
            )


def _assigns(line: str, name: str) -> bool:
    match = _ASSIGN_RE.match(line)
    return bool(match and match.group(1) == name)


def _read(path: Path, problems: list[str]) -> tuple[dict[str, Any], str] | None:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        problems.append(f"{path}:1: encoding: file is not UTF-8")
        return None
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        line = int(match.group(1)) if match else 1
        problems.append(f"{path}:{line}: {_field_on_line(text, line)}: invalid TOML: {exc}")
    return None


def _field_on_line(text: str, line: int) -> str:
    """Name what the broken line was setting, so the message points at a field."""
    lines = text.splitlines()
    source = lines[line - 1] if 0 < line <= len(lines) else ""
    match = _ASSIGN_RE.match(source) or _HEADER_RE.match(source)
    return re.sub(r"\s+", "", match.group(1)) if match else "toml"


def _load_functions(directory: Path, problems: list[str]) -> dict[str, Function] | None:
    """The functions defined in functions.toml, or None when that file is missing or broken."""
    path = directory / FUNCTIONS_FILE
    if not path.is_file():
        problems.append(
            f"{path}:1: functions: file not found; every function must be defined once in "
            f"{FUNCTIONS_FILE}"
        )
        return None
    parsed = _read(path, problems)
    if parsed is None:
        return None
    data, text = parsed
    report = _Reporter(path, text, problems)
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


def _number(report: _Reporter, data: dict, name: str, where: str, span: Span) -> float:
    value = data.get(name)
    limit = MAX_DAYS * 24 if name.endswith("_hours") else MAX_DAYS
    if not _duration(value, limit):
        message = f"must be a number greater than 0, at most {limit}"
        report.add(f"{where}{name}", message, span, name)
        return 1.0
    return float(value)


def _text(report: _Reporter, data: dict, name: str, where: str, span: Span) -> str:
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
    "decision_due_days",
    "reminder_every_hours",
    "escalate_after_hours",
    "escalate_to",
    "functions",
    "options",
    "urgent",
)


def _parse_playbook(
    path: Path, data: dict[str, Any], report: _Reporter, functions: dict[str, Function] | None
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
        functions=_parse_functions(data.get("functions"), report, functions),
        options=_parse_options(data.get("options"), report),
        decision_due_days=_number(report, data, "decision_due_days", "", top),
        reminder_every_hours=_number(report, data, "reminder_every_hours", "", top),
        escalate_after_hours=_number(report, data, "escalate_after_hours", "", top),
        escalate_to=_text(report, data, "escalate_to", "", top),
        examples=tuple(examples),
        path=str(path),
        urgent=urgent,
    )


def _parse_functions(
    raw: Any, report: _Reporter, functions: dict[str, Function] | None
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
        due = spec.get("due_days")
        if not _duration(due, MAX_DAYS):
            message = f"must be a number of days greater than 0, at most {MAX_DAYS}"
            report.add(f"{where}due_days", message, span, "due_days")
            due = 1
        out.append(PlaybookFunction(key, float(due), required, questions))
    return tuple(out)


def _parse_questions(raw: Any, report: _Reporter, where: str, parent: Span) -> tuple[Question, ...]:
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
        out.append(Question(spec["key"], text.strip()))
    return tuple(out)


def _parse_options(raw: Any, report: _Reporter) -> tuple[Option, ...]:
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
        parsed = _read(path, problems)
        if parsed is None:
            continue
        data, text = parsed
        report = _Reporter(path, text, problems)
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
