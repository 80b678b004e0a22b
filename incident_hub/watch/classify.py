"""Rules-based relevance classifier for feed items (``feeds/rules.toml`` and ``feeds/rules/``).

An item is queued for triage when it reports a *government or legal development* (law, bill,
court ruling, regulator action, official order) that touches a *rights topic* (takedowns,
shutdowns, encryption, surveillance, protest and association laws, ...). The rules are data, so
a policy person can tune them without touching code; this module only applies them
(:mod:`.rules` reads and checks them).

Each item's language is detected (:mod:`.language`), and its words are matched, as stems, against
the terms written in that language; place and institution names of ``rules.toml`` count in every
language, those of a language file in that language only ("AS" is the US in Indonesian). Why
word/phrase lookups rather than one big regex: every term is tokenised and stemmed the same way
as the text, indexed by its first stem, and matched by comparing the following stems. That keeps
the cost per item proportional to its length.

Score = min(topic points, ``topic_cap``) x min(action points, ``action_full``) / ``action_full``
plus exclusion points (negative); that decides whether the item is flagged. A flagged item's
score then gains less than 0.49 for the evidence beyond full credit (see :func:`_depth`), so
the many items the caps score alike are ordered by how much they say. Matches in the title
count ``title_weight`` times; of the summary's action terms only the strongest
``summary_action_terms`` count. Both signals are needed:
topic words alone (a privacy tutorial) or action words alone (a tax ruling) score 0.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import language as lang
from .rules import (
    ACTION,
    EXCLUSION,
    JURISDICTION,
    RIGHT,
    RIGHTS,
    TOPICS,
    Rules,
    RulesError,
    Term,
    read_rules,
    tokens,
)

__all__ = ["RIGHTS", "TOPICS", "Classification", "Classifier", "RulesError", "load_rules"]
_TAG_RE = re.compile(r"<[^>]{0,2000}>")
_TRAILER_RE = re.compile(r"\bthe post\b.{0,600}?\bappeared first on\b.*$", re.I | re.S)


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
    language: str = "en"  # ISO 639-1, detected among the languages the rules cover
    regions: tuple[str, ...] = ()  # places below the national level, e.g. "Manipur (IN)"
    # Every topic with points, strongest first, also those below ``topic_min`` (precedent
    # compares cases on them: a topic one text names in passing is still a shade of meaning).
    topic_points: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class _Entry:
    """One compiled term: the stems after its first, which group it feeds, and its weight."""

    uid: int
    rest: tuple[str, ...]
    group: str
    label: str  # the variant as written in the rules, shown in ``matched``
    weight: float
    value: str = ""
    action: float = 0.0
    kind: str = ""
    exact: tuple[str, ...] | None = None  # original-case tokens for all-caps acronyms
    capital: bool = False  # the text's word must start with a capital, as the name does


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


def _words(text: str, language: str) -> tuple[list[str], list[str], list[str]]:
    """Original tokens, casefolded, and their stems."""
    original = tokens(lang.normalise(text, language))
    folded = list(map(str.casefold, original))
    return original, folded, lang.stemmer(language)(folded)


class Classifier:
    """Compiled rules; build with :func:`load_rules`. Thread-safe and reusable."""

    def __init__(self, rules: Rules):
        self.settings = rules.settings
        self.topic_meta = rules.topics  # topic -> (rights, playbook)
        self.languages = tuple(rules.languages)
        self.indexes: dict[str, dict[str, list[_Entry]]] = {}
        # Names in rules.toml count in every language, those of a language file in its own.
        # In another language they are matched as written (capitalised), never stemmed: the
        # Brazilian state "Pará" must not become Spanish "para", nor "Garante" "garantire".
        self.names: dict[str, dict[str, list[_Entry]]] = {}
        main = self.languages[0]
        problems: list[str] = []
        shared = [t for t in rules.terms if t.group == JURISDICTION and t.language == main]
        for code in self.languages:
            own = [t for t in rules.terms if t.language == code]
            if code == main:
                self.indexes[code], self.names[code] = self._index(own, code, problems), {}
            else:
                self.indexes[code] = self._index(own, code, problems)
                self.names[code] = self._index(shared, code, problems, stem=False)
        if problems:
            raise RulesError(problems)

    @staticmethod
    def _index(
        terms: list[Term], code: str, problems: list[str], stem: bool = True
    ) -> dict[str, list[_Entry]]:
        index: dict[str, list[_Entry]] = {}
        seen: dict[tuple[str, str, tuple[str, ...]], Term] = {}
        for uid, term in enumerate(terms):
            original, folded, stems = _words(term.label, code)
            if not stem:
                stems = folded
            key = (term.group, term.value, tuple(stems))
            first = seen.get(key)
            if first is not None:  # "ban | bans": one stem, one entry
                if first.weight != term.weight and term.language == code:
                    problems.append(
                        f"{term.where}: {term.label!r} is the same word as {first.label!r} "
                        f"({first.where.split(': ')[0]}) once stemmed, with another weight: "
                        "give the word one weight (or write a longer phrase)"
                    )
                continue
            seen[key] = term
            label = term.label
            exact = tuple(original) if label.upper() == label and label.lower() != label else None
            entry = _Entry(
                uid,
                tuple(stems[1:]),
                term.group,
                label,
                term.weight,
                term.value,
                term.action,
                term.kind,
                exact,
                capital=not stem and label[:1].isupper(),
            )
            index.setdefault(stems[0], []).append(entry)
        for candidates in index.values():  # longest phrase first: it wins within a group
            candidates.sort(key=lambda e: -len(e.rest))
        return index

    def language_of(self, title: str, summary: str) -> str:
        """The item's language, among those the rules cover."""
        return lang.detect(f"{title} {summary}", self.languages)

    def _scan(
        self, text: str, code: str, title: bool, hits: list[tuple[_Entry, float, bool, str]]
    ) -> None:
        """Append (entry, field weight, title?, the words as written in the text) for every term
        in ``text``, each at most once."""
        original, folded, stems = _words(text, code)
        if not original:
            return
        weight = self.settings["title_weight" if title else "summary_weight"]
        for index, low in ((self.indexes[code], stems), (self.names[code], folded)):
            if index:
                self._match(index, original, low, (weight, title), hits)

    @staticmethod
    def _match(
        index: dict[str, list[_Entry]],
        original: list[str],
        low: list[str],
        where: tuple[float, bool],
        hits: list[tuple[_Entry, float, bool, str]],
    ) -> None:
        covered: dict[str, int] = {}
        seen: set[int] = set()
        # Most words start no term: find the few that do in one pass, then look closer.
        for i in [i for i, word in enumerate(low) if word in index]:
            for entry in index[low[i]]:
                if covered.get(entry.group, 0) > i:
                    continue
                end = i + 1 + len(entry.rest)
                if entry.rest and tuple(low[i + 1 : end]) != entry.rest:
                    continue
                if entry.exact is not None and tuple(original[i:end]) != entry.exact:
                    continue
                if entry.capital and not original[i][:1].isupper():
                    continue
                covered[entry.group] = end
                if entry.uid not in seen:
                    seen.add(entry.uid)
                    hits.append((entry, *where, " ".join(original[i:end])))

    def classify(
        self,
        title: str,
        summary: str,
        default_jurisdiction: str | None = None,
        language: str | None = None,
    ) -> Classification:
        """Score one feed item. Never raises on odd input (empty, huge, HTML, any script).

        ``language`` skips detection (a caller that already knows it); one the rules do not
        cover is read with the main file's rules."""
        s = self.settings
        limit = int(s["max_chars"])
        title, summary = _clean(title, limit), _clean(summary, limit)
        code = language if language in self.indexes else None
        code = code or self.language_of(title, summary)
        hits: list[tuple[_Entry, float, bool, str]] = []
        self._scan(title, code, True, hits)
        self._scan(summary, code, False, hits)
        return self._verdict(hits, code, default_jurisdiction)

    def _verdict(
        self,
        hits: list[tuple[_Entry, float, bool, str]],
        code: str,
        default_jurisdiction: str | None,
    ) -> Classification:
        s = self.settings
        topic_pts: dict[str, float] = {}
        places: dict[str, float] = {}
        regions: list[str] = []
        action = exclusion = 0.0  # title action points; summary ones are kept apart:
        summary_action: list[float] = []  # only the strongest N count (long texts ramble)
        extra_rights: list[str] = []
        matched: list[str] = []
        for entry, weight, in_title, words in hits:
            group = entry.group
            if group == JURISDICTION:
                if entry.value != "INTL":
                    places[entry.value] = places.get(entry.value, 0.0) + entry.weight * weight
                if entry.kind == "region" and f"{words} ({entry.value})" not in regions:
                    regions.append(f"{words} ({entry.value})")
                if in_title:  # "Norway blocks ..." = its state; institutions act anywhere
                    action += entry.action * weight
                elif entry.kind == "institution":
                    summary_action.append(entry.action * weight)
                item = f"{entry.kind} {entry.value}: {words}"
            elif group == ACTION:
                if in_title:
                    action += entry.weight * weight
                else:
                    summary_action.append(entry.weight * weight)
                item = f"action: {words.casefold() if entry.exact is None else words}"
            elif group == EXCLUSION:
                exclusion += entry.weight * weight
                item = f"exclusion: {words.casefold() if entry.exact is None else words}"
            elif group.startswith(RIGHT):
                extra_rights.append(entry.value)
                item = f"{entry.value}: {words.casefold() if entry.exact is None else words}"
            else:
                topic_pts[group] = topic_pts.get(group, 0.0) + entry.weight * weight
                item = f"{group}: {words.casefold() if entry.exact is None else words}"
            if item not in matched:
                matched.append(item)
        summary_action.sort(reverse=True)
        every_action = action + sum(summary_action)
        action += sum(summary_action[: int(s["summary_action_terms"])])
        topic_sum = sum(topic_pts.values())
        total = min(topic_sum, s["topic_cap"])
        score = round(total * min(action, s["action_full"]) / s["action_full"] + exclusion, 2)
        flagged = score >= s["threshold"]
        if flagged:  # below the threshold the score stays as the rules give it
            surplus = (topic_sum - total) + (every_action - min(action, s["action_full"]))
            score = round(score + _depth(surplus + sum(places.values()), len(matched), s), 3)
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
        return Classification(
            score,
            flagged,
            topics,
            tuple(rights),
            codes,
            tuple(matched),
            playbook,
            code,
            tuple(regions),
            tuple((t, round(topic_pts[t], 2)) for t in ranked),
        )


# The most the evidence beyond full credit adds to a flagged item's score: under the 0.5 steps
# the rules' weights move a score by, so it orders items the rules score alike (the many
# flagged items at topic_cap) and almost never reorders items the rules already separate.
DEPTH_MAX = 0.49


def _depth(surplus: float, signals: int, s: dict[str, float]) -> float:
    """How much more a flagged item says than full credit needs, in [0, DEPTH_MAX): topic
    points beyond the cap, action points beyond full credit (with the summary's action terms
    the score leaves out), the jurisdiction points of the places and institutions it names,
    and, a little, how many distinct signals fired. Saturating, so no one signal runs away."""
    evidence = surplus + 0.1 * signals
    half = 2 * s["topic_cap"]  # evidence worth two full topics earns half of DEPTH_MAX
    return DEPTH_MAX * evidence / (evidence + half)


def load_rules(path: str | Path) -> Classifier:
    """Read, check and compile a rules file and its language files (``<folder>/rules/*.toml``);
    raise :class:`RulesError` listing every problem."""
    return Classifier(read_rules(path))
