"""200 analysis filings and decisions racing on the same cases (PostgreSQL only).

Ten cases are opened; then 200 API calls start together from a pool of 32 threads (a barrier
releases them at once), each thread with its own test client, so its own app context, session
and database connection: leads file analyses (the same function on the same case several times
at once) while the executive records decisions (with and without override) on those cases.

Afterwards: every call got 201 or a clean 409 (never a 500); each function's analysis versions
are 1..n with no gap or duplicate and exactly one current; analysis rows equal successful filings
(no lost update); each case has at most one decision (exactly one when a decision call
succeeded); each case's status agrees with its assignments and decision; the audit chain
verifies and its events match the successful calls one for one.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from conftest import analysis_body, lead_for, open_case
from sqlalchemy import select

from incident_hub import create_app
from incident_hub.audit.models import AuditEvent
from incident_hub.cases.models import Analysis, Case, Decision
from incident_hub.extensions import db

CASES, CALLS, THREADS = 10, 200, 32
FILINGS_PER_CASE = 14  # of 20 calls per case; the rest are decisions


@pytest.fixture
def race_app(app, db_url, tmp_path):
    """A second app on the same database with a connection per thread (the default pool
    of 5 + 10 would make threads queue for connections instead of racing in the database)."""
    if db_url.startswith("sqlite"):
        pytest.skip("SQLite serialises writers (one lock for the whole database): no race to run")
    (tmp_path / "race-feeds").mkdir()
    racing = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": db_url,
            "SECRET_KEY": "test-secret-key-not-for-production",
            "FEEDS_DIR": str(tmp_path / "race-feeds"),
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": THREADS + 4, "max_overflow": 0},
        }
    )
    yield racing
    with racing.app_context():
        db.engine.dispose()


def plan(app, cases: list[dict], people) -> list[dict]:
    """The 200 calls: per case 14 filings (every function, some 3 times) and 6 decisions,
    with override on even-numbered cases (they may be decided while still open) and without it
    on odd ones (they must wait for every required function, racing the last filings)."""
    playbook = app.extensions["incident_hub.playbooks"].get("content-takedown")
    functions = [f.key for f in playbook.functions]
    options = [o.key for o in playbook.options]
    calls = []
    for number, case in enumerate(cases):
        ref, exec_ = case["ref"], people["exec"]
        for n in range(FILINGS_PER_CASE):
            function = functions[n % len(functions)]
            body = analysis_body(app, case, function, options[n % len(options)])
            body["analysis"] += f" (filing {n})"
            lead = people[lead_for(function)]
            calls.append({"kind": "analysis", "ref": ref, "function": function, "body": body,
                          "path": f"/api/v1/cases/{ref}/analyses", "who": lead})  # fmt: skip
        for n in range(CALLS // CASES - FILINGS_PER_CASE):
            body = {"option": options[n], "rationale": f"decision attempt {n}"}
            body["override"] = number % 2 == 0 and n % 2 == 0
            calls.append({"kind": "decision", "ref": ref, "function": None, "body": body,
                          "path": f"/api/v1/cases/{ref}/decision", "who": exec_})  # fmt: skip
    random.Random(7).shuffle(calls)
    assert len(calls) == CALLS
    return calls


def race(racing, calls: list[dict]) -> list[tuple[dict, int, dict]]:
    """Fire every call from a pool of THREADS threads that a barrier starts together."""
    barrier = threading.Barrier(THREADS, timeout=30)

    def call(spec: dict) -> tuple[dict, int, dict]:
        client = racing.test_client()  # per call: its own request, app context and session
        response = client.post(spec["path"], json=spec["body"], headers=spec["who"].headers)
        return spec, response.status_code, response.get_json(silent=True) or {}

    with ThreadPoolExecutor(THREADS, initializer=barrier.wait) as pool:
        return list(pool.map(call, calls))


def test_concurrent_filings_and_decisions_stay_consistent(app, race_app, api, people, runner):
    cases = [open_case(api, title=f"Order {n}") for n in range(CASES)]
    calls = plan(app, cases, people)
    started = time.perf_counter()
    results = race(race_app, calls)
    elapsed = time.perf_counter() - started

    outcomes = Counter((spec["kind"], status) for spec, status, _ in results)
    print(f"\nrace: {CALLS} calls, {THREADS} threads, {elapsed:.2f} s: {dict(outcomes)}")
    unexpected = [(s["kind"], s["ref"], status, body) for s, status, body in results
                  if status not in (201, 409)]  # fmt: skip
    assert not unexpected, unexpected
    for _spec, status, body in results:  # a clean refusal: the API's JSON error, nothing else
        if status == 409:
            assert body["error"]["code"] == "conflict" and body["error"]["message"], body
    filed = Counter((s["ref"], s["function"]) for s, status, _ in results
                    if s["kind"] == "analysis" and status == 201)  # fmt: skip
    decided = Counter(s["ref"] for s, status, _ in results
                      if s["kind"] == "decision" and status == 201)  # fmt: skip
    assert outcomes[("analysis", 201)] > 0 and outcomes[("decision", 201)] > 0

    with app.app_context():
        playbook = app.extensions["incident_hub.playbooks"].get("content-takedown")
        required = {f.key for f in playbook.functions if f.required}
        rows = db.session.execute(select(Case).order_by(Case.id)).scalars().all()
        assert [c.ref for c in rows] == [c["ref"] for c in cases]
        for case in rows:
            check_case(case, required, filed, decided[case.ref])
        check_audit(filed, decided)
        statuses = Counter(c.status for c in rows)
    print(f"case statuses: {dict(statuses)}; most filings of one function on one case, all "
          f"successful: {max(filed.values())}")  # fmt: skip
    verify = runner.invoke(["audit", "verify"])
    assert verify.exit_code == 0 and "audit chain OK" in verify.output, verify.output
    assert elapsed < 60


def check_case(case: Case, required: set[str], filed: Counter, decisions: int) -> None:
    """Exactly the rows the successful calls wrote, and a status that agrees with them."""
    by_function: dict[str, list[Analysis]] = {}
    for analysis in case.analyses:
        by_function.setdefault(analysis.function_key, []).append(analysis)
    for assignment in case.assignments:
        rows = sorted(by_function.get(assignment.function_key, []), key=lambda a: a.version)
        versions = [a.version for a in rows]
        assert versions == list(range(1, len(rows) + 1)), (case.ref, assignment.function_key)
        assert len(rows) == filed[(case.ref, assignment.function_key)], "a lost or phantom update"
        if rows:
            assert [a.version for a in rows if a.current] == [len(rows)], "one current, the latest"
            assert assignment.status == "filed" and assignment.filed_at == rows[-1].filed_at
        else:
            assert assignment.status == "pending" and assignment.filed_at is None
    assert {a.case_id for a in case.analyses} <= {case.id}
    rows_decided = db.session.execute(select(Decision).filter_by(case_id=case.id)).scalars().all()
    assert len(rows_decided) == decisions <= 1, (case.ref, decisions)
    all_filed = all(a.status == "filed" for a in case.assignments if a.function_key in required)
    if rows_decided:
        decision = rows_decided[0]
        assert case.status == "decided" and decision.round == case.round == 1
        assert all(a.filed_at <= decision.decided_at for a in case.analyses), "filed after it"
        if not decision.overridden:
            assert all_filed, "a decision without override on an open case"
    else:
        assert case.status == ("awaiting_decision" if all_filed else "open"), case.ref


def check_audit(filed: Counter, decided: Counter) -> None:
    """One audit event per successful action, each matching the rows written; none refused."""
    events = db.session.execute(
        select(AuditEvent).where(AuditEvent.case_id.is_not(None)).order_by(AuditEvent.id)
    ).scalars().all()  # fmt: skip
    actions = Counter((e.object_ref, e.action) for e in events)
    assert not [e for e in events if e.outcome != "ok"], "a refused call left a denied event"
    stored = {(a.case.ref, a.function_key, a.version, a.recommendation)
              for a in db.session.execute(select(Analysis)).scalars()}  # fmt: skip
    audited = {(e.object_ref, e.details["function"], e.details["version"],
                e.details["recommendation"])
               for e in events if e.action == "analysis.filed"}  # fmt: skip
    assert audited == stored and len(stored) == sum(filed.values())
    cases = db.session.execute(select(Case)).scalars().all()
    for case in cases:
        assert actions[(case.ref, "decision.recorded")] == decided[case.ref]
        assert actions[(case.ref, "case.decided")] == decided[case.ref]
        assert actions[(case.ref, "case.opened")] == 1
        overridden = any(d.overridden for d in case.decisions)
        reached = case.status == "awaiting_decision" or (case.decisions and not overridden)
        assert actions[(case.ref, "case.awaiting_decision")] == int(bool(reached)), case.ref
    expected = sum(filed.values()) + 2 * sum(decided.values()) + len(cases)
    expected += sum(actions[(c.ref, "case.awaiting_decision")] for c in cases)
    assert len(events) == expected, actions
