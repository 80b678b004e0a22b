"""Rounds keep their history (issue 16): a reopen settles every action still open (carried
over to the new round or closed, never orphaned), its due times come from the response
deadline, and each earlier round's analyses, decision and actions stay readable through
``GET /cases/<ref>/rounds`` and on the case page. Through HTTP and the CLI, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from conftest import analysis_body, csrf_from, open_case, web_login
from test_followthrough import DECISION, decided_case, events, new_action, patch

from incident_hub.cases.models import Case
from incident_hub.extensions import db
from incident_hub.followthrough.models import Action


def two_open_actions(api, ref: str) -> tuple[int, int]:
    first = new_action(api, ref, title="Notify users").get_json()["id"]
    second = new_action(api, ref, title="Brief GNI", owner="rights@example.org").get_json()["id"]
    return first, second


def state(app, ref: str) -> tuple[str, int, list[tuple[int, str, int, int | None]]]:
    with app.app_context():
        case = db.session.execute(db.select(Case).filter_by(ref=ref)).scalar_one()
        actions = db.session.execute(
            db.select(Action).filter_by(case_id=case.id).order_by(Action.id)
        ).scalars()
        rows = [(a.id, a.status, a.round, a.carried_from_round) for a in actions]
        return case.status, case.round, rows


def when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def test_reopen_is_refused_while_open_actions_have_no_choice(app, api, runner):
    ref = decided_case(api)
    first, second = two_open_actions(api, ref)
    before = state(app, ref)
    refused = api("admin").post(f"/cases/{ref}/reopen", json={"note": "the law was amended"})
    assert refused.status_code == 409
    message = refused.get_json()["error"]["message"]
    assert message.startswith(f"{ref}: 2 open actions of round 1: ")
    assert "“Notify users” (Legal" in message and "“Brief GNI” (Rights" in message
    assert message.endswith("carry them over or close them")
    half = {"note": "amended", "actions": {str(first): "carry"}}
    still = api("admin").post(f"/cases/{ref}/reopen", json=half)
    assert (
        still.status_code == 409
        and "1 open action of round 1: “Brief GNI”" in (still.get_json()["error"]["message"])
    )
    unknown = api("admin").post(
        f"/cases/{ref}/reopen", json={"note": "x", "actions": {"999999": "carry"}}
    )
    assert unknown.status_code == 422 and unknown.get_json()["error"]["field"] == "actions"
    bad = api("admin").post(f"/cases/{ref}/reopen", json={"note": "x", "all_actions": "keep"})
    assert bad.status_code == 422
    cli = runner.invoke(["cases", "reopen", ref, "--as", "admin@example.org", "--note", "x"])
    assert cli.exit_code == 1 and "2 open actions of round 1" in cli.output
    both = ["--carry", str(first), "--close", str(first), "--all", "carry"]
    cli = runner.invoke(["cases", "reopen", ref, "--as", "admin@example.org", "--note", "x", *both])
    assert cli.exit_code == 2 and "both --carry and --close" in cli.output
    assert (
        state(app, ref)
        == before
        == ("decided", 1, [(first, "open", 1, None), (second, "open", 1, None)])
    )
    assert events(app, "action.carried") == [] and events(app, "case.open") == []


def test_reopen_carries_one_action_over_and_closes_the_other_with_its_note(app, api):
    ref = decided_case(api)
    first, second = two_open_actions(api, ref)
    body = {"note": "the ministry widened the order", "actions": {str(first): "carry"}}
    reopened = api("admin").post(f"/cases/{ref}/reopen", json=body | {"all_actions": "close"})
    assert reopened.status_code == 200, reopened.get_json()
    assert reopened.get_json()["round"] == 2
    assert state(app, ref) == ("open", 2, [(first, "open", 2, 1), (second, "waived", 1, None)])
    listed = {a["id"]: a for a in api("legal").get(f"/cases/{ref}/actions").get_json()}
    assert listed[first]["round"] == 2 and listed[first]["current_round"] is True
    assert listed[first]["carried_from_round"] == 1
    assert listed[second]["status"] == "waived"
    assert listed[second]["note"] == "the ministry widened the order"
    (carried,) = events(app, "action.carried")
    assert carried.details | {"reason": ""} == {
        "action": first,
        "title": "Notify users",
        "from_round": 1,
        "to_round": 2,
        "reason": "",
    }
    (waived,) = events(app, "action.waived")
    assert waived.details["action"] == second
    assert waived.details["note"] == "the ministry widened the order"
    rounds = api("legal").get(f"/cases/{ref}/rounds").get_json()
    assert [(a["id"], a["outcome"]) for a in rounds[0]["actions"]] == [
        (first, "carried"),
        (second, "waived"),
    ]
    assert [(a["id"], a["outcome"]) for a in rounds[1]["actions"]] == [(first, "open")]


def test_the_cli_carries_and_closes_by_id(app, api, runner):
    ref = decided_case(api)
    first, second = two_open_actions(api, ref)
    args = ["cases", "reopen", ref, "--as", "admin@example.org", "--note", "new order"]
    done = runner.invoke([*args, "--close", str(first), "--carry", str(second)])
    assert done.exit_code == 0, done.output
    assert f"{ref} reopened (round 2)." in done.output
    assert state(app, ref)[2] == [(first, "waived", 1, None), (second, "open", 2, 1)]
    assert [e.details["action"] for e in events(app, "action.carried")] == [second]


def test_the_web_form_offers_carry_or_close_for_each_open_action(app, api, client):
    ref = decided_case(api)
    first, second = two_open_actions(api, ref)
    web_login(client, app, "admin@example.org")
    page = client.get(f"/cases/{ref}").get_data(as_text=True)
    assert f'name="action-{first}" value="carry"' in page
    assert f'name="action-{second}" value="close"' in page
    token = csrf_from(page)
    refused = client.post(
        f"/cases/{ref}/reopen",
        data={"note": "amended", f"action-{first}": "carry", "csrf_token": token},
        follow_redirects=True,
    )
    text = refused.get_data(as_text=True)
    assert "flash-error" in text and "still has 1 open action: “Brief GNI” (Rights)" in text
    assert state(app, ref)[1] == 1
    data = {"note": "amended", f"action-{first}": "carry", f"action-{second}": "close"}
    client.post(f"/cases/{ref}/reopen", data=data | {"csrf_token": token})
    assert state(app, ref)[2] == [(first, "open", 2, 1), (second, "waived", 1, None)]


def test_round_one_stays_readable_after_a_reopen_and_a_second_decision(app, api, client, people):
    case = open_case(api)
    ref = case["ref"]
    filed = api("legal").post(
        f"/cases/{ref}/analyses", json=analysis_body(app, case, "legal", "challenge-in-court")
    )
    assert filed.status_code == 201
    first_decision = DECISION | {"rationale": "Round one: comply narrowly, publish the order"}
    assert api("exec").post(f"/cases/{ref}/decision", json=first_decision).status_code == 201
    action = new_action(api, ref, title="Publish the order").get_json()["id"]
    done = patch(
        client, people, "legal", f"/cases/{ref}/actions/{action}",
        {"status": "done", "note": "published on 3 Dec"},
    )  # fmt: skip
    assert done.status_code == 200
    reopened = api("admin").post(f"/cases/{ref}/reopen", json={"note": "the order was widened"})
    assert reopened.status_code == 200  # nothing open: no choice needed
    again = analysis_body(app, case, "legal", "comply-narrowly")
    assert api("legal").post(f"/cases/{ref}/analyses", json=again).status_code == 201
    second = DECISION | {"option": "challenge-in-court", "rationale": "Round two: challenge it"}
    assert api("exec").post(f"/cases/{ref}/decision", json=second).status_code == 201

    answer = api("outsider").get(f"/cases/{ref}/rounds")
    assert answer.status_code == 200 and answer.headers["X-Total-Count"] == "2"
    one, two = answer.get_json()
    assert (one["number"], one["current"], two["number"], two["current"]) == (1, False, 2, True)
    assert one["opened_by"] == "triager@example.org" and one["note"] == ""
    assert two["opened_by"] == "admin@example.org" and two["note"] == "the order was widened"
    assert when(one["opened_at"]) <= when(two["opened_at"])
    assert [(a["function"], a["version"], a["recommendation"]) for a in one["analyses"]] == [
        ("legal", 1, "challenge-in-court")
    ]
    assert [(a["function"], a["version"], a["recommendation"]) for a in two["analyses"]] == [
        ("legal", 2, "comply-narrowly")
    ]
    assert one["decision"]["option"] == "comply-narrowly"
    assert one["decision"]["rationale"] == first_decision["rationale"]
    assert one["decision"]["executive"] == "exec@example.org"
    assert two["decision"]["option"] == "challenge-in-court"
    assert [(a["title"], a["outcome"], a["note"]) for a in one["actions"]] == [
        ("Publish the order", "done", "published on 3 Dec")
    ]
    assert two["actions"] == []

    web_login(client, app, "outsider@example.org")
    page = client.get(f"/cases/{ref}").get_data(as_text=True)
    earlier = page[page.index('id="rounds-h"') :]
    earlier = earlier[: earlier.index("</section>")]
    assert "<summary>Round 1: " in earlier and "Round 2" not in earlier
    assert first_decision["rationale"] in earlier and "Round two" not in earlier
    assert "“Publish the order” (Legal): done — published on 3 Dec" in earlier
    assert "Reopened" not in earlier and "Opened" in earlier


def test_restricted_rounds_are_hidden_and_privileged_advice_withheld(app, api):
    secret = decided_case(api, restricted=True, title="Secret interception notice")
    assert api("outsider").get(f"/cases/{secret}/rounds").status_code == 404
    assert api("legal").get(f"/cases/{secret}/rounds").status_code == 200
    case = open_case(api)
    ref = case["ref"]
    advice = analysis_body(app, case, "legal", "challenge-in-court") | {"privileged": True}
    assert api("legal").post(f"/cases/{ref}/analyses", json=advice).status_code == 201
    api("exec").post(f"/cases/{ref}/decision", json=DECISION)
    api("admin").post(f"/cases/{ref}/reopen", json={"note": "amended"})
    (seen,) = api("outsider").get(f"/cases/{ref}/rounds").get_json()[0]["analyses"]
    assert seen["recommendation"] == "" and seen["withheld"] is True and seen["privileged"]
    (member,) = api("legal").get(f"/cases/{ref}/rounds").get_json()[0]["analyses"]
    assert member["recommendation"] == "challenge-in-court" and member["withheld"] is False


def test_due_times_after_a_reopen_come_from_the_response_deadline(app, api):
    deadline = (datetime.now(UTC) + timedelta(hours=36)).replace(microsecond=0)
    ref = decided_case(api, response_deadline=deadline.isoformat())
    reopened = api("admin").post(f"/cases/{ref}/reopen", json={"note": "extension refused"})
    body = reopened.get_json()
    assert when(body["decision_due_at"]) <= deadline
    dues = [when(a["due_at"]) for a in body["assignments"]]
    assert dues and all(due <= deadline for due in dues)
    # without a deadline the playbook's day counts apply (the decision: 3 days after reopening)
    free = decided_case(api)
    later = api("admin").post(f"/cases/{free}/reopen", json={"note": "amended"}).get_json()
    assert when(later["decision_due_at"]) > deadline
