"""Rules-based relevance classifier for feed items (``feeds/rules.toml``).

An item is queued for triage when it reports a *government or legal development* (law, bill,
court ruling, regulator action, official order) that touches a *rights topic* (takedowns,
shutdowns, encryption, surveillance, age checks, ...). The rules are data, so a policy person can
tune them without touching code; this module only compiles and applies them.

Why word/phrase lookups rather than one big regex: every term is tokenised the same way as the
text, indexed by its first word, and matched by comparing the following words. That keeps the
cost per item proportional to the item's length (tens of thousands of items per second) and makes
"stemming" explicit: variants are listed in the rules (``"ban | bans | banned"``).

Score = min(topic points, ``topic_cap``) x min(action points, ``action_full``) / ``action_full``
plus exclusion points (negative). Matches in the title count ``title_weight`` times; of the
summary's action terms only the strongest ``summary_action_terms`` count. Both signals are needed:
topic words alone (a privacy tutorial) or action words alone (a tax ruling) score 0.
"""

from __future__ import annotations

import html
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TOPICS: tuple[str, ...] = ("content-removal", "data-localisation", "shutdown-blocking")
TOPICS += ("encryption-lawful-access", "surveillance-data-demands", "platform-regulation")
TOPICS += ("age-verification", "foreign-agent-fake-news", "biometrics-ai")
RIGHTS = ("expression", "privacy", "assembly", "association", "non-discrimination", "offline-harm")
PLAYBOOKS: tuple[str, ...] = ("content-takedown", "data-localisation", "network-shutdown")
PLAYBOOKS += ("platform-regulation", "encryption-lawful-access", "surveillance-data-demand")
# Top-level numbers and their defaults (feeds/rules.toml documents each):
SETTINGS = {"threshold": 3.0, "title_weight": 2.0, "summary_weight": 1.0, "topic_cap": 6.0}
SETTINGS |= {"action_full": 6.0, "topic_min": 3.0, "max_chars": 5000, "place_points": 1.0}
SETTINGS |= {"institution_points": 2.0, "institution_action": 1.5, "place_action": 1.0}
SETTINGS |= {"summary_action_terms": 1}
POSITIVE = ("title_weight", "topic_cap", "action_full", "max_chars", "summary_action_terms")
SECTIONS = ("topics", "action", "exclusions", "extra_rights", "jurisdictions")
CODE_RE = re.compile(r"^([A-Z]{2}|EU|INTL)$")
_WORD_RE = re.compile(r"[^\W_]+")
_TAG_RE = re.compile(r"<[^>]{0,2000}>")
_TRAILER_RE = re.compile(r"\bthe post\b.{0,600}?\bappeared first on\b.*$", re.I | re.S)
_HEADER_RE = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(#.*)?$")
_KEY_RE = re.compile(r"""^\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*=""")
ACTION, EXCLUSION, JURISDICTION, RIGHT = "action", "exclusion", "jurisdiction", "right:"
Term = tuple[str, str, dict[str, Any], str]  # variant, group, _Entry fields, "file:line: field"


class RulesError(Exception):
    """The rules file is broken; ``problems`` lists each as ``file:line: field: message``."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Classification:
    """The verdict on one item, with the evidence a triager needs to see why."""

    score: float
    flagged: bool
    topics: tuple[str, ...]  # strongest first
    rights: tuple[str, ...]
    jurisdictions: tuple[str, ...]  # ISO 3166 alpha-2 codes or "EU", strongest first
    matched: tuple[str, ...]  # e.g. "content-removal: takedown order", "action: court"
    suggested_playbook: str | None


@dataclass(frozen=True)
class _Entry:
    """One compiled term: what follows its first word, which group it feeds, and its weight."""

    uid: int
    rest: tuple[str, ...]
    group: str  # a topic name, ACTION, EXCLUSION, JURISDICTION or "right:<name>"
    label: str  # the variant as written in the rules, shown in ``matched``
    weight: float
    value: str = ""  # jurisdiction code or right name
    action: float = 0.0  # legal-action points a place or institution also contributes
    kind: str = ""  # "place" or "institution" for jurisdiction terms
    exact: tuple[str, ...] | None = None  # original-case tokens for all-caps acronyms


def tokens(text: str) -> list[str]:
    """Words of ``text`` (letters and digits; punctuation, hyphens and apostrophes split)."""
    return _WORD_RE.findall(text)


def _clean(text: Any, limit: int) -> str:
    """Plain text from a feed field: HTML tags and entities removed, length capped."""
    text = (text if isinstance(text, str) else str(text or ""))[: limit * 4]
    if "<" in text:
        text = _TAG_RE.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    if "appeared first on" in text:  # WordPress feed trailer repeats the title
        text = _TRAILER_RE.sub("", text)
    return text[:limit]


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


class Classifier:
    """Compiled rules; build with :func:`load_rules`. Thread-safe and reusable."""

    def __init__(
        self, settings: dict[str, float], topics: dict[str, tuple[tuple, str]], entries: list[Term]
    ):
        self.settings = settings
        self.topic_meta = topics  # topic -> (rights, playbook)
        self.index: dict[str, list[_Entry]] = {}
        for uid, (label, group, extra, _where) in enumerate(entries):
            words = tokens(label)
            exact = tuple(words) if label.upper() == label and label.lower() != label else None
            low = [w.casefold() for w in words]
            entry = _Entry(uid, tuple(low[1:]), group, label, exact=exact, **extra)
            self.index.setdefault(low[0], []).append(entry)
        for candidates in self.index.values():  # longest phrase first: it wins within a group
            candidates.sort(key=lambda e: -len(e.rest))

    def _scan(self, text: str, title: bool, hits: list[tuple[_Entry, float, bool]]) -> None:
        """Append (entry, field weight, title?) for every term in ``text``, each at most once."""
        original = tokens(text)
        if not original:
            return
        weight = self.settings["title_weight" if title else "summary_weight"]
        low = " ".join(original).casefold().split(" ")
        covered: dict[str, int] = {}
        seen: set[int] = set()
        index = self.index
        for i, word in enumerate(low):
            candidates = index.get(word)
            if candidates is None:
                continue
            for entry in candidates:
                if covered.get(entry.group, 0) > i:
                    continue
                end = i + 1 + len(entry.rest)
                if entry.rest and tuple(low[i + 1 : end]) != entry.rest:
                    continue
                if entry.exact is not None and tuple(original[i:end]) != entry.exact:
                    continue
                covered[entry.group] = end
                if entry.uid not in seen:
                    seen.add(entry.uid)
                    hits.append((entry, weight, title))

    def classify(
        self, title: str, summary: str, default_jurisdiction: str | None = None
    ) -> Classification:
        """Score one feed item. Never raises on odd input (empty, huge, HTML, any script)."""
        s = self.settings
        limit = int(s["max_chars"])
        hits: list[tuple[_Entry, float, bool]] = []
        self._scan(_clean(title, limit), True, hits)
        self._scan(_clean(summary, limit), False, hits)
        topic_pts: dict[str, float] = {}
        places: dict[str, float] = {}
        action = exclusion = 0.0  # title action points; summary ones are kept apart:
        summary_action: list[float] = []  # only the strongest N count (long texts ramble)
        extra_rights: list[str] = []
        matched: list[str] = []
        for entry, weight, in_title in hits:
            group = entry.group
            if group == JURISDICTION:
                if entry.value != "INTL":
                    places[entry.value] = places.get(entry.value, 0.0) + entry.weight * weight
                if in_title:  # "Norway blocks ..." = its state; institutions act anywhere
                    action += entry.action * weight
                elif entry.kind == "institution":
                    summary_action.append(entry.action * weight)
                item = f"{entry.kind} {entry.value}: {entry.label}"
            elif group == ACTION:
                if in_title:
                    action += entry.weight * weight
                else:
                    summary_action.append(entry.weight * weight)
                item = f"action: {entry.label}"
            elif group == EXCLUSION:
                exclusion += entry.weight * weight
                item = f"exclusion: {entry.label}"
            elif group.startswith(RIGHT):
                extra_rights.append(entry.value)
                item = f"{entry.value}: {entry.label}"
            else:
                topic_pts[group] = topic_pts.get(group, 0.0) + entry.weight * weight
                item = f"{group}: {entry.label}"
            if item not in matched:
                matched.append(item)
        summary_action.sort(reverse=True)
        action += sum(summary_action[: int(s["summary_action_terms"])])
        total = min(sum(topic_pts.values()), s["topic_cap"])
        score = round(total * min(action, s["action_full"]) / s["action_full"] + exclusion, 2)
        ranked = sorted(topic_pts, key=lambda t: -topic_pts[t])
        topics = tuple(t for t in ranked if topic_pts[t] >= s["topic_min"]) or tuple(ranked[:1])
        rights: list[str] = []
        for name in [r for t in topics for r in self.topic_meta[t][0]] + extra_rights:
            if name not in rights and topics:
                rights.append(name)
        codes = tuple(sorted(places, key=lambda c: -places[c]))
        if not codes and default_jurisdiction:
            codes = (default_jurisdiction,)
        playbook = self.topic_meta[topics[0]][1] if topics else None
        flagged = score >= s["threshold"]
        return Classification(
            score, flagged, topics, tuple(rights), codes, tuple(matched), playbook
        )


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class _Compiler:
    """Validates parsed rules, collecting every problem as ``file:line: field: message``."""

    def __init__(self, data: dict[str, Any], lines: _Lines, path: Path):
        self.data, self.lines, self.path = data, lines, path
        self.problems: list[str] = []
        self.entries: list[Term] = []

    def where(self, table: str, key: str = "", element: str = "") -> str:
        field = ".".join(part for part in (table, key) if part)
        return f"{self.path}:{self.lines.line(table, key, element)}: {field}"

    def add(self, table: str, key: str, message: str, element: str = "") -> None:
        self.problems.append(f"{self.where(table, key, element)}: {message}")

    def table(self, parent: dict[str, Any], name: str, where: str) -> dict[str, Any]:
        value = parent.get(name, {})
        if isinstance(value, dict):
            return value
        self.add("" if where == name else where, name, "must be a table")
        return {}

    def terms(self, data: dict[str, Any], table: str, group: str, sign: int) -> None:
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
                    else:
                        extra = {"weight": float(weight)}
                        self.entries.append((variant, group, extra, self.where(table, key)))

    def names(self, data: dict[str, Any], key: str, table: str) -> list[str]:
        value = data.get(key, [])
        if isinstance(value, list) and all(isinstance(v, str) and tokens(v) for v in value):
            return value
        self.add(table, key, "must be a list of non-empty strings")
        return []

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

    def topics(self) -> dict[str, tuple[tuple[str, ...], str]]:
        topics: dict[str, tuple[tuple[str, ...], str]] = {}
        for name, body in self.table(self.data, "topics", "topics").items():
            table = f"topics.{name}"
            if name not in TOPICS:
                self.add(table, "", f"unknown topic {name!r} (known: {', '.join(TOPICS)})")
                continue
            if not isinstance(body, dict):
                self.add(table, "", "must be a table")
                continue
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
            topics[name] = (tuple(r for r in rights if r in RIGHTS), str(playbook))
            self.terms(self.table(body, "terms", table), f"{table}.terms", name, 1)
        return topics

    def places(self, settings: dict[str, float]) -> None:
        rights = self.table(self.data, "extra_rights", "extra_rights")
        for right in rights:
            if right not in RIGHTS:
                self.add("extra_rights", right, f"unknown right (known: {', '.join(RIGHTS)})")
                continue
            where = self.where("extra_rights", right)
            for name in self.names(rights, right, "extra_rights"):
                self.entries.append((name, RIGHT + right, {"weight": 0.0, "value": right}, where))
        kinds = {"places": "place", "institutions": "institution"}
        for code, body in self.table(self.data, "jurisdictions", "jurisdictions").items():
            table = f"jurisdictions.{code}"
            if not CODE_RE.match(code) or not isinstance(body, dict):
                self.add("jurisdictions", code, "must be named by an ISO 3166 code, EU or INTL")
                continue
            for field in sorted(set(body) - {"name", *kinds}):
                self.add(table, field, "unknown field (known: name, places, institutions)")
            for key, kind in kinds.items():
                where = self.where(table, key)
                extra = {
                    "weight": settings[f"{kind}_points"],
                    "value": code,
                    "action": settings[f"{kind}_action"],
                    "kind": kind,
                }
                for name in self.names(body, key, table):
                    self.entries.append((name, JURISDICTION, extra, where))

    def compile(self) -> Classifier:
        settings = self.settings()
        topics = self.topics()
        action = self.table(self.data, "action", "action")
        self.terms(self.table(action, "terms", "action"), "action.terms", ACTION, 1)
        exclusions = self.table(self.data, "exclusions", "exclusions")
        self.terms(self.table(exclusions, "terms", "exclusions"), "exclusions.terms", EXCLUSION, -1)
        self.places(settings)
        seen: dict[tuple[str, tuple[str, ...]], str] = {}
        for label, group, _extra, where in self.entries:
            key = (group, tuple(w.casefold() for w in tokens(label)))
            if key in seen:
                first = seen[key]
                self.problems.append(f"{where}: {label!r} repeats {first}; it would never fire")
            seen.setdefault(key, where.split(": ")[0])
        if self.problems:
            raise RulesError(self.problems)
        return Classifier(settings, topics, self.entries)


def load_rules(path: str | Path) -> Classifier:
    """Read, validate and compile a rules file; raise :class:`RulesError` listing every problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RulesError([f"{path}:1: file: cannot read rules: {exc}"]) from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        line = match.group(1) if match else 1
        raise RulesError([f"{path}:{line}: toml: invalid TOML: {exc}"]) from exc
    return _Compiler(data, _Lines(text), path).compile()
