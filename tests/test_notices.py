"""Notices are written with the change that causes them, to the right people, with the minimum."""

from __future__ import annotations

import json

import pytest
from conftest import analysis_body, lead_for, notices, open_case
from feedserver import rss


def test_opening_a_case_announces_it_and_asks_each_lead(app, api, slack_ids):
    case = open_case(api, title="Order to remove 40 posts")
    announce = notices(app, kind="case_opened")
    assert [n.audience for n in announce] == ["#incident-hub"]
    payload = announce[0].payload
    assert case["ref"] in payload["text"] and "Order to remove 40 posts" in payload["text"]
    assert payload["blocks"][0]["type"] == "section"
    actions = payload["blocks"][-1]["elements"]
    assert [a["action_id"] for a in actions] == ["open", "follow"]
    assert actions[0]["url"].endswith(f"/cases/{case['ref']}")
    asks = notices(app, kind="assignment")
    functions = {a["function"] for a in case["assignments"]}
    expected = {slack_ids[lead_for(f)] for f in functions}
    assert {n.audience for n in asks} == expected
    legal = next(n for n in asks if n.audience == slack_ids["legal"])
    assert "Legal" in legal.payload["text"] and "due" in legal.payload["text"]


def test_restricted_cases_tell_slack_only_the_reference_and_a_link(app, api, slack_ids):
    response = api("admin").post(
        "/cases",
        json={
            "title": "Secret interception order",
            "playbook": "surveillance-data-demand",
            "jurisdiction": "GB",
            "restricted": True,
        },
    )
    ref = response.get_json()["ref"]
    rows = notices(app)
    (announce,) = [n for n in rows if n.audience == "#incident-hub"]
    assert announce.payload["text"] == "A restricted case was opened; members were told directly."
    direct = [n for n in rows if n is not announce]
    assert direct and all(ref in n.payload["text"] for n in direct)
    dumped = json.dumps([n.payload for n in rows])
    assert "Secret interception order" not in dumped and "GB" not in dumped
    assert "surveillance" not in dumped.lower() and ref not in json.dumps(announce.payload)


def test_a_refused_action_writes_no_notice(app, api, slack_ids):
    response = api("triager").post(
        "/cases", json={"title": "x", "playbook": "nope", "jurisdiction": "TR"}
    )
    assert response.status_code == 422
    assert notices(app) == []


def test_followers_hear_of_analyses_and_executives_of_decisions_needed(app, api, slack_ids):
    case = open_case(api)
    ref = case["ref"]
    api("tech").post(f"/cases/{ref}/follow")
    api("legal").post(f"/cases/{ref}/follow")
    api("legal").post(f"/cases/{ref}/analyses", json=analysis_body(app, case, "legal"))
    filed = {n.audience for n in notices(app, kind="analysis_filed")}
    assert slack_ids["tech"] in filed and slack_ids["legal"] not in filed  # not the author
    api("exec").post(f"/cases/{ref}/request-decision", json={})
    needed = notices(app, kind="awaiting_decision")
    assert slack_ids["exec"] in {n.audience for n in needed}


def test_an_executive_who_follows_is_told_once_that_a_decision_is_needed(app, api, slack_ids):
    """Told as an executive and as a follower, one dedup key: the last filing was a 409."""
    case = open_case(api)
    ref = case["ref"]
    assert api("exec").post(f"/cases/{ref}/follow").status_code == 200
    required = [a["function"] for a in case["assignments"] if a["required"]]
    for function in required:
        body = analysis_body(app, case, function)
        response = api(lead_for(function)).post(f"/cases/{ref}/analyses", json=body)
        assert response.status_code == 201, response.get_json()
    assert response.get_json()["status"] == "awaiting_decision"
    needed = [n.audience for n in notices(app, kind="awaiting_decision")]
    assert needed.count(slack_ids["exec"]) == 1, needed


def test_decision_reaches_everyone_involved_and_every_follower(app, api, slack_ids):
    case = open_case(api)
    ref = case["ref"]
    api("outsider").post(f"/cases/{ref}/follow")
    api("exec").post(
        f"/cases/{ref}/decision",
        json={"option": "comply-narrowly", "rationale": "r", "override": True},
    )
    told = {n.audience: n for n in notices(app, kind="decision_recorded")}
    for name in ("triager", "legal", "rights", "policy", "tech", "exec"):
        assert slack_ids[name] in told, name
    unreachable = told["user:outsider@example.org"]
    assert unreachable.status == "failed" and "no Slack user id" in unreachable.last_error
    assert "Comply narrowly" in told[slack_ids["legal"]].payload["text"]


@pytest.mark.config(SLACK={"CASE_CHANNELS": True})
def test_case_channels_are_created_used_and_archived(app, api, slack_ids):
    case = open_case(api, title="Shutdown order in region X")
    ref = case["ref"]
    (create,) = notices(app, kind="case_channel")
    assert create.payload["action"] == "create_channel"
    assert create.payload["name"] == f"{ref.lower()}-shutdown-order-in-region-x"
    assert slack_ids["legal"] in create.payload["invite"]
    api("legal").post(f"/cases/{ref}/analyses", json=analysis_body(app, case, "legal"))
    assert f"case:{ref}" in {n.audience for n in notices(app, kind="analysis_filed")}
    api("admin").post(f"/cases/{ref}/close", json={"note": "withdrawn"})
    archive = [n for n in notices(app, kind="case_channel") if n.id != create.id]
    assert [n.payload["action"] for n in archive] == ["archive_channel"]
    from incident_hub.cases.models import Case
    from incident_hub.extensions import db

    with app.app_context():  # as if Slack had created it
        db.session.execute(db.update(Case).values(slack_channel_id="C0CASE"))
        db.session.commit()
    api("admin").post(f"/cases/{ref}/reopen", json={"note": "law amended"})
    fresh = notices(app, kind="case_channel")[-1]
    assert fresh.payload["action"] == "create_channel" and fresh.payload["name"].endswith("-r2")


@pytest.mark.config(SLACK={"ALERT_MIN_SCORE": 5.5})
def test_strong_alerts_are_posted_to_the_triage_channel(app, api, runner, feeds):
    items = [
        {
            "title": "Regulator orders internet shutdown in Myanmar",
            "guid": "a",
            "description": "Operators were ordered to suspend mobile data.",
        },
        {"title": "Court weighs data privacy law", "guid": "b"},
    ]
    url = feeds.serve("/a.xml", rss(items))
    api("admin").post("/sources", json={"key": "s", "title": "S", "url": url})
    runner.invoke(["poll"])
    posted = notices(app, kind="alert_flagged")
    scores = {a["title"]: a["score"] for a in api("legal").get("/alerts").get_json()}
    strong = [t for t, s in scores.items() if s >= 5.5]
    assert len(posted) == len(strong) >= 1
    assert posted[0].audience == "#incident-triage" and "Myanmar" in posted[0].payload["text"]


def test_admins_see_the_outbox_and_who_slack_cannot_reach(app, api, client, people, slack_ids):
    open_case(api)
    response = api("admin").get("/notices?limit=5")
    assert response.status_code == 200 and response.headers["X-Total-Count"] != "0"
    row = response.get_json()[0]
    assert {"id", "kind", "audience", "status", "attempts", "slack_ts"} <= set(row)
    assert api("legal").get("/notices").status_code == 403
    from conftest import web_login

    web_login(client, app, people["admin"].email)
    page = client.get("/admin/notices").get_data(as_text=True)
    assert "Slack is not configured" in page and "outsider@example.org" in page
    other = app.test_client()
    web_login(other, app, people["legal"].email)
    assert other.get("/admin/notices").status_code == 403
