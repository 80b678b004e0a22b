"""Full-text search across cases, their analyses and decisions, with filters.

SQLite: the FTS5 table ``case_fts`` (porter stemming), ``MATCH`` and ``bm25`` with the title
weighted above the body. PostgreSQL: the generated ``case_documents.tsv`` (title weight A, body
B) with ``websearch_to_tsquery('english', …)`` of each word or phrase (joined with
tsquery_and/or/not), ``ts_rank`` and ``ts_headline``. Either way the query is rebuilt from the
words typed (:mod:`.terms`), restricted cases are left out for whoever may not see them
(``perm.visible_case_clause``), and a page of results comes with the total. Snippets are
computed for the page shown only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    ColumnClause,
    String,
    bindparam,
    cast,
    column,
    func,
    literal_column,
    select,
    table,
    text,
)

from ..actor import Actor
from ..assessment.models import Assessment
from ..auth import permissions as perm
from ..cases.models import Case
from ..errors import Invalid, NotFound
from ..extensions import db
from ..playbooks import registry
from ..schemas import parse as parse_input
from .inputs import SearchFilters
from .models import CaseDocument
from .terms import HIT_END, HIT_START, Query, parse

FILTERS = ("playbook", "jurisdiction", "status", "right", "year", "opened_from", "opened_to")
TITLE_WEIGHT, BODY_WEIGHT = 5.0, 1.0  # bm25 column weights on SQLite
HEADLINE = (
    f"StartSel={HIT_START}, StopSel={HIT_END}, MaxWords=30, MinWords=12, ShortWord=2, "
    'MaxFragments=2, FragmentDelimiter=" … "'
)


@dataclass
class Hit:
    ref: str
    title: str
    status: str
    playbook: str
    jurisdiction: str
    restricted: bool
    opened_at: datetime
    rank: float
    snippet: str = ""  # marked with HIT_START/HIT_END; see terms.segments


def clean_filters(raw: SearchFilters | Mapping[str, Any]) -> dict[str, Any]:
    """The filters given (parsed); 422 naming the field otherwise."""
    wanted = parse_input(SearchFilters, raw)
    out = {name: value for name, value in wanted.model_dump(include=set(FILTERS)).items() if value}
    if out.get("opened_from") and out.get("opened_to") and out["opened_from"] > out["opened_to"]:
        raise Invalid("opened_from is after opened_to", field="opened_from")
    return out


def _start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def rights_clause(right: str):  # noqa: ANN201
    """Cases whose rights include ``right``: the assessment's rights when it names any, else
    the playbook's rights."""
    with_right = [key for key, p in registry().playbooks.items() if right in p.rights]
    # Rights are fixed keys (RIGHTS), so the quoted key is an exact element of the JSON list.
    assessed = select(Assessment.case_id).where(
        Assessment.case_id == Case.id, cast(Assessment.rights, String).like(f'%"{right}"%')
    )
    named_any = select(Assessment.case_id).where(
        Assessment.case_id == Case.id, cast(Assessment.rights, String).like('%"%')
    )
    return assessed.exists() | (~named_any.exists() & Case.playbook_key.in_(with_right))


def _filtered(query, filters: dict[str, Any]):  # noqa: ANN001, ANN202
    if "playbook" in filters:
        query = query.where(Case.playbook_key == filters["playbook"])
    if "jurisdiction" in filters:
        query = query.where(Case.jurisdiction == filters["jurisdiction"])
    if "status" in filters:
        query = query.where(Case.status == filters["status"])
    if "right" in filters:
        query = query.where(rights_clause(filters["right"]))
    if "year" in filters:
        first = date(filters["year"], 1, 1)
        query = query.where(
            Case.opened_at >= _start(first),
            Case.opened_at < _start(date(filters["year"] + 1, 1, 1)),
        )
    if filters.get("opened_from"):
        query = query.where(Case.opened_at >= _start(filters["opened_from"]))
    if filters.get("opened_to"):
        query = query.where(Case.opened_at < _start(filters["opened_to"] + timedelta(days=1)))
    return query


FTS = table("case_fts", column("rowid"))  # SQLite only; created by the migrations
COLUMNS = (
    Case.id,
    Case.ref,
    Case.title,
    Case.status,
    Case.playbook_key,
    Case.jurisdiction,
    Case.restricted,
    Case.opened_at,
)


def search(
    actor: Actor,
    q: Any,
    filters: SearchFilters | Mapping[str, Any],
    limit: int = 20,
    offset: int = 0,
) -> tuple[list[Hit], int]:
    """Cases matching ``q`` that the actor may see, best first, and how many there are."""
    if actor.user is None:
        raise NotFound("no cases")
    query = parse(q)
    cleaned = clean_filters(filters)
    if db.session.get_bind().dialect.name == "postgresql":
        match, rank = _postgres(query)
        source = select(*COLUMNS, rank.label("rank")).join(
            CaseDocument, CaseDocument.case_id == Case.id
        )
    else:
        match, rank = _sqlite(query)
        source = (
            select(*COLUMNS, rank.label("rank")).select_from(FTS).join(Case, Case.id == FTS.c.rowid)
        )
    base = _filtered(source.where(match, perm.visible_case_clause(actor.user)), cleaned)
    total = db.session.execute(select(func.count()).select_from(base.subquery())).scalar_one()
    rows = db.session.execute(
        base.order_by(literal_column("rank").desc(), Case.opened_at.desc(), Case.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    snippets = _snippets(query, [row.id for row in rows])
    hits = [
        Hit(
            ref=row.ref,
            title=row.title,
            status=row.status,
            playbook=row.playbook_key,
            jurisdiction=row.jurisdiction,
            restricted=row.restricted,
            opened_at=row.opened_at,
            rank=round(float(row.rank or 0.0), 6),
            snippet=snippets.get(row.id, ""),
        )
        for row in rows
    ]
    return hits, total


def _sqlite(query: Query):  # noqa: ANN202
    match = text("case_fts MATCH :fts").bindparams(bindparam("fts", query.fts5()))
    rank: ColumnClause[float] = literal_column(f"-bm25(case_fts, {TITLE_WEIGHT}, {BODY_WEIGHT})")
    return match, rank


def _postgres(query: Query):  # noqa: ANN202
    tsv: ColumnClause[Any] = literal_column("case_documents.tsv")
    tsq = query.tsquery()
    return tsv.op("@@")(tsq), func.ts_rank(tsv, tsq)


def _snippets(query: Query, ids: list[int]) -> dict[int, str]:
    """Marked snippets of the body for one page of results (computed for that page only)."""
    if not ids:
        return {}
    if db.session.get_bind().dialect.name == "postgresql":
        headline = func.ts_headline(
            literal_column("'english'"), CaseDocument.body, query.tsquery(), HEADLINE
        )
        found = select(CaseDocument.case_id, headline).where(CaseDocument.case_id.in_(ids))
    else:
        snippet: ColumnClause[str] = literal_column(
            f"snippet(case_fts, 1, '{HIT_START}', '{HIT_END}', ' … ', 24)"
        )
        found = select(FTS.c.rowid, snippet).where(
            text("case_fts MATCH :fts").bindparams(fts=query.fts5()), FTS.c.rowid.in_(ids)
        )
    return {int(case_id): value or "" for case_id, value in db.session.execute(found).all()}
