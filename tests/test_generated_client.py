"""A client generated from the served OpenAPI document drives the whole case lifecycle.

``openapi-python-client`` generates a Python package from ``/api/v1/openapi.json`` as the app
serves it at test time (never a checked-in copy), once per module, with ``--fail-on-warning``:
a part of the document the generator cannot read fails the test. The generated package then
talks to a real loopback server (werkzeug, see ``live_server``) and every answer is read
through the typed models it generated, so a field the server sends and the document omits
(it lands in a model's ``additional_properties``), a field the document requires and the
server omits (``from_dict`` raises), a status the document does not list (``UnexpectedStatus``)
or a body field the document does not declare fails here.

Operations are found by method and path in the generated modules, and request bodies are built
from the model each operation declares, so the test follows the document as it is converted
(operation ids, tags and model names may change; paths and fields are the contract).
"""

from __future__ import annotations

import importlib
import inspect
import json
import re
import shutil
import subprocess
import sys
import typing
from collections.abc import Iterator
from enum import Enum
from pathlib import Path
from types import ModuleType
from typing import Any

import attrs
import httpx
import pytest
from conftest import lead_for
from feedserver import rss

PACKAGE = "incident_hub_generated_client"
CODES = {401: "unauthorized", 403: "forbidden", 404: "not_found", 409: "conflict"}
CODES[422] = "validation_error"
ITEMS = [
    {
        "title": "Parliament passes law requiring platforms to remove posts within 24 hours",
        "description": "Germany's new law threatens fines for social networks.",
        "guid": "takedown",
    },
    {
        "title": "Regulator orders internet shutdown in Myanmar during protests",
        "description": "Telecoms operators were ordered to suspend mobile data.",
        "guid": "shutdown",
    },
]


def _generator() -> str:
    """The ``openapi-python-client`` script of the interpreter running the tests."""
    script = Path(sys.executable).with_name("openapi-python-client")
    found = str(script) if script.is_file() else shutil.which("openapi-python-client")
    if not found:
        pytest.fail("openapi-python-client is not installed (it is in the test extra)")
    return found


def _generate(document: dict[str, Any], where: Path) -> tuple[ModuleType, str]:
    """Generate the client package into ``where`` and import it; returns it and the
    generator's output (every warning it printed)."""
    doc = where / "openapi.json"
    doc.write_text(json.dumps(document))
    config = where / "config.json"
    # No post-hooks: the generator's default ones run a `ruff` from PATH (which an unactivated
    # venv does not have) only to tidy the code, and would double the generation time.
    config.write_text(json.dumps({"package_name_override": PACKAGE, "post_hooks": []}))
    out = where / PACKAGE
    run = subprocess.run(
        [
            _generator(),
            "generate",
            "--path",
            str(doc),
            "--output-path",
            str(out),
            "--meta",
            "none",
            "--config",
            str(config),
            "--fail-on-warning",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, f"openapi-python-client refused the document:\n{output}"
    assert "Warning" not in output, f"openapi-python-client warned:\n{output}"
    sys.path.insert(0, str(where))
    return importlib.import_module(PACKAGE), output


class Generated:
    """The generated package, its operation modules indexed by (method, path)."""

    def __init__(self, package: ModuleType, document: dict[str, Any]) -> None:
        self.package = package
        self.document = document
        self.models = importlib.import_module(f"{PACKAGE}.models")
        self.ops: dict[tuple[str, str], ModuleType] = {}
        api_dir = Path(package.__file__).parent / "api"
        for source in sorted(api_dir.glob("*/*.py")):
            if source.name == "__init__.py":
                continue
            found = re.search(r'"method": "(\w+)",\s*"url": "([^"]+)"', source.read_text())
            assert found, f"no method and url in {source}"
            name = f"{PACKAGE}.api.{source.parent.name}.{source.stem}"
            self.ops[(found[1].upper(), found[2])] = importlib.import_module(name)

    def op(self, method: str, path: str) -> ModuleType:
        key = (method.upper(), "/api/v1" + path)
        assert key in self.ops, f"the generated client has no {key}: {sorted(self.ops)}"
        return self.ops[key]


@pytest.fixture(scope="module")
def _generated_once(tmp_path_factory) -> Iterator[dict[str, Any]]:
    cache: dict[str, Any] = {}
    yield cache
    if "where" in cache:
        sys.path.remove(str(cache["where"]))
    for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
        del sys.modules[name]


@pytest.fixture
def generated(_generated_once, live_server, tmp_path_factory) -> Generated:
    """The client generated (once per module) from the document this test's server serves."""
    response = httpx.get(f"{live_server}/api/v1/openapi.json", timeout=10)
    assert response.status_code == 200, response.text
    document = response.json()
    cache = _generated_once
    if "package" not in cache:
        where = tmp_path_factory.mktemp("generated-client")
        package, output = _generate(document, where)
        cache.update(where=where, package=package, output=output, document=document)
    assert document == cache["document"], "the served document changed between two tests"
    if "generated" not in cache:
        cache["generated"] = Generated(cache["package"], document)
    return cache["generated"]


class Caller:
    """Calls one generated operation as one person, through the generated client."""

    def __init__(self, gen: Generated, base_url: str, token: str | None) -> None:
        self.gen = gen
        client_module = gen.package
        if token is None:
            self.client = client_module.Client(base_url=base_url, raise_on_unexpected_status=True)
        else:
            self.client = client_module.AuthenticatedClient(
                base_url=base_url, token=token, raise_on_unexpected_status=True
            )

    def __call__(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        *,
        raw: bool = False,
        **kw: Any,
    ):
        """``(status, parsed, headers)``; path and query parameters go in ``kw``, a value of
        a documented enum as the generated enum (``raw``: as given, for the server to refuse)."""
        module = self.gen.op(method, path)
        hints = typing.get_type_hints(module.sync_detailed)
        for name, given in kw.items():
            enums = [t for t in typing.get_args(hints[name]) if isinstance(t, type(Enum))]
            if enums and isinstance(given, str) and not raw:
                kw[name] = enums[0](given)  # ValueError: the document's enum lacks it
        if body is not None:
            kw["body"] = self.body_model(hints["body"]).from_dict(body)
            extra = getattr(kw["body"], "additional_properties", {})
            assert not extra, f"{method} {path}: the document's body lacks {sorted(extra)}"
        elif "body" in inspect.signature(module.sync_detailed).parameters:
            kw["body"] = self.body_model(hints["body"]).from_dict({})
        response = module.sync_detailed(client=self.client, **kw)
        undeclared(response.parsed, f"{method} {path}")
        return int(response.status_code), response.parsed, response.headers

    @staticmethod
    def body_model(hint: Any) -> Any:
        args = [a for a in typing.get_args(hint) if attrs.has(a)] or [hint]
        return args[0]


def undeclared(value: Any, where: str) -> None:
    """Fail when a parsed answer holds keys its document schema does not declare (the
    generator keeps them in ``additional_properties``). A model with no declared field of its
    own is a free-form map by design (``details``, ``answers``) and is not checked inside."""
    if attrs.has(type(value)):
        fields = [f.name for f in attrs.fields(type(value)) if f.name != "additional_properties"]
        extra = getattr(value, "additional_properties", {})
        if fields:
            assert not extra, f"{where}: {type(value).__name__} lacks {sorted(extra)}"
        for name in fields:
            undeclared(getattr(value, name), f"{where}.{name}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            undeclared(item, f"{where}[{index}]")


def value(member: Any) -> Any:
    return member.value if isinstance(member, Enum) else member


@pytest.fixture
def call(generated, live_server, people):
    """``call('legal')('POST', '/cases/{ref}/analyses', body, ref=...)``; ``call(None)``:
    without a token, ``call('bogus')``: a token the server never issued."""

    def as_(name: str | None) -> Caller:
        if name == "bogus":
            return Caller(generated, live_server, "not-a-token")
        return Caller(generated, live_server, people[name].token if name else None)

    return as_


def _analysis(playbook: Any, function: str, option: str) -> dict[str, Any]:
    spec = next(f for f in playbook.functions if f.key == function)
    return {
        "function": function,
        "analysis": f"The {function} view, filed through the generated client.",
        "recommendation": option,
        "answers": {q.key: f"{function} answer to {q.key}" for q in spec.questions},
    }


def test_the_generator_reads_every_operation_of_the_served_document(generated):
    paths = generated.document["paths"]
    documented = {(m.upper(), p) for p, ops in paths.items() for m in ops}
    assert documented == set(generated.ops), documented ^ set(generated.ops)
    case_model = generated.models.Case
    names = {f.name for f in attrs.fields(case_model)}
    assert {"assignments", "analyses", "decision", "decisions", "round_", "intake"} <= names


def test_a_generated_client_drives_a_case_from_alert_to_reopened(
    app, generated, call, runner, feeds, people
):
    admin, triager, exec_ = call("admin"), call("triager"), call("exec")

    # An alert: a source added through the client, polled by the CLI.
    url = feeds.serve("/laws.xml", rss(ITEMS))
    status, source, _ = admin(
        "POST", "/sources", {"key": "laws", "title": "Laws", "url": url, "interval_min": 60}
    )
    assert status == 201, source
    assert (source.key, source.url) == ("laws", url)
    polled = runner.invoke(["poll"])
    assert polled.exit_code == 0, polled.output

    status, alerts, headers = triager("GET", "/alerts", status="new", source="laws")
    assert status == 200, alerts
    assert headers["X-Total-Count"] == "2" and len(alerts) == 2
    by_guid = {("takedown" if "remove posts" in a.title else "shutdown"): a for a in alerts}
    takedown, shutdown = by_guid["takedown"], by_guid["shutdown"]
    assert value(takedown.status) == "new" and "expression" in takedown.rights
    assert takedown.suggested_playbook == "content-takedown"
    status, one, _ = triager("GET", "/alerts/{alert_id}", alert_id=str(takedown.id))
    assert status == 200 and one.id == takedown.id and one.reports[0].url

    # Triage: the other alert is dismissed, restored, then linked once the case exists.
    status, dismissed, _ = triager(
        "POST",
        "/alerts/{alert_id}/dismiss",
        {"reason": "covered elsewhere"},
        alert_id=str(shutdown.id),
    )
    assert status == 200 and value(dismissed.status) == "dismissed", dismissed
    assert dismissed.triage_note == "covered elsewhere"
    status, restored, _ = triager("POST", "/alerts/{alert_id}/restore", alert_id=str(shutdown.id))
    assert status == 200 and value(restored.status) == "new", restored

    # The case, opened from the alert.
    status, case, headers = triager(
        "POST",
        "/cases",
        {
            "title": "Order to remove 40 posts",
            "playbook": "content-takedown",
            "jurisdiction": "DE",
            "summary": "Removal order under the new law.",
            "instrument": "Law 1/2026",
            "authority": "Federal Office of Justice",
            "stage": "adopted",
            "effective_date": "2027-01-01",
            "response_deadline": "2027-01-15T12:00:00Z",
            "gag_order": True,
            "alert_ids": [takedown.id],
        },
    )
    assert status == 201, case
    ref = case.ref
    assert headers["Location"] == f"/api/v1/cases/{ref}"
    assert re.fullmatch(r"INC-\d{4}-\d{4,}", ref) and value(case.status) == "open"
    assert case.round_ == 1 and case.decision is None and case.decisions == []
    assert case.opened_by == people["triager"].email and case.opened_at is not None
    assert case.intake.gag_order is True and value(case.intake.stage) == "adopted"
    assert case.restricted is True  # a gag order is need-to-know
    assert case.intake.effective_date.isoformat() == "2027-01-01"
    assert case.intake.authority == "Federal Office of Justice"
    assert case.decision_due_at <= case.intake.response_deadline
    playbook = app.extensions["incident_hub.playbooks"].get("content-takedown")
    assert [a.function for a in case.assignments] == [f.key for f in playbook.functions]
    for assignment in case.assignments:
        spec = playbook.function(assignment.function)
        assert value(assignment.status) == "pending" and assignment.filed_at is None
        assert assignment.required is spec.required and assignment.title
        assert assignment.lead in assignment.leads
        assert people[lead_for(assignment.function)].email in assignment.leads
        assert assignment.due_at is not None and assignment.due_at <= case.decision_due_at
    status, opened, _ = triager("GET", "/alerts/{alert_id}", alert_id=str(takedown.id))
    assert value(opened.status) == "case-opened", opened
    status, linked, _ = triager(
        "POST", "/alerts/{alert_id}/link", {"case": ref}, alert_id=str(shutdown.id)
    )
    assert status == 200 and value(linked.status) == "linked", linked

    # Listing and filtering.
    status, listed, headers = exec_("GET", "/cases", status="open", playbook="content-takedown")
    assert status == 200 and [c.ref for c in listed] == [ref] and headers["X-Total-Count"] == "1"
    assert listed[0].title == case.title and value(listed[0].status) == "open"
    for filters in ({"status": "decided"}, {"jurisdiction": "TR"}, {"q": "zzyzx-nothing"}):
        status, none, headers = exec_("GET", "/cases", **filters)
        assert status == 200 and none == [] and headers["X-Total-Count"] == "0", filters
    status, found, _ = exec_("GET", "/cases", q="Remove 40", sort="newest", limit=5)
    assert [c.ref for c in found] == [ref]
    status, playbooks, _ = exec_("GET", "/playbooks")
    assert status == 200 and "content-takedown" in {p.key for p in playbooks}

    # Following.
    legal = call(lead_for("legal"))
    status, following, _ = legal("POST", "/cases/{ref}/follow", ref=ref)
    assert status == 200 and (following.ref, following.following) == (ref, True)
    status, following, _ = legal("DELETE", "/cases/{ref}/follow", ref=ref)
    assert status == 200 and following.following is False
    status, following, _ = exec_("POST", "/cases/{ref}/follow", ref=ref)
    assert status == 200 and following.following is True

    # Round 1: every required function files; the last filing moves the case to decision.
    required = [f.key for f in playbook.functions if f.required]
    options = [o.key for o in playbook.options]
    for index, function in enumerate(required):
        body = _analysis(playbook, function, options[index % len(options)])
        status, filed, _ = call(lead_for(function))("POST", "/cases/{ref}/analyses", body, ref=ref)
        assert status == 201, filed
        mine = next(a for a in filed.assignments if a.function == function)
        assert value(mine.status) == "filed" and mine.filed_at is not None
        current = [a for a in filed.analyses if a.function == function and a.current]
        assert [(a.version, a.recommendation) for a in current] == [(1, body["recommendation"])]
        assert current[0].answers.additional_properties == body["answers"]
        assert current[0].author == people[lead_for(function)].email
        expected = "awaiting_decision" if index == len(required) - 1 else "open"
        assert value(filed.status) == expected
    # Filing again replaces the current analysis and keeps the earlier version.
    again = _analysis(playbook, "legal", options[-1]) | {"analysis": "Revised."}
    status, refiled, _ = legal("POST", "/cases/{ref}/analyses", again, ref=ref)
    assert status == 201, refiled
    versions = [(a.version, a.current) for a in refiled.analyses if a.function == "legal"]
    assert versions == [(1, False), (2, True)]

    status, decided, _ = exec_(
        "POST",
        "/cases/{ref}/decision",
        {"option": options[0], "rationale": "Comply narrowly.", "conditions": "Geo-block only."},
        ref=ref,
    )
    assert status == 201, decided
    assert value(decided.status) == "decided"
    assert (decided.decision.option, decided.decision.round_) == (options[0], 1)
    assert decided.decision.executive == people["exec"].email
    assert decided.decision.conditions == "Geo-block only." and decided.decision.override is False
    assert [(d.round_, d.option) for d in decided.decisions] == [(1, options[0])]

    # Closed, then reopened as round 2.
    status, closed, _ = admin("POST", "/cases/{ref}/close", {"note": ""}, ref=ref)
    assert status == 200 and value(closed.status) == "closed", closed
    status, reopened, _ = admin(
        "POST", "/cases/{ref}/reopen", {"note": "The ministry widened the order."}, ref=ref
    )
    assert status == 200 and value(reopened.status) == "open", reopened
    assert reopened.round_ == 2 and reopened.decision is None
    assert [d.round_ for d in reopened.decisions] == [1]
    assert all(value(a.status) == "pending" for a in reopened.assignments)

    # Round 2: one function files, one is waived, and an executive asks for a decision early.
    status, filed, _ = legal(
        "POST", "/cases/{ref}/analyses", _analysis(playbook, "legal", options[1]), ref=ref
    )
    assert status == 201 and value(filed.status) == "open", filed
    waived_function = required[-1]
    status, waived, _ = admin(
        "POST",
        "/cases/{ref}/assignments/{function}/waive",
        {"note": "Not needed this round."},
        ref=ref,
        function=waived_function,
    )
    assert status == 200, waived
    waived_one = next(a for a in waived.assignments if a.function == waived_function)
    assert value(waived_one.status) == "waived"
    note = "The deadline moved forward; decide on what we have."
    status, moved, _ = exec_("POST", "/cases/{ref}/request-decision", {"note": note}, ref=ref)
    assert status == 200 and value(moved.status) == "awaiting_decision", moved
    status, decided, _ = exec_(
        "POST", "/cases/{ref}/decision", {"option": options[1], "rationale": "Seek more."}, ref=ref
    )
    assert status == 201, decided
    assert [(d.round_, d.option) for d in decided.decisions] == [(1, options[0]), (2, options[1])]
    assert (decided.decision.round_, decided.round_) == (2, 2)
    status, closed, _ = admin("POST", "/cases/{ref}/close", {"note": "Done."}, ref=ref)
    assert status == 200 and value(closed.status) == "closed"

    # Reading it back: the case and its timeline.
    status, read, _ = call("rights")("GET", "/cases/{ref}", ref=ref)
    assert status == 200 and value(read.status) == "closed" and read.round_ == 2
    assert read.to_dict() == closed.to_dict()
    status, timeline, headers = exec_("GET", "/cases/{ref}/timeline", ref=ref)
    assert status == 200 and headers["X-Total-Count"] == str(len(timeline))
    assert [e.action for e in timeline] == [
        "case.opened",
        "alert.case_opened",
        "alert.linked",
        *["case.followed", "case.unfollowed", "case.followed"],
        *["analysis.filed"] * len(required),
        "case.awaiting_decision",
        "analysis.filed",  # legal's second version
        *["decision.recorded", "case.decided", "case.closed"],
        *["case.open", "analysis.filed", "assignment.waived", "case.awaiting_decision"],
        *["decision.recorded", "case.decided", "case.closed"],
        "case.viewed",  # gagged, hence restricted: the rights lead's read is on record
    ]
    assert all(e.origin == "api" for e in timeline), {e.origin for e in timeline}
    assert [e.at for e in timeline] == sorted(e.at for e in timeline)
    automatic, requested = [e for e in timeline if e.action == "case.awaiting_decision"]
    assert automatic.details.additional_properties.get("automatic") is True
    assert requested.details.additional_properties["reason"] == note
    assert requested.actor == people["exec"].email
    (reopening,) = [e for e in timeline if e.action == "case.open"]
    assert reopening.details.additional_properties == {
        "from": "closed",
        "to": "open",
        "reason": "The ministry widened the order.",
    }

    # The feature operations that read a case parse through their documented models too.
    status, hits, _ = exec_("GET", "/search", q="Remove 40")
    assert status == 200 and ref in {h.ref for h in hits}, hits
    status, similar, _ = exec_("GET", "/cases/{ref}/similar", ref=ref)
    assert status == 200 and ref not in {c.ref for c in similar}
    for path in ("/cases/{ref}/links", "/cases/{ref}/actions", "/cases/{ref}/engagements"):
        status, rows, _ = exec_("GET", path, ref=ref)
        assert (status, rows) == (200, []), path
    status, assessment, _ = exec_("GET", "/cases/{ref}/assessment", ref=ref)
    assert status == 200, assessment

    # What the case sent (admin) and the audit trail of it.
    status, sent, headers = admin("GET", "/notices", case=ref)
    assert status == 200 and len(sent) == int(headers["X-Total-Count"]) > 0
    status, events, _ = admin("GET", "/audit", case=ref, limit=1000)
    assert status == 200 and {"case.opened", "decision.recorded"} <= {e.action for e in events}
    status, head, _ = admin("GET", "/audit/head")
    assert status == 200, head
    verify = runner.invoke(["audit", "verify"])
    assert verify.exit_code == 0 and "audit chain OK" in verify.output


def test_refusals_come_back_as_the_documented_error_model(app, generated, call):
    error_model = generated.models.Error
    triager = call("triager")
    status, case, _ = triager(
        "POST", "/cases", {"title": "Order", "playbook": "content-takedown", "jurisdiction": "TR"}
    )
    assert status == 201, case
    ref = case.ref
    playbook = app.extensions["incident_hub.playbooks"].get("content-takedown")
    legal_body = _analysis(playbook, "legal", playbook.options[0].key)

    def refused(expected: int, answer: tuple[int, Any, Any]) -> Any:
        status, parsed, _ = answer
        assert status == expected, parsed
        assert isinstance(parsed, error_model), parsed
        assert (parsed.error.code, bool(parsed.error.message)) == (CODES[status], True), parsed
        return parsed.error

    # 401: no token, and a token never issued.
    refused(401, call(None)("GET", "/cases"))
    refused(401, call("bogus")("GET", "/cases/{ref}", ref=ref))
    # 403: a lead of another function files; a lead decides; a triager closes.
    refused(403, call("outsider")("POST", "/cases/{ref}/analyses", legal_body, ref=ref))
    refused(
        403,
        call("legal")("POST", "/cases/{ref}/decision", {"option": "x", "rationale": "y"}, ref=ref),
    )
    refused(403, triager("POST", "/cases/{ref}/close", {"note": "why"}, ref=ref))
    refused(403, call("legal")("POST", "/cases/{ref}/request-decision", {}, ref=ref))
    source = {"key": "laws", "title": "Laws", "url": "https://example.org/feed.xml"}
    refused(403, triager("POST", "/sources", source))
    refused(403, triager("GET", "/notices"))
    refused(403, call("legal")("GET", "/audit"))
    # 404: no such case, no such alert.
    refused(404, triager("GET", "/cases/{ref}", ref="INC-1999-9999"))
    refused(404, triager("GET", "/alerts/{alert_id}", alert_id="999999"))
    refused(404, triager("POST", "/alerts/{alert_id}/dismiss", {"reason": "x"}, alert_id="999999"))
    refused(404, triager("POST", "/alerts/{alert_id}/link", {"case": ref}, alert_id="999999"))
    # 422: the document's types let these through; the server's rules refuse them by field.
    too_long = {"title": "x" * 10_000, "playbook": "content-takedown", "jurisdiction": "TR"}
    assert refused(422, triager("POST", "/cases", too_long)).field == "title"
    bad_place = {"title": "Order", "playbook": "content-takedown", "jurisdiction": "Atlantis"}
    assert refused(422, triager("POST", "/cases", bad_place)).field == "jurisdiction"
    blank = dict(legal_body, analysis="   ")
    error = refused(422, call("legal")("POST", "/cases/{ref}/analyses", blank, ref=ref))
    assert error.field == "analysis"
    undecided = refused(422, call("admin")("POST", "/cases/{ref}/close", {}, ref=ref))
    assert undecided.field == "note"
    bogus = refused(422, triager("GET", "/cases", status="bogus", raw=True))
    assert bogus.field == "status"
    assert refused(422, triager("GET", "/alerts", status="bogus", raw=True)).field == "status"
    # 409: decide a case that is still open (no override), reopen an open case.
    option = {"option": playbook.options[0].key, "rationale": "y"}
    refused(409, call("exec")("POST", "/cases/{ref}/decision", option, ref=ref))
    refused(409, call("admin")("POST", "/cases/{ref}/reopen", {"note": "why"}, ref=ref))
    # Each refusal of a permission is audited (once), the others are not attempts at all.
    status, denied, _ = call("admin")("GET", "/audit", case=ref, outcome="denied")
    assert status == 200, denied
    assert sorted(e.action for e in denied) == sorted(
        ["analysis.file", "decision.record", "case.close", "case.request_decision"]
    ), [(e.action, e.actor) for e in denied]
    assert {value(e.outcome) for e in denied} == {"denied"}
    # Nothing changed.
    status, after, _ = triager("GET", "/cases/{ref}", ref=ref)
    assert value(after.status) == "open" and after.analyses == [] and after.decisions == []
