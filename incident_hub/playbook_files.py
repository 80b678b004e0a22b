"""Reading one playbook file and pointing at its lines: every problem found in it is reported
as ``file:line: field: message`` on the line of the field (or table) concerned.

Split from :mod:`.playbook_loader`, which parses and validates what is read here.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

Span = tuple[int, int]  # first line, line after the last (1-based)
_HEADER_RE = re.compile(r"^\s*\[\[?\s*([^\[\]]+?)\s*\]\]?\s*(#.*)?$")
_ASSIGN_RE = re.compile(r"^\s*[\"']?([A-Za-z0-9_.-]+)[\"']?\s*=")


class Reporter:
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


def read(path: Path, problems: list[str]) -> tuple[dict[str, Any], str] | None:
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
