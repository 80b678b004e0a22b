"""Every bad input gets a clear JSON error with the right status — never a 500, never data loss."""

from __future__ import annotations

import pytest
from conftest import analysis_body, open_case

NEW_CASE = {"title": "Order", "playbook": "content-takedown", "jurisdiction": "TR"}


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"title": ""}, 422, "title"),
        ({"title": "x" * 301}, 422, "title"),
        ({"title": 7}, 422, "title"),
        ({"playbook": "nope"}, 422, "playbook"),
        ({"playbook": None}, 422, "playbook"),
        ({"jurisdiction": "Narnia"}, 422, "jurisdiction"),
        ({"jurisdiction": "ZZ"}, 422, "jurisdiction"),
        ({"jurisdiction": "1!"}, 422, "jurisdiction"),
        ({"stage": "rumour"}, 422, "stage"),
        ({"effective_date": "next week"}, 422, "effective_date"),
        ({"response_deadline": "31/12/2026"}, 422, "response_deadline"),
        ({"restricted": "perhaps"}, 422, "restricted"),
        ({"summary": ["a", "list"]}, 422, "summary"),
    ],
)
def test_opening_a_case_with_bad_fields_names_the_field(api, change, status, field):
    response = api("triager").post("/cases", json={**NEW_CASE, **change})
    assert response.status_code == status
    error = response.get_json()["error"]
    assert error["code"] == "validation_error" and error["field"] == field
    assert field.split("_")[0] in error["message"]
    assert api("triager").get("/cases").headers["X-Total-Count"] == "0"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"data": "not json", "content_type": "application/json"},
        {"data": "title=x", "content_type": "application/x-www-form-urlencoded"},
        {"json": ["a", "list"]},
        {"json": "a string"},
    ],
)
def test_a_body_that_is_not_a_json_object_is_a_400(client, people, kwargs):
    response = client.post("/api/v1/cases", headers=people["triager"].headers, **kwargs)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"function": "export-control"}, 422, "function"),  # not in this playbook
        ({"function": "astrology"}, 422, "function"),
        ({"recommendation": "do-nothing"}, 422, "recommendation"),
        ({"analysis": "   "}, 422, "analysis"),
        ({"answers": {"not-a-question": "x"}}, 422, "answers"),
        ({"answers": "yes"}, 422, "answers"),
    ],
)
def test_filing_bad_analyses(app, api, change, status, field):
    case = open_case(api)
    body = {**analysis_body(app, case, "legal"), **change}
    response = api("admin").post(f"/cases/{case['ref']}/analyses", json=body)
    assert response.status_code == status, response.get_json()
    assert response.get_json()["error"]["field"] == field
    assert api("admin").get(f"/cases/{case['ref']}").get_json()["analyses"] == []


def test_wrong_state_actions_are_409_with_a_message(app, api):
    case = open_case(api)
    ref = case["ref"]
    decision = {"option": "comply-narrowly", "rationale": "r", "override": True}
    assert api("exec").post(f"/cases/{ref}/decision", json=decision).status_code == 201
    again = api("exec").post(f"/cases/{ref}/decision", json=decision)
    assert again.status_code == 409 and "decided" in again.get_json()["error"]["message"]
    late = api("legal").post(f"/cases/{ref}/analyses", json=analysis_body(app, case, "legal"))
    assert late.status_code == 409
    assert api("exec").post(f"/cases/{ref}/request-decision", json={}).status_code == 409
    assert api("admin").post(f"/cases/{ref}/close", json={}).status_code == 200
    closed = api("exec").post(f"/cases/{ref}/decision", json=decision)
    assert closed.status_code == 409 and "closed" in closed.get_json()["error"]["message"]
    waive = api("admin").post(f"/cases/{ref}/assignments/legal/waive", json={"note": "n"})
    assert waive.status_code == 409


def test_closing_an_undecided_case_needs_a_note(api):
    ref = open_case(api)["ref"]
    response = api("admin").post(f"/cases/{ref}/close", json={})
    assert response.status_code == 422 and response.get_json()["error"]["field"] == "note"


def test_decision_needs_a_known_option_and_a_rationale(api):
    ref = open_case(api)["ref"]
    url = f"/cases/{ref}/decision"
    bad_option = api("exec").post(url, json={"option": "x", "rationale": "r", "override": True})
    assert bad_option.status_code == 422 and bad_option.get_json()["error"]["field"] == "option"
    no_reason = api("exec").post(url, json={"option": "comply-narrowly", "override": True})
    assert no_reason.status_code == 422
    assert no_reason.get_json()["error"]["field"] == "rationale"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/cases/INC-2026-9999"),
        ("post", "/cases/INC-2026-9999/analyses"),
        ("post", "/cases/INC-2026-9999/decision"),
        ("post", "/cases/nonsense/follow"),
        ("get", "/no-such-endpoint"),
    ],
)
def test_unknown_things_are_json_404s(api, method, path):
    response = getattr(api("admin"), method)(path, **({"json": {}} if method == "post" else {}))
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer "},
        {"Authorization": "Bearer ih_wrong"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer " + "x" * 5000},
    ],
)
def test_missing_or_bad_tokens_are_401(client, people, headers):
    response = client.get("/api/v1/cases", headers=headers)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "query", ["limit=0", "limit=10001", "limit=abc", "offset=-1", "status=pending"]
)
def test_bad_list_parameters_are_422(api, query):
    assert api("legal").get(f"/cases?{query}").status_code == 422


def test_wrong_method_is_a_json_405(api):
    response = api("admin").client.put("/api/v1/cases", headers=api("admin")._headers())
    assert response.status_code == 405 and "error" in response.get_json()


def test_oversized_request_is_413(api):
    response = api("triager").post("/cases", json={**NEW_CASE, "summary": "x" * 3_000_000})
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "request_entity_too_large"
