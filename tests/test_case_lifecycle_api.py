"""The whole lifecycle through the JSON API: open → every function files → executive decides."""

from __future__ import annotations

import pytest
from conftest import ROOT, analysis_body, lead_for, open_case

from incident_hub.playbooks import load_dir

PLAYBOOKS = sorted(load_dir(ROOT / "playbooks").playbooks)


@pytest.mark.parametrize("playbook", PLAYBOOKS)
def test_each_playbook_runs_from_opening_to_decision(app, api, runner, playbook):
    case = open_case(
        api,
        playbook,
        summary="Intake summary",
        instrument="Law 1/2026",
        authority="Ministry",
        stage="adopted",
        effective_date="2026-12-01",
        response_deadline="2026-12-03T12:00:00Z",
        gag_order=True,
    )
    assert case["ref"].startswith("INC-") and case["status"] == "open"
    spec = app.extensions["incident_hub.playbooks"].get(playbook)
    assert [a["function"] for a in case["assignments"]] == [f.key for f in spec.functions]
    assert all(a["status"] == "pending" and a["lead"] for a in case["assignments"])
    assert case["intake"]["gag_order"] is True and case["intake"]["stage"] == "adopted"

    required = [f.key for f in spec.functions if f.required]
    for index, function in enumerate(required):
        body = analysis_body(app, case, function, spec.options[index % len(spec.options)].key)
        response = api(lead_for(function)).post(f"/cases/{case['ref']}/analyses", json=body)
        assert response.status_code == 201, response.get_json()
        expected = "awaiting_decision" if index == len(required) - 1 else "open"
        assert response.get_json()["status"] == expected

    decided = api("exec").post(
        f"/cases/{case['ref']}/decision",
        json={"option": spec.options[0].key, "rationale": "Because."},
    )
    assert decided.status_code == 201, decided.get_json()
    body = decided.get_json()
    assert body["status"] == "decided"
    assert body["decision"]["option"] == spec.options[0].key
    assert body["decision"]["executive"] == "exec@example.org"
    assert {a["function"] for a in body["analyses"]} == set(required)

    actions = [e["action"] for e in api("exec").get(f"/cases/{case['ref']}/timeline").get_json()]
    assert actions[0] == "case.opened" and actions[-2:] == ["decision.recorded", "case.decided"]
    assert actions.count("analysis.filed") == len(required)
    verify = runner.invoke(args=["audit", "verify"])
    assert verify.exit_code == 0 and "audit chain OK" in verify.output


def test_refiling_replaces_the_current_analysis_and_keeps_earlier_versions(app, api):
    case = open_case(api)
    url = f"/cases/{case['ref']}/analyses"
    first = analysis_body(app, case, "legal", "comply-narrowly")
    assert api("legal").post(url, json=first).status_code == 201
    second = dict(
        first,
        analysis="Revised after the ministry clarified scope.",
        recommendation="seek-clarification",
    )
    response = api("legal").post(url, json=second)
    assert response.status_code == 201
    legal = [a for a in response.get_json()["analyses"] if a["function"] == "legal"]
    assert [(a["version"], a["current"]) for a in legal] == [(1, False), (2, True)]
    assert legal[1]["recommendation"] == "seek-clarification"
    assert legal[0]["analysis"] == first["analysis"]


def test_answers_may_be_keyed_by_question_text(app, api):
    case = open_case(api)
    spec = app.extensions["incident_hub.playbooks"].get("content-takedown").function("legal")
    body = analysis_body(app, case, "legal")
    first, *others = spec.questions  # the rest by key: a required one left open is a draft
    body["answers"] = {first.text: "Issued by the regulator under article 8."} | {
        q.key: f"answer to {q.key}" for q in others
    }
    response = api("legal").post(f"/cases/{case['ref']}/analyses", json=body)
    assert response.status_code == 201
    analysis = response.get_json()["analyses"][0]
    assert analysis["answers"] == {first.key: "Issued by the regulator under article 8."} | {
        q.key: f"answer to {q.key}" for q in others
    }


def test_executive_can_decide_early_only_with_override(api):
    case = open_case(api)
    url = f"/cases/{case['ref']}/decision"
    body = {"option": "comply-narrowly", "rationale": "Deadline is in hours."}
    refused = api("exec").post(url, json=body)
    assert refused.status_code == 409
    assert "waiting for: legal" in refused.get_json()["error"]["message"]
    decided = api("exec").post(url, json=dict(body, override=True))
    assert decided.status_code == 201 and decided.get_json()["decision"]["override"] is True


def test_move_to_decision_early_then_close_and_reopen_as_new_round(app, api):
    case = open_case(api)
    ref = case["ref"]
    moved = api("exec").post(f"/cases/{ref}/request-decision", json={"note": "Deadline today"})
    assert moved.status_code == 200 and moved.get_json()["status"] == "awaiting_decision"
    api("exec").post(f"/cases/{ref}/decision", json={"option": "comply-narrowly", "rationale": "r"})
    closed = api("admin").post(f"/cases/{ref}/close", json={"note": "Order complied with."})
    assert closed.get_json()["status"] == "closed"
    again = api("admin").post(f"/cases/{ref}/close", json={"note": "twice"})
    assert again.status_code == 409
    reopened = api("admin").post(f"/cases/{ref}/reopen", json={"note": "Order amended"})
    body = reopened.get_json()
    assert body["status"] == "open" and body["round"] == 2 and body["decision"] is None
    assert all(a["status"] == "pending" for a in body["assignments"])
    assert len(body["decisions"]) == 1  # the first round's decision stays on record


def test_waiving_the_last_pending_function_moves_the_case_to_decision(app, api):
    case = open_case(api)
    ref = case["ref"]
    functions = [a["function"] for a in case["assignments"] if a["required"]]
    for function in functions[:-1]:
        api(lead_for(function)).post(
            f"/cases/{ref}/analyses", json=analysis_body(app, case, function)
        )
    waived = api("admin").post(
        f"/cases/{ref}/assignments/{functions[-1]}/waive", json={"note": "No staff in country"}
    )
    assert waived.status_code == 200
    assert waived.get_json()["status"] == "awaiting_decision"


def test_case_references_count_up_per_year(api):
    refs = [open_case(api)["ref"] for _ in range(3)]
    year = refs[0].split("-")[1]
    assert refs == [f"INC-{year}-0001", f"INC-{year}-0002", f"INC-{year}-0003"]


def test_follow_and_unfollow_are_idempotent(api):
    ref = open_case(api)["ref"]
    for _ in range(2):
        response = api("legal").post(f"/cases/{ref}/follow")
        assert response.status_code == 200 and response.get_json()["following"] is True
    response = api("legal").delete(f"/cases/{ref}/follow")
    assert response.get_json()["following"] is False


def test_case_list_filters_and_paginates_with_total_count(api):
    for jurisdiction in ("TR", "TR", "DE"):
        open_case(api, jurisdiction=jurisdiction)
    open_case(api, "network-shutdown", jurisdiction="MM", title="Mobile data shutdown")
    everything = api("legal").get("/cases")
    assert everything.headers["X-Total-Count"] == "4" and len(everything.get_json()) == 4
    page = api("legal").get("/cases?limit=2&offset=2")
    assert page.headers["X-Total-Count"] == "4" and len(page.get_json()) == 2
    assert len(api("legal").get("/cases?jurisdiction=tr").get_json()) == 2
    assert len(api("legal").get("/cases?playbook=network-shutdown").get_json()) == 1
    assert len(api("legal").get("/cases?q=shutdown").get_json()) == 1
    assert api("legal").get("/cases?status=open").headers["X-Total-Count"] == "4"


def test_playbooks_endpoint_follows_the_contract(api):
    playbooks = api("legal").get("/playbooks").get_json()
    assert sorted(p["key"] for p in playbooks) == PLAYBOOKS
    for playbook in playbooks:
        assert {"key", "title", "rights", "functions", "options"} <= set(playbook)
        for function in playbook["functions"]:
            assert {"key", "title", "due_days", "questions"} <= set(function)
            assert function["questions"] and all(q["text"] for q in function["questions"])
        assert len(playbook["options"]) >= 2
