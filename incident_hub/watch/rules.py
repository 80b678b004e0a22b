"""Read and check the flagging rules: ``feeds/rules.toml`` and one file per language beside it.

``rules.toml`` holds the settings, the topics (rights at stake, suggested playbook, English
terms), English action words and exclusions, and the jurisdictions. ``rules/<language>.toml``
(e.g. ``rules/pl.toml``) holds the same term tables written in that language, plus place names
in it; its topics take their rights and playbook from ``rules.toml``. Every problem is collected
and reported as ``file:line: field: message``, so a policy person can fix a file in one go.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..vocabulary import RIGHTS, TOPICS
from .language import LANGUAGES

PLAYBOOKS: tuple[str, ...] = ("content-takedown", "data-localisation", "network-shutdown")
PLAYBOOKS += ("platform-regulation",)
PLAYBOOKS += ("encryption-lawful-access", "surveillance-data-demand", "civic-space")
# Top-level numbers and their defaults (feeds/rules.toml documents each):
SETTINGS = {"threshold": 3.0, "title_weight": 2.0, "summary_weight": 1.0, "topic_cap": 6.0}
SETTINGS |= {"action_full": 6.0, "topic_min": 3.0, "max_chars": 5000, "place_points": 1.0}
SETTINGS |= {"institution_points": 2.0, "institution_action": 1.5, "place_action": 1.0}
SETTINGS |= {"summary_action_terms": 1, "region_points": 1.0}
POSITIVE = ("title_weight", "topic_cap", "action_full", "max_chars", "summary_action_terms")
SECTIONS = ("topics", "action", "exclusions", "extra_rights", "jurisdictions", "language")
LANGUAGE_SECTIONS = ("language", "topics", "action", "exclusions", "extra_rights", "jurisdictions")
KINDS = {"places": "place", "institutions": "institution", "regions": "region"}
CODE_RE = re.compile(r"^([A-Z]{2}|EU|INTL)$")
WORD_RE = re.compile(r"[^\W_]+")
ACTION, EXCLUSION, JURISDICTION, RIGHT = "action", "exclusion", "jurisdiction", "right:"
_HEADER_RE = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(#.*)?$")
_KEY_RE = re.compile(r"""^\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*=""")


class RulesError(Exception):
    """The rules are broken; ``problems`` lists each as ``file:line: field: message``."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Term:
    """One variant as written, the group it feeds, and where it was written."""

    label: str
    group: str  # a topic name, ACTION, EXCLUSION, JURISDICTION or "right:<name>"
    language: str  # the file's language; jurisdiction names apply in every language
    where: str  # "file:line: field"
    weight: float = 0.0
    value: str = ""  # jurisdiction code or right name
    action: float = 0.0  # legal-action points a place or institution also contributes
    kind: str = ""  # place | institution | region, for jurisdiction terms


@dataclass
class Rules:
    """Everything the classifier is built from."""

    settings: dict[str, float]
    topics: dict[str, tuple[tuple[str, ...], str]]  # topic -> (rights, playbook)
    terms: list[Term] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)  # the first is the main file's
    files: list[Path] = field(default_factory=list)


def tokens(text: str) -> list[str]:
    """Words of ``text`` (letters and digits; punctuation, hyphens and apostrophes split)."""
    return WORD_RE.findall(text)


class _Lines:
    """Finds the line of a table or key in the raw TOML so problems point at the right place."""

    def __init__(self, text: str):
        self.lines = text.splitlines()
        self.where: dict[tuple[str, str], int] = {}
        self.implied: dict[str, int] = {}  # [a.b.c] also defines a and a.b when not written
        table = ""
        for number, line in enumerate(self.lines, start=1):
            header = _HEADER_RE.match(line)
            if header:
                table = re.sub(r"[\s\"']", "", header.group(1))
                self.where.setdefault((table, ""), number)
                parts = table.split(".")
                for n in range(1, len(parts)):
                    self.implied.setdefault(".".join(parts[:n]), number)
                continue
            key = _KEY_RE.match(line)
            if key:
                name = next(g for g in key.groups() if g is not None)
                self.where.setdefault((table, name), number)

    def line(self, table: str, key: str = "", element: str = "") -> int:
        """Line of ``key`` in ``table``, else of the table (or the inline table holding it)."""
        get = self.where.get
        number = get((table, key)) or get((table, "")) or self.implied.get(table)
        while number is None and table:
            table, _, last = table.rpartition(".")
            number = get((table, last)) or get((table, "")) or self.implied.get(table)
        number = number or 1
        if element:  # an array element: search forward from its key for the quoted value
            for offset, text in enumerate(self.lines[number - 1 : number + 40]):
                if f'"{element}"' in text or f"'{element}'" in text:
                    return number + offset
        return number


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class _File:
    """Checks one parsed file, adding its terms to ``rules`` and its problems to ``problems``."""

    def __init__(self, data: dict[str, Any], text: str, path: Path, problems: list[str]):
        self.data, self.lines, self.path = data, _Lines(text), path
        self.problems = problems
        self.language = "en"

    def where(self, table: str, key: str = "", element: str = "") -> str:
        name = ".".join(part for part in (table, key) if part)
        return f"{self.path}:{self.lines.line(table, key, element)}: {name}"

    def add(self, table: str, key: str, message: str, element: str = "") -> None:
        self.problems.append(f"{self.where(table, key, element)}: {message}")

    def table(self, parent: dict[str, Any], name: str, where: str) -> dict[str, Any]:
        value = parent.get(name, {})
        if isinstance(value, dict):
            return value
        self.add("" if where == name else where, name, "must be a table")
        return {}

    def terms(self, rules: Rules, data: dict[str, Any], table: str, group: str, sign: int) -> None:
        """Check a ``"term | variant" = weight`` table and add its variants."""
        for key, weight in data.items():
            if not _number(weight):
                self.add(table, key, f"weight must be a number, got {weight!r}")
            elif sign * weight <= 0:
                self.add(table, key, f"weight must be {'positive' if sign > 0 else 'negative'}")
            else:
                for variant in (v.strip() for v in key.split("|")):
                    if not tokens(variant):
                        self.add(table, key, "empty term or variant")
                        continue
                    where = self.where(table, key)
                    term = Term(variant, group, self.language, where, weight=float(weight))
                    rules.terms.append(term)

    def names(self, data: dict[str, Any], key: str, table: str) -> list[str]:
        value = data.get(key, [])
        if isinstance(value, list) and all(isinstance(v, str) and tokens(v) for v in value):
            return value
        self.add(table, key, "must be a list of non-empty strings")
        return []

    def read_language(self, required: bool) -> None:
        value = self.data.get("language", None if required else "en")
        if value not in LANGUAGES:
            known = ", ".join(LANGUAGES)
            self.add("", "language", f"must be one of {known} (ISO 639-1), got {value!r}")
        else:
            self.language = str(value)

    def settings(self) -> dict[str, float]:
        settings = dict(SETTINGS)
        for key, value in self.data.items():
            if key in SETTINGS:
                if not _number(value) or value < 0 or (key in POSITIVE and value == 0):
                    sign = "positive" if key in POSITIVE else "non-negative"
                    self.add("", key, f"must be a {sign} number, got {value!r}")
                else:
                    settings[key] = float(value)
            elif key not in SECTIONS:
                self.add("", key, f"unknown field (known: {', '.join([*SETTINGS, *SECTIONS])})")
        return settings

    def topics(self, rules: Rules, main: bool) -> None:
        for name, body in self.table(self.data, "topics", "topics").items():
            table = f"topics.{name}"
            if name not in TOPICS:
                self.add(table, "", f"unknown topic {name!r} (known: {', '.join(TOPICS)})")
                continue
            if not isinstance(body, dict):
                self.add(table, "", "must be a table")
                continue
            if main:
                self._topic_meta(rules, name, body, table)
            else:
                for extra in sorted(set(body) - {"terms"}):
                    message = "unknown field (a language file lists terms; rights and playbook"
                    self.add(table, extra, message + " are set in rules.toml)")
                if name not in rules.topics:
                    self.add(table, "", f"topic {name!r} is not defined in rules.toml")
            self.terms(rules, self.table(body, "terms", table), f"{table}.terms", name, 1)

    def _topic_meta(self, rules: Rules, name: str, body: dict[str, Any], table: str) -> None:
        rights = body.get("rights")
        if not isinstance(rights, list) or not rights:
            self.add(table, "rights", "must be a non-empty list of rights")
            rights = []
        for right in rights:
            if right not in RIGHTS:
                message = f"unknown right {right!r} (known: {', '.join(RIGHTS)})"
                self.add(table, "rights", message, str(right))
        playbook = body.get("playbook")
        if playbook not in PLAYBOOKS:
            known = ", ".join(PLAYBOOKS)
            self.add(table, "playbook", f"unknown playbook key {playbook!r} (known: {known})")
        for extra in sorted(set(body) - {"rights", "playbook", "terms"}):
            self.add(table, extra, "unknown field (known: rights, playbook, terms)")
        rules.topics[name] = (tuple(r for r in rights if r in RIGHTS), str(playbook))

    def places(self, rules: Rules) -> None:
        rights = self.table(self.data, "extra_rights", "extra_rights")
        for right in rights:
            if right not in RIGHTS:
                self.add("extra_rights", right, f"unknown right (known: {', '.join(RIGHTS)})")
                continue
            where = self.where("extra_rights", right)
            for name in self.names(rights, right, "extra_rights"):
                term = Term(name, RIGHT + right, self.language, where, value=right)
                rules.terms.append(term)
        for code, body in self.table(self.data, "jurisdictions", "jurisdictions").items():
            table = f"jurisdictions.{code}"
            if not CODE_RE.match(code) or not isinstance(body, dict):
                self.add("jurisdictions", code, "must be named by an ISO 3166 code, EU or INTL")
                continue
            for extra in sorted(set(body) - {"name", *KINDS}):
                self.add(table, extra, "unknown field (known: name, places, institutions, regions)")
            for key, kind in KINDS.items():
                where = self.where(table, key)
                points = rules.settings[f"{kind}_points"]
                act = rules.settings[
                    "institution_action" if kind == "institution" else "place_action"
                ]
                for name in self.names(body, key, table):
                    term = Term(name, JURISDICTION, self.language, where, points, code, act, kind)
                    rules.terms.append(term)

    def sections(self, rules: Rules) -> None:
        action = self.table(self.data, "action", "action")
        self.terms(rules, self.table(action, "terms", "action"), "action.terms", ACTION, 1)
        exclusions = self.table(self.data, "exclusions", "exclusions")
        table = self.table(exclusions, "terms", "exclusions")
        self.terms(rules, table, "exclusions.terms", EXCLUSION, -1)
        self.places(rules)


def _read(path: Path, problems: list[str]) -> tuple[dict[str, Any], str] | None:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(f"{path}:1: file: cannot read rules: {exc}")
        return None
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        line = match.group(1) if match else 1
        problems.append(f"{path}:{line}: toml: invalid TOML: {exc}")
        return None


def language_files(path: Path) -> list[Path]:
    """The language files that go with a main rules file: ``<its folder>/rules/*.toml``."""
    folder = path.parent / "rules"
    return sorted(folder.glob("*.toml")) if folder.is_dir() else []


def read_rules(path: str | Path) -> Rules:
    """Read and check a main rules file and its language files; raise :class:`RulesError`
    listing every problem."""
    path = Path(path)
    problems: list[str] = []
    parsed = _read(path, problems)
    if parsed is None:
        raise RulesError(problems)
    main = _File(parsed[0], parsed[1], path, problems)
    main.read_language(required=False)
    rules = Rules(main.settings(), {}, languages=[main.language], files=[path])
    main.topics(rules, main=True)
    main.sections(rules)
    for extra in language_files(path):
        parsed = _read(extra, problems)
        if parsed is None:
            continue
        other = _File(parsed[0], parsed[1], extra, problems)
        other.read_language(required=True)
        for key in sorted(set(other.data) - set(LANGUAGE_SECTIONS)):
            other.add("", key, f"unknown field (known: {', '.join(LANGUAGE_SECTIONS)})")
        if other.language in rules.languages:
            other.add("", "language", f"{other.language!r} already has a rules file")
            continue
        rules.languages.append(other.language)
        rules.files.append(extra)
        other.topics(rules, main=False)
        other.sections(rules)
    _repeats(rules, problems)
    if problems:
        raise RulesError(problems)
    return rules


def _repeats(rules: Rules, problems: list[str]) -> None:
    """A variant written twice in one group of one language would never fire the second time."""
    seen: dict[tuple[str, str, tuple[str, ...]], str] = {}
    for term in rules.terms:
        key = (term.language, term.group, tuple(w.casefold() for w in tokens(term.label)))
        if key in seen:
            problems.append(
                f"{term.where}: {term.label!r} repeats {seen[key]}; it would never fire"
            )
        seen.setdefault(key, term.where.split(": ")[0])
