"""No N+1 queries on the hot pages, and every query they run can use an index.

Query counts: each page is requested on a small seeded history and again after much more
history is added; the number of SQL statements must not grow with the rows shown (and stays
within a budget). Query plans: every SELECT a hot page runs is EXPLAINed on the same
database; on SQLite no plan may scan a large table without an index, on PostgreSQL (with
sequential scans disabled for the check, since on a small test table the planner would
rightly prefer them) no plan may fall back to a sequential scan of a large table.
"""

from __future__ import annotations

import re

import pytest
from conftest import web_login
from sqlalchemy import event, text

from incident_hub.extensions import db
from incident_hub.scale import seed_cases
from incident_hub.scale.alerts import seed_alerts

# Tables that grow without bound in production (100,000s of rows): never scanned whole.
LARGE = {"cases", "alerts", "feed_items", "audit_events", "analyses", "assignments", "notices",
         "decisions", "case_actions", "engagements", "case_documents", "case_concepts",
         "alert_reports", "alert_report_tokens"}  # fmt: skip
# Statements per page, whatever the data: the case page has a section per feature.
BUDGET = {"case page": 40}
DEFAULT_BUDGET = 20


def hot_pages(ref: str) -> dict[str, tuple[str, str]]:
    """page name -> (person, path)."""
    return {
        "my work": ("legal", "/"),
        "triage queue": ("triager", "/triage"),
        "case list": ("legal", "/cases"),
        "case list filtered": ("legal", "/cases?status=decided&playbook=content-takedown"),
        "case page": ("legal", f"/cases/{ref}"),
        "audit": ("admin", "/admin/audit"),
    }


class Statements:
    """SQL statements run while the block is active (the app's own engine)."""

    def __init__(self, engine) -> None:  # noqa: ANN001
        self.engine, self.sql = engine, []

    def _record(self, _conn, _cursor, statement, parameters, _context, _many) -> None:  # noqa: ANN001
        self.sql.append((statement, parameters))

    def __enter__(self) -> Statements:
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *_exc) -> None:  # noqa: ANN002
        event.remove(self.engine, "before_cursor_execute", self._record)


def _seed(app, cases: int, alerts: int, seed: int) -> None:
    with app.app_context():
        seed_cases(cases, seed=seed)
        seed_alerts(alerts, sources=5, seed=seed)


def _visible_decided_ref(app) -> str:
    with app.app_context():
        return (
            db.session.execute(
                text(
                    "SELECT ref FROM cases WHERE status = 'decided' AND NOT restricted ORDER BY id"
                )
            ).scalar()
            or db.session.execute(
                text("SELECT ref FROM cases WHERE NOT restricted ORDER BY id")
            ).scalar()
        )


def _counts(app, people, ref: str) -> dict[str, int]:
    out = {}
    with app.app_context():
        engine = db.engine
    for name, (person, path) in hot_pages(ref).items():
        client = app.test_client()
        web_login(client, app, people[person].email)
        client.get(path)  # warm-up: first-request work (templates, playbooks) is not per page
        with Statements(engine) as seen:
            response = client.get(path)
        assert response.status_code == 200, (name, response.status_code)
        out[name] = len(seen.sql)
    return out


def test_hot_pages_run_a_constant_number_of_queries(app, people):
    _seed(app, cases=12, alerts=40, seed=1)
    ref = _visible_decided_ref(app)
    small = _counts(app, people, ref)
    _seed(app, cases=60, alerts=400, seed=2)
    large = _counts(app, people, ref)
    assert small == large, f"queries grow with the data: {small} -> {large}"
    over = {k: v for k, v in large.items() if v > BUDGET.get(k, DEFAULT_BUDGET)}
    assert not over, f"over budget: {over}"


def _plans(app, statements) -> list[tuple[str, str]]:  # noqa: ANN001
    """(statement, plan text) for each distinct SELECT."""
    out, seen = [], set()
    with app.app_context():
        conn = db.session.connection()
        postgres = conn.dialect.name == "postgresql"
        if postgres:
            conn.exec_driver_sql("SET enable_seqscan = off")
        for statement, parameters in statements:
            if not statement.lstrip().upper().startswith("SELECT") or statement in seen:
                continue
            seen.add(statement)
            prefix = "EXPLAIN " if postgres else "EXPLAIN QUERY PLAN "
            rows = conn.exec_driver_sql(prefix + statement, parameters).all()
            out.append((statement, "\n".join(str(r[-1]) for r in rows)))
        db.session.rollback()
    return out


def _full_scans(statement: str, plan: str) -> set[str]:
    """Large tables read whole: SQLite ``SCAN t`` without an index, PostgreSQL ``Seq Scan``.

    A SQLite ``SCAN t`` in primary-key order that stops at a LIMIT (``ORDER BY t.id ... LIMIT``,
    no sort step) reads only the rows it returns: that is the index (the rowid) at work.
    """
    tables, statement = set(), " ".join(statement.split())
    for line in plan.splitlines():
        sqlite = re.search(r"\bSCAN (\w+)(.*)", line)
        if sqlite and "USING" not in sqlite.group(2):
            table = sqlite.group(1)
            by_key = re.search(rf"ORDER BY {table}\.id( DESC)? LIMIT", statement)
            if not (by_key and "TEMP B-TREE" not in plan):
                tables.add(table)
        tables.update(re.findall(r"Seq Scan on (\w+)", line))
    return tables & LARGE


@pytest.mark.parametrize("page", list(hot_pages("REF")))
def test_hot_page_queries_use_indexes(app, people, page):
    _seed(app, cases=30, alerts=120, seed=3)
    person, path = hot_pages(_visible_decided_ref(app))[page]
    client = app.test_client()
    web_login(client, app, people[person].email)
    with app.app_context():
        engine = db.engine
    with Statements(engine) as seen:
        assert client.get(path).status_code == 200
    bad = [
        (" ".join(statement.split())[-600:], plan)
        for statement, plan in _plans(app, seen.sql)
        if _full_scans(statement, plan)
    ]
    assert not bad, "\n\n".join(f"{s}\n-> {p}" for s, p in bad)


def test_grouping_a_new_item_is_an_indexed_lookup(app, people):
    """Finding the alert a new item joins (same canonical URL, or a near-identical title from
    another feed in the window) reads indexes only, however many alerts there are."""
    from incident_hub.clock import now
    from incident_hub.watch.ingest import ingest
    from incident_hub.watch.models import Source
    from incident_hub.watch.parse import Entry, content_hash
    from incident_hub.watch.service import classifier

    _seed(app, cases=5, alerts=300, seed=4)
    title = "Parliament passes takedown order rules for platforms within 24 hours"
    summary = "Platforms must remove posts within 24 hours of a takedown order."
    with app.app_context():
        source = db.session.execute(db.select(Source).order_by(Source.id)).scalars().first()
        entry = Entry("probe", "https://news.example/takedown?utm_source=x", title, summary,
                      now(), content_hash(title, summary))  # fmt: skip
        with Statements(db.engine) as seen:
            ingest(source, [entry], classifier(), now())
        db.session.rollback()
    lookups = [(s, p) for s, p in seen.sql if s.lstrip().startswith("SELECT") and "alert_rep" in s]
    assert len(lookups) == 1, lookups  # one round trip for both the URL and the title lookup
    assert "url_key IN" in lookups[0][0] and "token IN" in lookups[0][0]
    bad = [
        (" ".join(statement.split())[-600:], plan)
        for statement, plan in _plans(app, lookups)
        if _full_scans(statement, plan)
    ]
    assert not bad, "\n\n".join(f"{s}\n-> {p}" for s, p in bad)
