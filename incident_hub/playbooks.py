"""Load and validate playbooks (``playbooks/*.toml``) and the functions they reference.

Every problem is reported as ``file:line: field: message`` and all problems are collected before
failing, so a playbook author fixes a file in one pass. The app refuses to start on any problem.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import current_app

RIGHTS = ("expression", "privacy", "assembly", "association", "non-discrimination", "offline-harm")
KEY_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
FUNCTIONS_FILE = "functions.toml"


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
    key: str
    text: str


@dataclass(frozen=True)
class PlaybookFunction:
    key: str
    due_days: float
    required: bool
    questions: tuple[Question, ...]


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


class _Reporter:
    """Collects problems for one file, locating fields by searching the raw text for lines."""

    def __init__(self, path: Path, text: str, problems: list[str]):
        self.path, self.lines, self.problems = path, text.splitlines(), problems

    def line_of(self, needle: str | None, after: int = 0) -> int:
        if needle:
            pattern = re.compile(rf"^\s*{re.escape(needle)}\s*=")
            for number, line in enumerate(self.lines[after:], start=after + 1):
                if pattern.search(line) or (needle.startswith("[") and line.strip() == needle):
                    return number
        return after or 1

    def add(self, where: str, message: str, needle: str | None = None, after: int = 0) -> None:
        line = self.line_of(needle or where.rsplit(".", 1)[-1].split("[")[0], after)
        self.problems.append(f"{self.path}:{line}: {where}: {message}")


def _read(path: Path, problems: list[str]) -> tuple[dict[str, Any], str] | None:
    try:
        text = path.read_text(encoding="utf-8")
        return tomllib.loads(text), text
    except UnicodeDecodeError:
        problems.append(f"{path}:1: file is not UTF-8")
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        problems.append(f"{path}:{match.group(1) if match else 1}: invalid TOML: {exc}")
    return None


def _load_functions(directory: Path, problems: list[str]) -> dict[str, Function]:
    path = directory / FUNCTIONS_FILE
    if not path.is_file():
        problems.append(f"{path}:1: missing: functions must be defined once in {FUNCTIONS_FILE}")
        return {}
    parsed = _read(path, problems)
    if parsed is None:
        return {}
    data, text = parsed
    report = _Reporter(path, text, problems)
    table = data.get("functions")
    if not isinstance(table, dict) or not table:
        report.add("functions", "expected [functions.<key>] tables", "[functions")
        return {}
    out: dict[str, Function] = {}
    for key, spec in table.items():
        if not KEY_RE.match(key):
            report.add(f"functions.{key}", "key must be lowercase letters, digits and dashes")
        if not isinstance(spec, dict) or not isinstance(spec.get("title"), str):
            report.add(
                f"functions.{key}.title", "a title (string) is required", f"[functions.{key}]"
            )
            continue
        out[key] = Function(key, spec["title"], str(spec.get("description", "")))
    return out


def _number(report: _Reporter, data: dict, name: str, where: str, minimum: float = 0) -> float:
    value = data.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= minimum:
        report.add(f"{where}{name}", f"must be a number greater than {minimum:g}", name)
        return 1.0
    return float(value)


def _text(report: _Reporter, data: dict, name: str, where: str, required: bool = True) -> str:
    value = data.get(name, "" if not required else None)
    if not isinstance(value, str) or (required and not value.strip()):
        report.add(f"{where}{name}", "a non-empty string is required", name)
        return ""
    return value


def _parse_playbook(
    path: Path, data: dict[str, Any], report: _Reporter, functions: dict[str, Function]
) -> Playbook:
    known = {
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
    }
    for extra in sorted(set(data) - known):
        report.add(extra, f"unknown field (known: {', '.join(sorted(known))})")
    key = _text(report, data, "key", "")
    if key and not KEY_RE.match(key):
        report.add("key", "must be lowercase letters, digits and dashes")
    rights = data.get("rights")
    if not isinstance(rights, list) or not rights:
        report.add("rights", f"list at least one of: {', '.join(RIGHTS)}")
        rights = []
    for right in rights:
        if right not in RIGHTS:
            report.add("rights", f"unknown right {right!r} (known: {', '.join(RIGHTS)})")
    return Playbook(
        key=key,
        title=_text(report, data, "title", ""),
        summary=_text(report, data, "summary", ""),
        rights=tuple(r for r in rights if r in RIGHTS),
        functions=_parse_functions(data.get("functions"), report, functions),
        options=_parse_options(data.get("options"), report),
        decision_due_days=_number(report, data, "decision_due_days", ""),
        reminder_every_hours=_number(report, data, "reminder_every_hours", ""),
        escalate_after_hours=_number(report, data, "escalate_after_hours", ""),
        escalate_to=_text(report, data, "escalate_to", ""),
        examples=tuple(str(e) for e in data.get("examples", []) if isinstance(e, str)),
        path=str(path),
    )


def _parse_functions(
    raw: Any, report: _Reporter, functions: dict[str, Function]
) -> tuple[PlaybookFunction, ...]:
    if not isinstance(raw, list) or not raw:
        report.add("functions", "at least one [[functions]] table is required", "[[functions]]")
        return ()
    out: list[PlaybookFunction] = []
    seen: set[str] = set()
    for index, spec in enumerate(raw):
        where = f"functions[{index}]."
        key = spec.get("key") if isinstance(spec, dict) else None
        if not isinstance(key, str) or key not in functions:
            report.add(
                f"{where}key",
                f"unknown function {key!r} (defined in {FUNCTIONS_FILE}: {', '.join(functions)})",
                "key",
                _line_of_value(report, key),
            )
            continue
        if key in seen:
            report.add(
                f"{where}key", f"duplicate function {key!r}", "key", _line_of_value(report, key)
            )
            continue
        seen.add(key)
        after = _line_of_value(report, key)
        questions = _parse_questions(spec.get("questions"), report, where, after)
        required = spec.get("required", True)
        if not isinstance(required, bool):
            report.add(f"{where}required", "must be true or false", "required", after)
            required = True
        due = spec.get("due_days")
        if isinstance(due, bool) or not isinstance(due, int | float) or due <= 0:
            report.add(
                f"{where}due_days", "must be a number of days greater than 0", "due_days", after
            )
            due = 1
        out.append(PlaybookFunction(key, float(due), required, questions))
    return tuple(out)


def _line_of_value(report: _Reporter, value: Any) -> int:
    for number, line in enumerate(report.lines, start=1):
        if isinstance(value, str) and re.search(rf"=\s*[\"']{re.escape(value)}[\"']", line):
            return number
    return 0


def _parse_questions(raw: Any, report: _Reporter, where: str, after: int) -> tuple[Question, ...]:
    if not isinstance(raw, list) or not raw:
        report.add(
            f"{where}questions", "at least one [[functions.questions]] is required", None, after
        )
        return ()
    out: list[Question] = []
    for index, spec in enumerate(raw):
        qwhere = f"{where}questions[{index}]"
        if not isinstance(spec, dict) or not isinstance(spec.get("key"), str):
            report.add(f"{qwhere}.key", "each question needs a key and a text", "key", after)
            continue
        if not KEY_RE.match(spec["key"]):
            report.add(
                f"{qwhere}.key", "must be lowercase letters, digits and dashes", "key", after
            )
        if any(q.key == spec["key"] for q in out):
            report.add(f"{qwhere}.key", f"duplicate question {spec['key']!r}", "key", after)
            continue
        text = spec.get("text")
        if not isinstance(text, str) or not text.strip():
            report.add(f"{qwhere}.text", "a non-empty text is required", "text", after)
            continue
        out.append(Question(spec["key"], text.strip()))
    return tuple(out)


def _parse_options(raw: Any, report: _Reporter) -> tuple[Option, ...]:
    if not isinstance(raw, list) or len(raw) < 2:
        report.add("options", "at least two [[options]] are required", "[[options]]")
        return ()
    out: list[Option] = []
    for index, spec in enumerate(raw):
        where = f"options[{index}]"
        if not isinstance(spec, dict) or not isinstance(spec.get("key"), str):
            report.add(f"{where}.key", "each option needs a key and a title", "[[options]]")
            continue
        key = spec["key"]
        if not KEY_RE.match(key):
            report.add(
                f"{where}.key",
                "must be lowercase letters, digits and dashes",
                None,
                _line_of_value(report, key),
            )
        if any(o.key == key for o in out):
            report.add(
                f"{where}.key", f"duplicate option {key!r}", None, _line_of_value(report, key)
            )
            continue
        title = spec.get("title")
        if not isinstance(title, str) or not title.strip():
            report.add(f"{where}.title", "a title is required", None, _line_of_value(report, key))
            continue
        out.append(Option(key, title, str(spec.get("description", ""))))
    return tuple(out)


def load_dir(directory: str | Path) -> Registry:
    """Load every playbook in ``directory``; raise :class:`PlaybookError` listing all problems."""
    directory = Path(directory)
    problems: list[str] = []
    if not directory.is_dir():
        raise PlaybookError([f"{directory}: not a directory"])
    registry = Registry(functions=_load_functions(directory, problems))
    files = sorted(p for p in directory.glob("*.toml") if p.name != FUNCTIONS_FILE)
    if not files:
        problems.append(f"{directory}: no playbooks (*.toml) found")
    for path in files:
        parsed = _read(path, problems)
        if parsed is None:
            continue
        data, text = parsed
        report = _Reporter(path, text, problems)
        playbook = _parse_playbook(path, data, report, registry.functions)
        if playbook.key in registry.playbooks:
            other = registry.playbooks[playbook.key].path
            report.add("key", f"duplicate playbook key {playbook.key!r} (also in {other})")
        elif playbook.key:
            registry.playbooks[playbook.key] = playbook
    if problems:
        raise PlaybookError(problems)
    return registry


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
        "decision_due_days": playbook.decision_due_days,
        "functions": [
            {
                "key": f.key,
                "title": functions[f.key].title if f.key in functions else f.key,
                "due_days": f.due_days,
                "required": f.required,
                "questions": [{"key": q.key, "text": q.text} for q in f.questions],
            }
            for f in playbook.functions
        ],
        "options": [
            {"key": o.key, "title": o.title, "description": o.description} for o in playbook.options
        ],
    }
