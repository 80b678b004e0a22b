"""Words in, safe full-text queries out; highlighted snippets back to text segments.

User input is never handed to a full-text query parser as typed. It is read here into a small
structure (words, "quoted phrases", ``-excluded`` words, ``OR`` between alternatives) made only of
letters and digits, and rendered from that structure as an FTS5 expression (every term quoted)
or as a PostgreSQL tsquery built from ``websearch_to_tsquery`` of each word or phrase (which
never raises) joined by tsquery_and/or/not, so both mean the same. Whatever is typed —
quotes, NUL bytes, operators, emoji, 10,000 characters — gives a query or a clear 422.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import reduce
from typing import Any

from sqlalchemy import ColumnClause, func, literal_column

from .. import validate
from ..errors import Invalid

WORD_RE = re.compile(r"[^\W_]+")
MAX_QUERY_CHARS = 500
MAX_QUERY_WORDS = 32
# Private-use characters around a hit in a snippet: never meaningful in case text, and text
# is split on them into plain segments (never interpreted as markup).
HIT_START, HIT_END = "\ue000", "\ue001"

STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself""".split()  # noqa: SIM905
)


def words(text: str) -> list[str]:
    """Lower-case words (letters and digits) of ``text``."""
    return WORD_RE.findall(text.lower())


def stem(word: str) -> str:
    """A light suffix-stripper, only to count "localisation" and "localised" as one term."""
    for suffix in ("isations", "izations", "isation", "ization", "ations", "ation", "ions", "ion",
                   "ings", "ing", "ised", "ized", "ises", "izes", "ise", "ize", "ies", "ed",
                   "es", "s"):  # fmt: skip
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


@dataclass(frozen=True)
class Part:
    """A word or a phrase (several words in a row), possibly excluded."""

    words: tuple[str, ...]
    negated: bool = False


@dataclass
class Query:
    """Clauses that must all match; each clause is a list of alternatives (``OR``)."""

    clauses: list[list[Part]] = field(default_factory=list)
    excluded: list[Part] = field(default_factory=list)

    def fts5(self) -> str:
        """An FTS5 MATCH expression: every word inside double quotes, so nothing in it is an
        operator or a column filter."""

        def phrase(part: Part) -> str:
            return '"' + " ".join(part.words) + '"'

        positive = " AND ".join(
            "(" + " OR ".join(phrase(p) for p in clause) + ")" for clause in self.clauses
        )
        return positive + "".join(f" NOT {phrase(p)}" for p in self.excluded)

    def tsquery(self, config: str = "english") -> Any:
        """A PostgreSQL tsquery expression with the same meaning: each word or phrase through
        ``websearch_to_tsquery`` (which never raises), combined with tsquery_and/or/not."""
        english: ColumnClause[str] = literal_column(f"'{config}'")

        def phrase(part: Part) -> Any:
            text = " ".join(part.words)
            return func.websearch_to_tsquery(english, f'"{text}"' if len(part.words) > 1 else text)

        combined = reduce(
            func.tsquery_and, (reduce(func.tsquery_or, map(phrase, c)) for c in self.clauses)
        )
        for part in self.excluded:
            combined = func.tsquery_and(combined, func.tsquery_not(phrase(part)))
        return combined

    @property
    def terms(self) -> list[str]:
        return [w for clause in self.clauses for p in clause for w in p.words]


TOKEN_RE = re.compile(r'(-?)"([^"]*)"?|(\S+)')


def parse(raw: object, field_name: str = "q") -> Query:
    """Read what a user typed into a :class:`Query`; 422 when nothing searchable is left."""
    if not isinstance(raw, str):
        raise Invalid(f"{field_name} must be text", field=field_name)
    text = validate.storable(raw, field_name).strip()
    if not text:
        raise Invalid("type one or more words to search for", field=field_name)
    if len(text) > MAX_QUERY_CHARS:
        raise Invalid(
            f"{field_name} is too long ({len(text)} > {MAX_QUERY_CHARS} characters)",
            field=field_name,
        )
    query, pending_or, count = Query(), False, 0
    for match in TOKEN_RE.finditer(text):
        minus, quoted, bare = match.groups()
        if bare is not None and bare == "OR":
            pending_or = bool(query.clauses)
            continue
        negated = bool(minus) or (bare is not None and bare.startswith("-") and len(bare) > 1)
        found = tuple(words(quoted if quoted is not None else bare))
        if bare is not None and not negated and len(found) == 1 and found[0] in STOPWORDS:
            continue  # "the": matches nearly everything on one database, nothing on the other
        if not found:
            continue
        count += len(found)
        if count > MAX_QUERY_WORDS:
            raise Invalid(f"search for at most {MAX_QUERY_WORDS} words", field=field_name)
        part = Part(found, negated)
        if negated:
            query.excluded.append(part)
        elif pending_or:
            query.clauses[-1].append(part)
        else:
            query.clauses.append([part])
        pending_or = False
    if not query.clauses:
        message = (
            "search for at least one word that is not excluded"
            if query.excluded
            else "nothing searchable in the query: use letters or digits (common words like "
            "'the' are ignored)"
        )
        raise Invalid(message, field=field_name)
    return query


def segments(snippet: str | None) -> list[tuple[str, bool]]:
    """Split a snippet marked with HIT_START/HIT_END into ``(text, is_hit)`` pieces; any
    stray marker just toggles, so text from the database can never open markup."""
    out: list[tuple[str, bool]] = []
    hit = False
    current: list[str] = []
    for ch in snippet or "":
        if ch in (HIT_START, HIT_END):
            if current:
                out.append(("".join(current), hit))
                current = []
            hit = ch == HIT_START
        else:
            current.append(ch)
    if current:
        out.append(("".join(current), hit))
    return out


def plain(snippet: str | None) -> str:
    return "".join(text for text, _ in segments(snippet))
