"""Ranking restricted cases' search hits on SQLite without telling of other restricted cases.

FTS5's bm25 reads statistics of the whole table it ranks in: how many documents, how many
hold each phrase, their average length. Ranked in one table with every case, a restricted case
changed the ranks everyone saw (a lead could test which words a hidden case holds). So the
index is split (migration 0016): ``case_fts`` holds unrestricted cases only, and every user's
unrestricted hits are ranked there by FTS5 itself, from statistics of documents every user may
see. ``search_restricted`` holds restricted cases, and its statistics are never used: they would
tell a member of one restricted case about the others.

A restricted hit (shown only to whoever may see it) is scored here by the same bm25 formula as
FTS5's (k1 1.2, b 0.75, title weighted 5, body 1, an idf floor of 1e-6), as if it were one more
document of the public index: the counts come from ``case_fts`` and from the document itself,
nothing from any other restricted case. Its score is thus on the public hits' scale, and what
it is depends only on documents the viewer may see. Words are counted with the light stemmer of
:mod:`.terms` (FTS5 uses Porter's), so a score can differ a little from the one FTS5 would give;
which documents match is always FTS5's own answer.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass

from sqlalchemy import text

from ..extensions import db
from .terms import Part, Query, stem, words

K1, B = 1.2, 0.75
IDF_FLOOR = 1e-6  # as FTS5: a phrase in more than half the documents still counts a little


@dataclass(frozen=True)
class Corpus:
    """The public index's statistics: documents, and tokens per document on average."""

    rows: int
    average_length: float


def _varints(blob: bytes) -> list[int]:
    """SQLite's variable-length integers (1-9 bytes, big-endian, 7 bits a byte)."""
    out, i = [], 0
    while i < len(blob):
        value = 0
        for k in range(9):
            byte = blob[i]
            i += 1
            if k == 8:
                value = (value << 8) | byte
                break
            value = (value << 7) | (byte & 0x7F)
            if not byte & 0x80:
                break
        out.append(value)
    return out


def public_corpus() -> Corpus:
    """Read from FTS5's own "averages" record of ``case_fts`` (row 1 of its data table: the
    number of rows, then the tokens of each column), as its bm25 reads it."""
    blob = db.session.execute(text("SELECT block FROM case_fts_data WHERE id = 1")).scalar()
    numbers = _varints(bytes(blob or b""))
    rows = numbers[0] if numbers else 0
    tokens = sum(numbers[1:3])
    return Corpus(rows, tokens / rows if rows else 0.0)


def _tokens(value: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", value)
    plain = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return [stem(w) for w in words(plain)]


def _occurrences(part: Part, tokens: list[str]) -> int:
    wanted = [stem(w) for w in part.words]
    size = len(wanted)
    return sum(tokens[i : i + size] == wanted for i in range(len(tokens) - size + 1))


def public_hits(parts: list[Part]) -> dict[Part, int]:
    """How many public documents hold each phrase (FTS5's count, as its bm25 makes it)."""
    out = {}
    for part in parts:
        expression = '"' + " ".join(part.words) + '"'  # letters and digits only
        out[part] = db.session.execute(
            text("SELECT count(*) FROM case_fts WHERE case_fts MATCH :q"), {"q": expression}
        ).scalar_one()
    return out


def phrases(query: Query) -> list[Part]:
    return list(dict.fromkeys(p for clause in query.clauses for p in clause))


def score(
    title: str,
    body: str,
    parts: list[Part],
    hits: dict[Part, int],
    corpus: Corpus,
    weights: tuple[float, float],
) -> float:
    """bm25 of one document as one more document of the public corpus."""
    title_tokens, body_tokens = _tokens(title), _tokens(body)
    length = len(title_tokens) + len(body_tokens)
    rows = corpus.rows + 1
    average = (corpus.average_length * corpus.rows + length) / rows
    total = 0.0
    for part in parts:
        in_title = _occurrences(part, title_tokens)
        in_body = _occurrences(part, body_tokens)
        frequency = weights[0] * in_title + weights[1] * in_body
        held = hits.get(part, 0) + (1 if in_title or in_body else 0)
        idf = math.log((rows - held + 0.5) / (held + 0.5))
        idf = idf if idf > 0 else IDF_FLOOR
        norm = K1 * (1 - B + B * length / average) if average else K1
        total += idf * (frequency * (K1 + 1)) / (frequency + norm)
    return total
