"""The human-rights assessment on the web (real forms, real CSRF) and in Slack: the analysis
forms fill it, the edit page changes it, the case list orders by salience, and notices about a
case of high salience reach Slack marked urgent (never for a restricted case)."""

from __future__ import annotations

import re
import time
from urllib.parse import urlencode

import pytest
from conftest import analysis_body, csrf_from, open_case, web_login
from slack_sdk.signature import SignatureVerifier
from slackserver import TOKEN, slack_fixture  # noqa: F401  (provides the ``slack`` fixture)

from incident_hub.extensions import db
from incident_hub.notify.deliver import deliver_due

HIGH = {"scale": 5, "scope": 3, "irremediability": 5, "likelihood": 4}  # 72: high


@pytest.fixture
def config_overrides(request) -> dict:
    """A test that takes the loopback ``slack`` gets an app that delivers to it."""
    if "slack" not in request.fixturenames:
        return {}
    slack = request.getfixturevalue("slack")
    return {
        "SLACK": {
            "BOT_TOKEN": TOKEN,
            "API_BASE_URL": f"{slack.url}/api/",
            "MAX_PER_CHANNEL_PER_S": 500.0,
        }
    }


def _post_form(client, url: str, data: dict):  # noqa: ANN202
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    return client.post(url, data={**data, "csrf_token": csrf_from(page.get_data(as_text=True))})


def _assess(api, ref: str, body: dict, who: str = "rights") -> dict:
    response = api(who).client.put(
        f"/api/v1/cases/{ref}/assessment", json=body, headers=api(who)._headers()
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_the_human_rights_analysis_form_fills_the_assessment(app, client, api, people):
    ref = open_case(api)["ref"]
    web_login(client, app, people["rights"].email)
    url = f"/cases/{ref}/analysis/human-rights"
    page = client.get(url).get_data(as_text=True)
    assert "<legend>Scale: How grave is the impact for the people affected?</legend>" in page
    assert "loss of life, liberty, or exposure of sources" in page  # guidance on each level
    assert '<label for="irremediability-5">' in page and '<label for="test-legal-basis-no">' in page
    assert "Our involvement in the impact (UNGP 19)" in page
    form = {
        "assessment-form": "1",
        "analysis": "Journalists' accounts would be removed.",
        "recommendation": "partially-reject",
        "rights": ["expression", "offline-harm"],
        "at_risk_groups": ["journalists", "opposition"],
        "involvement": "contribute",
        "leverage": "Coalition with GNI peers",
        "test-necessity-proportionality": "no",
        "test-necessity-proportionality-note": "Blanket removal of 40 accounts",
        **{k: str(v) for k, v in HIGH.items()},
    }
    refused = _post_form(client, url, form | {"scope": "9"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'id="scope-error"' in html
    assert 'value="offline-harm" checked' in html  # what was typed is kept
    assert api("rights").get(f"/cases/{ref}/assessment").get_json()["version"] == 0
    filed = _post_form(client, url, form)
    assert filed.status_code == 302, filed.get_data(as_text=True)[:500]
    saved = api("exec").get(f"/cases/{ref}/assessment").get_json()
    assert saved["rights"] == ["expression", "offline-harm"]
    assert saved["at_risk_groups"] == ["journalists", "opposition"]
    assert (saved["salience"], saved["band"], saved["involvement"]) == (72, "high", "contribute")
    assert saved["tests"]["necessity-proportionality"]["note"] == "Blanket removal of 40 accounts"
    case_page = client.get(f"/cases/{ref}").get_data(as_text=True)
    assert "Human-rights assessment (UNGPs)" in case_page and "72/100 · High" in case_page
    assert "Contributes to the impact" in case_page and "5 — grave" in case_page
    assert "Freedom of expression (ICCPR art. 19)" in case_page
    assert f'href="/cases/{ref}/assessment"' in case_page


def test_the_legal_form_and_edit_page_answer_telenors_tests_only(app, client, api, people):
    case = open_case(api)
    ref = case["ref"]
    _assess(api, ref, HIGH)
    web_login(client, app, people["legal"].email)
    page = client.get(f"/cases/{ref}/assessment").get_data(as_text=True)
    assert "Telenor's tests of the directive" in page and 'name="scale"' not in page
    legal_form = client.get(f"/cases/{ref}/analysis/legal").get_data(as_text=True)
    assert 'name="test-legal-basis"' in legal_form and 'name="scale"' not in legal_form
    body = analysis_body(app, case, "legal")
    answers = {f"answer-{k}": v for k, v in body["answers"].items()}
    filed = _post_form(
        client,
        f"/cases/{ref}/analysis/legal",
        {"analysis": body["analysis"], "recommendation": body["recommendation"], **answers}
        | {"assessment-form": "1", "test-legal-basis": "yes", "scale": "1"},
    )
    assert filed.status_code == 302
    saved = api("exec").get(f"/cases/{ref}/assessment").get_json()
    assert saved["tests"]["legal-basis"]["answer"] == "yes" and saved["scale"] == 5
    edited = _post_form(
        client,
        f"/cases/{ref}/assessment",
        {"assessment-form": "1", "version": str(saved["version"]), "test-transparency": "no"}
        | {"test-legal-basis": "yes", "test-transparency-note": "Gag order"},
    )
    assert edited.status_code == 302
    saved = api("exec").get(f"/cases/{ref}/assessment").get_json()
    assert saved["tests"]["transparency"] == {"answer": "no", "note": "Gag order"}
    assert saved["tests"]["legal-basis"]["answer"] == "yes" and saved["scale"] == 5
    stale = _post_form(client, f"/cases/{ref}/assessment", {"assessment-form": "1", "version": "1"})
    assert stale.status_code == 409 and "changed since you read it" in stale.get_data(as_text=True)
    executive = app.test_client()
    web_login(executive, app, people["exec"].email)
    assert executive.get(f"/cases/{ref}/assessment").status_code == 403
    case_page = executive.get(f"/cases/{ref}").get_data(as_text=True)
    assert "72/100 · High" in case_page and "Edit assessment" not in case_page


def test_odd_form_values_are_refused_not_a_server_error(app, client, api, people):
    ref = open_case(api)["ref"]
    web_login(client, app, people["rights"].email)
    url = f"/cases/{ref}/assessment"
    for field, value in [("scale", "\u00b2"), ("scope", "abc"), ("likelihood", "-1")] + [
        ("irremediability", "9" * 30),
        ("version", "\u00b2"),
        ("involvement", "benefit"),
        ("rights", "flight"),
    ]:
        response = _post_form(client, url, {"assessment-form": "1", field: value})
        assert response.status_code == 422, (field, value, response.status_code)
        assert f'id="{field}-error"' in response.get_data(as_text=True) or field == "version"
    assert api("rights").get(f"/cases/{ref}/assessment").get_json()["version"] == 0


def test_the_web_case_list_orders_by_salience(app, client, api, people):
    older = open_case(api, title="Older order")["ref"]
    newer = open_case(api, title="Newer order")["ref"]
    web_login(client, app, people["legal"].email)

    def order() -> list[str]:
        html = client.get("/cases").get_data(as_text=True)
        return re.findall(r'href="/cases/(INC-\d{4}-\d{4})"', html)

    assert order() == [newer, older]
    _assess(api, older, HIGH)
    assert order() == [older, newer]
    html = client.get("/cases").get_data(as_text=True)
    assert "72/100 · High" in html and "Not assessed" in html


def _deliver(app) -> None:
    with app.app_context():
        deliver_due()
        db.session.remove()


def test_notices_about_a_highly_salient_case_reach_slack_marked_urgent(app, api, slack, slack_ids):
    public = open_case(api, title="Order to remove reporters' posts")
    secret = (
        api("admin")
        .post(
            "/cases",
            json={"title": "Gagged order", "playbook": "content-takedown", "jurisdiction": "TR"}
            | {"restricted": True},
        )
        .get_json()
    )
    _deliver(app)
    assert not [m for m in slack.messages() if "URGENT" in m.params["text"]]
    slack.reset()
    assert api("admin").post(f"/cases/{secret['ref']}/follow").status_code == 200
    for case in (public, secret):
        _assess(api, case["ref"], HIGH)
        filed = api("legal").post(
            f"/cases/{case['ref']}/analyses", json=analysis_body(app, case, "legal")
        )
        assert filed.status_code == 201
    _deliver(app)
    sent = slack.messages("#incident-hub")
    urgent = [m for m in sent if public["ref"] in m.params["text"]]
    hidden = [m for m in slack.messages() if secret["ref"] in m.params["text"]]
    assert urgent and hidden  # the restricted case's follower is told directly
    assert not [m for m in hidden if m.params["channel"] == "#incident-hub"]
    text = urgent[0].params["text"]
    assert text.startswith("URGENT · salience 72/100 (high) · Legal / product counsel analysis")
    blocks = str(urgent[0].params["blocks"])
    assert "URGENT" in blocks and "*Salience:* 72/100 (high)" in blocks
    for message in hidden:  # a restricted case: reference and link only
        everything = message.params["text"] + str(message.params["blocks"])
        assert "URGENT" not in everything and "salience" not in everything.lower()
        assert "Gagged" not in everything


@pytest.mark.config(SLACK={"SIGNING_SECRET": "status-secret"})
def test_the_slack_status_reply_shows_the_salience_band(app, api, slack_ids):
    public = open_case(api)["ref"]
    secret = (
        api("admin")
        .post(
            "/cases",
            json={"title": "Gagged order", "playbook": "content-takedown", "jurisdiction": "TR"}
            | {"restricted": True},
        )
        .get_json()["ref"]
    )
    medium = {"scale": 3, "scope": 3, "irremediability": 3, "likelihood": 3}
    _assess(api, public, medium)
    _assess(api, secret, medium)

    def status(ref: str) -> str:
        body = urlencode(
            {"command": "/incident", "user_id": slack_ids["legal"], "text": f"status {ref}"}
            | {"trigger_id": f"{time.time_ns()}.trigger"}  # each request unique (replay guard)
        )
        stamp = str(int(time.time()))
        signature = SignatureVerifier("status-secret").generate_signature(
            timestamp=stamp, body=body
        )
        headers = {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature}
        response = api("legal").client.post(
            "/slack/commands",
            data=body,
            headers=headers,
            content_type="application/x-www-form-urlencoded",
        )
        assert response.status_code == 200
        reply = response.get_json()
        return reply["text"] + str(reply.get("blocks"))

    assert "Human-rights salience: 36/100 (medium)" in status(public)
    assert "salience" not in status(secret).lower()
    _assess(api, public, HIGH)
    assert "URGENT · salience 72/100 (high)" in status(public)
