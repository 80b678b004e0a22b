"""Schemathesis against the app's own OpenAPI document, in-process through the WSGI app.

Every operation of ``/api/v1/openapi.json`` gets schema-valid (positive) and schema-breaking
(negative) requests, as the admin and again as a triager (whose many 403/404 answers must be
documented too). Every answer must not be a server error, must use a documented status code
and content type, and must match the documented response schema. Path parameters and body
fields are sometimes swapped for values naming what exists (cases in every state, alerts,
playbooks, functions, options), so requests reach the code behind the look-ups, not only 404s
and 422s. Every failure of every operation is collected and reported together.

Bounded: ``MAX_EXAMPLES`` per operation and person, so the file stays well under a minute per
database backend. No operation is skipped.

The hostile-input tests at the end send what the fuzzer does not (NUL bytes, ids and offsets
past the database's integers, JSON nested past the parser's limit): each was a 500.
"""

from __future__ import annotations

import os
import time

import pytest
import schemathesis
from conftest import analysis_body, open_case, web_login
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

# INCIDENT_HUB_FUZZ_EXAMPLES=500 digs deeper locally; CI keeps the bounded default.
MAX_EXAMPLES = int(os.environ.get("INCIDENT_HUB_FUZZ_EXAMPLES", "25"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
    print_blob=True,
)


def _seed(app, api) -> dict[str, list]:
    """Cases in each state and a few alerts, for requests to find."""
    refs = []
    for restricted in (False, True):
        case = open_case(api, title="Fuzzed order", restricted=restricted)
        refs.append(case["ref"])
    filed = open_case(api)
    api("legal").post(f"/cases/{filed['ref']}/analyses", json=analysis_body(app, filed, "legal"))
    decided = open_case(api)
    api("exec").post(
        f"/cases/{decided['ref']}/decision",
        json={"option": "comply-narrowly", "rationale": "r", "override": True},
    )
    refs += [filed["ref"], decided["ref"]]
    reg = app.extensions["incident_hub.playbooks"]
    options = sorted({o.key for p in reg.playbooks.values() for o in p.options})
    functions = sorted({f.key for p in reg.playbooks.values() for f in p.functions})
    return {
        "ref": refs,
        "case": refs,
        "function": functions,
        "playbook": sorted(reg.playbooks),
        "recommendation": options,
        "option": options,
    }


def _alerts(app) -> list[int]:
    from incident_hub.extensions import db
    from incident_hub.watch.models import Alert, FeedItem, Source

    with app.app_context():
        source = Source(key="fuzz", title="Fuzz", url="https://feeds.example.org/")
        db.session.add(source)
        db.session.flush()
        ids = []
        for n in range(3):
            item = FeedItem(source=source, guid=str(n), content_hash=f"{n:064d}", title=f"Law {n}")
            alert = Alert(item=item, source=source, score=1.0)
            db.session.add_all([item, alert])
            db.session.flush()
            ids.append(alert.id)
        db.session.commit()
    return ids


def _steer(data, values: dict | None, known: dict) -> None:  # noqa: ANN001
    """Sometimes swap a generated value for one that names a real object (a case, a playbook,
    a function, an option), so requests get past the look-up to the code behind it."""
    for name in sorted(set(values or {}) & set(known)):
        if data.draw(st.booleans(), label=f"known {name}?"):
            values[name] = data.draw(known[name], label=name)


def _operation(operation, headers: dict, known: dict) -> tuple[int, str | None]:  # noqa: ANN001
    """Fuzz one operation; returns (examples run, failure report or None)."""
    strategy = st.one_of(
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    )
    names = [p.name for p in operation.path_parameters]
    known_path = {name: st.sampled_from(known[name]) for name in names if known.get(name)}
    known_body = {name: st.sampled_from(values) for name, values in known.items()}
    examples = 0

    @SETTINGS
    @given(case=strategy, data=st.data())
    def run(case, data):  # noqa: ANN001
        nonlocal examples
        examples += 1
        _steer(data, case.path_parameters, known_path)
        if isinstance(case.body, dict):
            _steer(data, case.body, known_body)
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS, headers=headers)

    try:
        run()
    except (Exception, BaseExceptionGroup) as exc:  # report every operation's failure
        notes = "\n".join(getattr(exc, "__notes__", []))
        return examples, f"{operation.label}: {exc}\n{notes}"[:4000]
    return examples, None


def _fuzz(app, person, known: dict[str, list]) -> tuple[int, int, list[str]]:
    """Run every operation; returns (operations, examples, failures)."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    headers = {"Authorization": f"Bearer {person.token}"}
    operations, examples, failures = 0, 0, []
    for result in schema.get_all_operations():
        operations += 1
        ran, failure = _operation(result.ok(), headers, known)
        examples += ran
        failures += [failure] if failure else []
    return operations, examples, failures


@pytest.mark.config(LIMITS={"API": "1000000 per minute"})  # fuzzing is not an attack on it
@pytest.mark.parametrize("who", ["admin", "triager"])
def test_the_api_conforms_to_its_openapi_document(app, api, people, who, capsys):
    known = _seed(app, api)
    known["alert_id"] = _alerts(app)
    known["ids"] = [[i] for i in known["alert_id"]] + [known["alert_id"]]
    started = time.perf_counter()
    operations, examples, failures = _fuzz(app, people[who], known)
    with capsys.disabled():
        print(
            f"\nschemathesis as {who}: {operations} operations, {examples} examples, "
            f"{time.perf_counter() - started:.1f}s"
        )
    assert not failures, "\n\n".join(failures)


DEEP = "[" * 100_000
HOSTILE = [  # what the fuzzer does not send, each found as a 500 before (most on PostgreSQL)
    ("GET", "/api/v1/cases?offset=9223372036854775808", None, 422),
    ("GET", "/api/v1/alerts?offset=2147483648", None, 422),
    ("GET", "/api/v1/cases/%00", None, 404),
    ("GET", "/api/v1/cases/INC-2026-0001%00/timeline", None, 404),
    ("POST", "/api/v1/cases/%00/follow", None, 404),
    ("GET", "/api/v1/alerts/2147483648", None, 404),
    ("POST", "/api/v1/alerts/dismiss", {"ids": [2**31], "reason": "x"}, 404),
    ("GET", "/api/v1/cases?q=%00", None, 422),
    ("GET", "/api/v1/cases?jurisdiction=%00", None, 422),
    ("GET", "/api/v1/cases?playbook=%00", None, 422),
    ("GET", "/api/v1/alerts?topic=%00", None, 422),
    ("GET", "/api/v1/alerts?source=%00", None, 422),
    ("GET", "/api/v1/notices?case=%00", None, 422),
    ("GET", "/api/v1/audit?actor=%00", None, 422),
    ("POST", "/api/v1/cases", {"title": "a\u0000b", "playbook": "x", "jurisdiction": "TR"}, 422),
    ("POST", "/api/v1/cases", {"title": "a\udc00", "playbook": "x", "jurisdiction": "TR"}, 422),
    ("POST", "/api/v1/sources", {"key": "k", "title": "\u0000", "url": "https://x.org"}, 422),
    ("POST", "/api/v1/cases", DEEP, 400),
    ("POST", "/api/v1/cases/INC-2026-0001/request-decision", DEEP, 400),
]


@pytest.mark.parametrize(("method", "path", "sent", "status"), HOSTILE)
def test_hostile_values_get_a_json_error_not_a_500(client, people, method, path, sent, status):
    kwargs = {"data": sent, "content_type": "application/json"}
    if not isinstance(sent, str):
        kwargs = {"json": sent} if sent is not None else {}
    response = client.open(path, method=method, headers=people["admin"].headers, **kwargs)
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert set(response.get_json()["error"]) >= {"code", "message"}


@pytest.mark.parametrize(
    ("who", "path", "body", "field"),
    [
        ("triager", "/sources", {"key": "a\u0000b", "title": "t", "url": "https://x.org"}, None),
        ("legal", "/alerts/dismiss", {"ids": ["1\u0000"], "reason": "x"}, None),
        (
            "admin",
            "/cases",
            {"response_deadline": "9999-12-31T23:59:59-05:00"},
            "response_deadline",
        ),
    ],
)
def test_hostile_bodies_refused_or_invalid(app, api, who, path, body, field):
    """Refused (403, and the attempt is audited with its raw input made storable) or invalid
    (422 naming the field)."""
    from incident_hub.audit.models import AuditEvent
    from incident_hub.extensions import db

    if path == "/cases":
        body = {"title": "x", "playbook": "content-takedown", "jurisdiction": "TR", **body}
    response = api(who).post(path, json=body)
    assert response.status_code == (422 if field else 403), response.get_json()
    assert response.get_json()["error"].get("field") == field
    if not field:
        with app.app_context():
            denied = db.session.execute(
                db.select(AuditEvent.object_ref).where(AuditEvent.outcome == "denied")
            ).scalars()
            refs = list(denied)
        assert refs and not [ref for ref in refs if "\x00" in ref], refs


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/cases/%00", 404),
        ("/cases?q=%00", 422),
        ("/cases?page=100000000000000000000000", 200),
        ("/triage?page=100000000000000000000000", 302),  # past the last page: to the last one
        ("/admin/notices?page=100000000000000000000000", 200),
        ("/cases/new?alert_id=2147483648", 404),
    ],
)
def test_hostile_values_on_web_pages_are_not_a_500(app, client, people, path, status):
    web_login(client, app, people["admin"].email)
    assert client.get(path).status_code == status
