"""Full-text search across cases, their analyses and decisions, with filters.

SQLite: the FTS5 table ``case_fts`` of unrestricted cases (porter stemming), ``MATCH`` and
``bm25`` with the title weighted above the body; restricted cases are in ``search_restricted``,
searched only for whoever may see some, and scored one by one against the public statistics
(:mod:`.ranking`), so no rank anyone sees depends on a restricted case they may not see.
PostgreSQL: the generated ``case_documents.tsv`` (title weight A, body B) with
``websearch_to_tsquery('english', …)`` of each word or phrase (joined with
tsquery_and/or/not), ``ts_rank`` and ``ts_headline``, which read only the document and the
query (no statistics of other documents), so one index serves everyone. Either way the query
is rebuilt from the words typed (:mod:`.terms`), restricted cases are left out for whoever may
not see them (``perm.visible_case_clause``), and a page of results comes with the total.
Snippets are computed for the page shown only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace
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
from . import outcomes, ranking
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
    case_id: int = 0
    response: dict[str, Any] | None = None  # what happened next (see _with_responses)


def clean_filters(raw: SearchFilters | Mapping[str, Any]) -> dict[str, Any]:
    """The filters given (parsed); 422 naming the field otherwise."""
    wanted = parse_input(SearchFilters, raw)
    out = {name: value for name, value in wanted.model_dump(include=set(FILTERS)).items() if value}
    if out.get("opened_from") and out.get("opened_to") and out["opened_from"] > out["opened_to"]:
        raise Invalid(
            "opened_from is after opened_to",
            field="opened_from",
            web="“Opened from” is after “Opened to”",
        )
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


# SQLite only; created by the migrations: unrestricted cases, and restricted ones (0016).
FTS = table("case_fts", column("rowid"))
RESTRICTED_FTS = table("search_restricted", column("rowid"))
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
        base = _filtered(source.where(match, perm.visible_case_clause(actor.user)), cleaned)
        total = db.session.execute(select(func.count()).select_from(base.subquery())).scalar_one()
        rows = db.session.execute(base.order_by(*ORDER).limit(limit).offset(offset)).all()
        snippets = _snippets(query, [row.id for row in rows])
        return _with_responses([_hit(row, row.rank, snippets) for row in rows]), total
    hits, total = _search_sqlite(actor, query, cleaned, limit, offset)
    return _with_responses(hits), total


def _with_responses(hits: list[Hit]) -> list[Hit]:
    """Each hit with what happened next in its latest recorded round (one statement)."""
    latest = outcomes.latest_of(h.case_id for h in hits)
    for hit in hits:
        row = latest.get(hit.case_id)
        if row is not None:
            hit.response = outcomes.summary(
                row.round, row.government_response, row.note, row.lesson, row.recorded_at
            )
    return hits


ORDER: tuple[Any, ...] = (literal_column("rank").desc(), Case.opened_at.desc(), Case.id.desc())


def _hit(row: Any, rank: Any, snippets: dict[int, str]) -> Hit:
    return Hit(
        ref=row.ref,
        title=row.title,
        status=row.status,
        playbook=row.playbook_key,
        jurisdiction=row.jurisdiction,
        restricted=row.restricted,
        opened_at=row.opened_at,
        rank=round(float(rank or 0.0), 6),
        snippet=snippets.get(row.id, ""),
        case_id=row.id,
    )


def _search_sqlite(
    actor: Actor, query: Query, cleaned: dict[str, Any], limit: int, offset: int
) -> tuple[list[Hit], int]:
    """Unrestricted hits from ``case_fts``, ranked there by bm25 over unrestricted cases only;
    the restricted cases the actor may see from ``search_restricted``, each scored on its own
    against the same statistics (:mod:`.ranking`); merged best first."""
    user = actor.require_user()
    match, rank = _sqlite(query)
    source = (
        select(*COLUMNS, rank.label("rank")).select_from(FTS).join(Case, Case.id == FTS.c.rowid)
    )
    base = _filtered(source.where(match, perm.visible_case_clause(user)), cleaned)
    total = db.session.execute(select(func.count()).select_from(base.subquery())).scalar_one()
    public = db.session.execute(base.order_by(*ORDER).limit(offset + limit)).all()
    scored: list[tuple[float, Any]] = [(float(row.rank or 0.0), row) for row in public]
    restricted = _restricted_rows(user, query, cleaned)
    if restricted:
        total += len(restricted)
        parts = ranking.phrases(query)
        hits, corpus = ranking.public_hits(parts), ranking.public_corpus()
        weights = (TITLE_WEIGHT, BODY_WEIGHT)
        scored += [
            (ranking.score(row.doc_title, row.body, parts, hits, corpus, weights), row)
            for row in restricted
        ]
    scored.sort(key=lambda pair: (pair[0], pair[1].opened_at, pair[1].id), reverse=True)
    page = scored[offset : offset + limit]
    hidden_from_public = {row.id for row in restricted}
    snippets = _snippets(query, [r.id for _, r in page if r.id not in hidden_from_public])
    snippets |= _snippets(
        query, [r.id for _, r in page if r.id in hidden_from_public], RESTRICTED_FTS
    )
    return [_hit(row, value, snippets) for value, row in page], total


def _restricted_rows(user: Any, query: Query, cleaned: dict[str, Any]) -> list[Any]:
    """Every restricted case matching the query that the user may see (a member's few; every
    restricted case for whoever sees all), with its document's text."""
    if not perm.sees_every_case(user):
        mine = db.session.execute(perm.restricted_visible_ids(user).limit(1)).first()
        if mine is None:
            return []  # the usual case: nothing restricted to rank
    match = text("search_restricted MATCH :fts").bindparams(bindparam("fts", query.fts5()))
    found = (
        select(*COLUMNS, CaseDocument.title.label("doc_title"), CaseDocument.body)
        .select_from(RESTRICTED_FTS)
        .join(Case, Case.id == RESTRICTED_FTS.c.rowid)
        .join(CaseDocument, CaseDocument.case_id == Case.id)
        .where(match, Case.restricted.is_(True), perm.visible_case_clause(user))
    )
    rows = db.session.execute(_filtered(found, cleaned)).all()
    return [SimpleNamespace(**row._asdict()) for row in rows]


def _sqlite(query: Query):  # noqa: ANN202
    match = text("case_fts MATCH :fts").bindparams(bindparam("fts", query.fts5()))
    rank: ColumnClause[float] = literal_column(f"-bm25(case_fts, {TITLE_WEIGHT}, {BODY_WEIGHT})")
    return match, rank


def _postgres(query: Query):  # noqa: ANN202
    tsv: ColumnClause[Any] = literal_column("case_documents.tsv")
    tsq = query.tsquery()
    return tsv.op("@@")(tsq), func.ts_rank(tsv, tsq)


def _snippets(query: Query, ids: list[int], index: Any = None) -> dict[int, str]:
    """Marked snippets of the body for one page of results (computed for that page only);
    ``index``: the SQLite index holding those documents (``case_fts`` unless said)."""
    if not ids:
        return {}
    if db.session.get_bind().dialect.name == "postgresql":
        headline = func.ts_headline(
            literal_column("'english'"), CaseDocument.body, query.tsquery(), HEADLINE
        )
        found = select(CaseDocument.case_id, headline).where(CaseDocument.case_id.in_(ids))
    else:
        fts = FTS if index is None else index
        name = fts.name
        snippet: ColumnClause[str] = literal_column(
            f"snippet({name}, 1, '{HIT_START}', '{HIT_END}', ' … ', 24)"
        )
        found = select(fts.c.rowid, snippet).where(
            text(f"{name} MATCH :fts").bindparams(fts=query.fts5()), fts.c.rowid.in_(ids)
        )
    return {int(case_id): value or "" for case_id, value in db.session.execute(found).all()}
