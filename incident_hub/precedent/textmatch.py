"""The text half of precedent: a case's most distinctive terms, and the candidate cases.

Terms come from the case's title, instrument, legal basis, summary and current analyses (title
and instrument count three times), grouped by a light stem. How common each is across all cases
is read from the full-text index: SQLite counts matches in ``case_fts`` (each count capped, so
a common word costs little); PostgreSQL reads the planner's statistics of ``case_documents.tsv``
(its most common lexemes and their frequencies) when there are enough cases for them to mean
something, and counts the rest through the GIN index. The most distinctive terms (tf·idf),
within a budget of index entries to read, are then looked up together: each term's matches
carry its weight, and the database sums them per case and returns the best few dozen with a bit
mask of the terms each shares. Only our own table names and numbers are put into SQL text; every
word is a bound parameter.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.types import Text

from ..cases.models import Case
from ..extensions import db
from .concepts import Concepts, lookup_branch
from .terms import STOPWORDS, stem, words

FIELD_BOOST = {"title": 3.0, "instrument": 3.0, "legal_basis": 1.0, "summary": 1.0, "analysis": 1.0}
PROFILE_TERMS = 24  # the case's terms whose frequency across cases is looked up
QUERY_TERMS = 10  # at most this many of them are searched for
COMMON_SHARE = 0.10  # a term in more than this share of cases says little about a case
POSTING_BUDGET = 0.3  # index entries read for the search, as a share of all cases
STATS_MIN_CASES = 2000  # below this, PostgreSQL's statistics are not trusted (and not needed)
CANDIDATES = 40  # best text matches ranked by the database (text is 0.15 of the score)
STRUCTURE = 20  # recent cases of the same playbook (same jurisdiction first)


PUBLIC_IDS = "SELECT id FROM cases WHERE restricted = false"  # noqa: S608 (no input)


@dataclass(frozen=True)
class Scope:
    """The cases a viewer may see, for candidate look-ups written as SQL text: every case, or
    the unrestricted ones and the few restricted ones given by id (``perm``'s answer)."""

    every: bool
    restricted_ids: frozenset[int] = frozenset()

    def sql(self, column: str) -> str:
        """A condition on ``column`` (a case id), or "" when every case may be seen."""
        if self.every:
            return ""
        mine = ",".join(str(int(i)) for i in sorted(self.restricted_ids))
        return f"({column} IN ({PUBLIC_IDS})" + (f" OR {column} IN ({mine}))" if mine else ")")

    def allows(self, case_id: int, restricted: bool) -> bool:
        return self.every or not restricted or case_id in self.restricted_ids

    @property
    def sees_restricted(self) -> bool:
        return self.every or bool(self.restricted_ids)


@dataclass
class Term:
    word: str  # as written in the case (shown in the reasons)
    weight: float = 0.0


class IndexScans:
    """On PostgreSQL, steer term look-ups to the GIN index for the statements inside: the
    planner does not see that a sequential scan de-TOASTs every row's tsvector, which is what
    makes it slow. With sequential scans priced out, every plan looks expensive, so JIT
    compilation (tens of milliseconds) and parallel workers are turned off too. Transaction-
    local settings, restored on the way out."""

    SETTINGS = {"enable_seqscan": "off", "jit": "off", "max_parallel_workers_per_gather": "0"}
    # About how many cases there are, counting only unrestricted ones: term rarity is read
    # from documents every user may see, so a restricted case changes no one's scores.
    SIZE = "(SELECT max(id) FROM cases WHERE restricted = false)"
    ENTER = text(
        "SELECT "
        + ", ".join(f"current_setting('{name}')" for name in SETTINGS)
        + ", "
        + ", ".join(f"set_config('{name}', '{value}', true)" for name, value in SETTINGS.items())
        + f", {SIZE}"
    )
    EXIT = text(
        "SELECT "
        + ", ".join(f"set_config('{name}', :v{i}, true)" for i, name in enumerate(SETTINGS))
    )

    def __init__(self, postgres: bool):
        self.postgres = postgres
        self.previous: tuple[Any, ...] | None = None  # the settings to restore
        self.size: int = 1

    def __enter__(self) -> IndexScans:
        """Also reads the number of cases (in the same round trip on PostgreSQL)."""
        if self.postgres:
            row = db.session.execute(self.ENTER).one()
            self.previous, self.size = row[: len(self.SETTINGS)], row[-1] or 1
        else:
            self.size = db.session.execute(text(f"SELECT {self.SIZE}")).scalar() or 1  # noqa: S608
        return self

    def __exit__(self, *exc: object) -> None:
        if self.postgres and self.previous is not None and not any(exc):
            db.session.execute(self.EXIT, {f"v{i}": v for i, v in enumerate(self.previous)})


def profile(case: Case) -> list[tuple[str, float]]:
    """The case's own words, grouped by a light stem and weighted by where and how often they
    appear, heaviest first; the most frequent spelling stands for its group."""
    texts = [
        ("title", case.title),
        ("instrument", case.instrument),
        ("legal_basis", case.legal_basis),
        ("summary", case.summary),
    ] + [("analysis", a.text) for a in case.current_analyses().values() if not a.privileged]
    weight: defaultdict[str, float] = defaultdict(float)  # FIELD_BOOST weights are floats
    spelling: dict[str, Counter[str]] = {}
    for name, value in texts:
        for word in words(value or ""):
            if word in STOPWORDS or len(word) < 3:
                continue
            key = stem(word)
            weight[key] += FIELD_BOOST[name]
            spelling.setdefault(key, Counter())[word] += 1
    ranked = sorted(weight.items(), key=lambda kv: (-kv[1], -len(kv[0]), kv[0]))
    return [(spelling[key].most_common(1)[0][0], w) for key, w in ranked[:PROFILE_TERMS]]


def _match(index: int, postgres: bool, table: str = "case_fts") -> str:
    if postgres:
        return f"tsv @@ plainto_tsquery('english', :t{index})"
    return f"{table} MATCH :t{index}"


def _bind(word: str, postgres: bool) -> str:
    return word if postgres else f'"{word}"'  # words are letters and digits only


def _source(postgres: bool) -> tuple[str, str]:
    return ("case_id", "case_documents") if postgres else ("rowid", "case_fts")


def _counts(found: list[str], postgres: bool, cap: int) -> list[int]:
    """How many cases match each word, counting no further than ``cap``."""
    if not found:
        return []
    _, table = _source(postgres)
    # Unrestricted documents only: case_fts holds no other on SQLite.
    public = f" AND case_id IN ({PUBLIC_IDS})" if postgres else ""
    counts = ", ".join(
        f"(SELECT count(*) FROM (SELECT 1 FROM {table} WHERE {_match(i, postgres)}{public} "  # noqa: S608
        f"LIMIT {int(cap)}) s{i})"
        for i in range(len(found))
    )
    params = {f"t{i}": _bind(word, postgres) for i, word in enumerate(found)}
    return list(db.session.execute(text(f"SELECT {counts}"), params).one())  # noqa: S608


def _statistics(found: list[str], size: int) -> dict[str, float | None]:
    """PostgreSQL: word -> estimated number of cases from the column statistics; None when the
    word is not among the most common lexemes (rare: count it), 0 when it is a stop word."""
    rows = db.session.execute(
        text(
            "WITH s AS (SELECT most_common_elems::text::text[] AS e, most_common_elem_freqs AS f "
            "FROM pg_stats WHERE tablename = 'case_documents' AND attname = 'tsv' "
            "AND schemaname = current_schema()) "
            "SELECT w, l.lex, s.f[array_position(s.e, l.lex)] FROM unnest(:words) AS w "
            "CROSS JOIN LATERAL (SELECT (tsvector_to_array(to_tsvector('english', w)))[1] "
            "AS lex) l LEFT JOIN s ON true"
        ).bindparams(bindparam("words", type_=ARRAY(Text))),
        {"words": found},
    ).all()
    return {
        w: (0.0 if lex is None else None if freq is None else freq * size) for w, lex, freq in rows
    }


def document_frequencies(found: list[str], postgres: bool, size: int, cap: int) -> list[float]:
    if postgres and size >= STATS_MIN_CASES:
        estimated = _statistics(found, size)
        unknown = [w for w in found if estimated.get(w) is None]
        estimated.update(zip(unknown, _counts(unknown, postgres, cap), strict=True))
        return [float(estimated[w] or 0) for w in found]
    return [float(n) for n in _counts(found, postgres, cap)]


def distinctive_terms(case: Case, postgres: bool, size: int) -> list[Term]:
    """The case's terms that are rare across ``size`` cases but frequent in this one (tf·idf),
    at most QUERY_TERMS of them and within the budget of index entries, heaviest first."""
    own = profile(case)
    if not own:
        return []
    cap = max(20, int(COMMON_SHARE * size))
    frequencies = document_frequencies([w for w, _ in own], postgres, size, cap)
    ranked = sorted(
        (
            (Term(word, (1 + math.log(tf)) * math.log(size / df)), df)
            for (word, tf), df in zip(own, frequencies, strict=True)
            if 2 <= df < cap  # in at least one other case, and not in most of them
        ),
        key=lambda pair: (-pair[0].weight, pair[0].word),
    )
    chosen: list[Term] = []
    budget = max(200.0, POSTING_BUDGET * size)
    for term, df in ranked:
        if len(chosen) == QUERY_TERMS:
            break
        if df <= budget:
            chosen.append(term)
            budget -= df
    return chosen


def _text_sources(postgres: bool, scope: Scope) -> list[tuple[str, str, str]]:
    """(id column, table, condition) of the indexes to look terms up in, for ``scope``."""
    if postgres:
        where = scope.sql("case_id")
        return [("case_id", "case_documents", f" AND {where}" if where else "")]
    out = [("rowid", "case_fts", "")]  # unrestricted cases only
    if scope.sees_restricted:  # restricted cases only: those of the scope, by id (no OR
        # next to MATCH, which FTS5 cannot plan)
        mine = ",".join(str(int(i)) for i in sorted(scope.restricted_ids))
        out.append(("rowid", "search_restricted", "" if scope.every else f" AND rowid IN ({mine})"))
    return out


def candidates(
    case: Case,
    terms: list[Term],
    postgres: bool,
    concepts: Concepts | None = None,
    scope: Scope = Scope(every=True),
) -> dict[int, int]:
    """Case id -> bit mask of the terms it shares with ``case``: the CANDIDATES cases with the
    highest summed weight of shared terms (ranked by the database), the STRUCTURE most recent
    cases of the same playbook, same jurisdiction first, and the cases sharing the most of
    its ``concepts`` (see :func:`.concepts.lookup_branch`); mask 0 unless also a text match.
    One statement, whatever the data, the case itself left out."""
    seen = scope.sql("id")
    structure = (
        "SELECT id, 0 AS mask FROM (SELECT id FROM cases WHERE playbook_key = :playbook "  # noqa: S608
        f"AND id != :self{' AND ' + seen if seen else ''} "
        "ORDER BY (jurisdiction = :jurisdiction) DESC, opened_at DESC "
        f"LIMIT {STRUCTURE}) recent"
    )
    params: dict[str, Any] = {
        "self": case.id,
        "playbook": case.playbook_key,
        "jurisdiction": case.jurisdiction,
    }
    sql = structure
    alike = lookup_branch(concepts, params, scope.sql("case_id")) if concepts is not None else None
    if alike is not None:
        sql += " UNION ALL " + alike
    if terms:
        branches = " UNION ALL ".join(
            f"SELECT {key} AS id, CAST(:w{i} AS FLOAT) AS w, {1 << i} AS bit "  # noqa: S608
            f"FROM {table} WHERE {_match(i, postgres, table)}{where}"
            for i in range(len(terms))
            for key, table, where in _text_sources(postgres, scope)
        )
        sql += (
            " UNION ALL SELECT id, mask FROM (SELECT id, SUM(bit) AS mask "  # noqa: S608
            f"FROM ({branches}) hits WHERE id != :self "
            f"GROUP BY id ORDER BY SUM(w) DESC, id DESC LIMIT {CANDIDATES}) best"
        )
        for i, term in enumerate(terms):
            params[f"t{i}"], params[f"w{i}"] = _bind(term.word, postgres), term.weight
    found: dict[int, int] = {}
    for row in db.session.execute(text(sql), params):
        found[int(row.id)] = found.get(int(row.id), 0) | int(row.mask)
    return found
