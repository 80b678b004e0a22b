"""Opening a case from Slack: ``/incident open`` and the message shortcut open a modal on the
loopback Slack (``views.open`` with the interaction's trigger id); submitting it, signed as
Slack signs it, opens the case through the same service as the web and API, as the linked
Incident Hub user, and the reply links the new case."""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

import pytest
from conftest import SLACK_IDS
from slack_sdk.signature import SignatureVerifier
from slackserver import (
    TOKEN,
    slack_fixture,  # noqa: F401  (provides the ``slack`` fixture)
)

from incident_hub.audit.models import AuditEvent
from incident_hub.cases.models import Case
from incident_hub.extensions import db

SECRET, FORM = "test-secret", "application/x-www-form-urlencoded"
BASE = "https://hub.example.org"
CHANNEL, MESSAGE_TS = "C0CHAN", "1700000000.000100"
NOBODY = "U0NOBODY"
MESSAGE = (
    "Ministry orders ISPs to block <https://news.example/a?b=1&amp;c=2|the news site> &amp; "
    "its mirrors <@U0SOMEONE>\nThe order cites the 2024 cyber law; 48 hours to comply."
)


@pytest.fixture
def config_overrides(slack):  # noqa: F811
    return {
        "BASE_URL": BASE,
        "SLACK": {
            "SIGNING_SECRET": SECRET,
            "BOT_TOKEN": TOKEN,
            "API_BASE_URL": f"{slack.url}/api/",
        },
    }


@pytest.fixture(autouse=True)
def _language_model_loaded(app):
    """``open_case`` indexes the case for precedent search, whose language identifier loads
    once per process (a second or more on a busy machine): a cold start, not what the 3-second
    checks below are about."""
    app.extensions["incident_hub.classifier"].language_of("Warm up", "la loi sur les médias")


def _signed(body: str) -> dict[str, str]:
    """The headers Slack signs ``body`` with."""
    stamp = str(int(time.time()))
    signature = SignatureVerifier(SECRET).generate_signature(timestamp=stamp, body=body)
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature}


def _post(client, path: str, body: str):  # noqa: ANN001, ANN202
    headers = _signed(body)
    started = time.perf_counter()
    response = client.post(path, data=body.encode(), headers=headers, content_type=FORM)
    assert time.perf_counter() - started < 3.0, f"{path} took too long to answer"
    assert response.status_code == 200, response.get_data(as_text=True)
    return response


def slash_open(client, user_id: str, text: str, trigger_id: str):  # noqa: ANN001, ANN201
    fields = {
        "team_id": "T0TEAM",
        "channel_id": CHANNEL,
        "command": "/incident",
        "user_id": user_id,
        "text": f"open {text}".strip(),
        "trigger_id": trigger_id,
        "response_url": "https://hooks.slack.invalid/x",
    }
    return _post(client, "/slack/commands", urlencode(fields))


def interaction(client, payload: dict):  # noqa: ANN001, ANN201
    return _post(client, "/slack/interactions", urlencode({"payload": json.dumps(payload)}))


def shortcut(client, user_id: str, trigger_id: str, text: str = MESSAGE):  # noqa: ANN001, ANN201
    return interaction(
        client,
        {
            "type": "message_action",
            "callback_id": "open_case_from_message",
            "trigger_id": trigger_id,
            "user": {"id": user_id, "team_id": "T0TEAM"},
            "channel": {"id": CHANNEL, "name": "policy-watch"},
            "message": {"type": "message", "text": text, "ts": MESSAGE_TS, "user": "U0SOMEONE"},
            "response_url": "https://hooks.slack.invalid/y",
        },
    )


def element(view: dict, block_id: str) -> dict:
    return next(b for b in view["blocks"] if b["block_id"] == block_id)["element"]


def submit(client, user_id: str, view: dict, **values):  # noqa: ANN001, ANN201
    """Submit ``view`` as Slack does: the form's state as typed, under its block ids."""
    state: dict[str, dict] = {}
    for block_id, value in values.items():
        if block_id == "playbook":
            entry = {"type": "static_select", "selected_option": {"value": value}}
        elif block_id == "restricted":
            chosen = [{"value": "yes"}] if value else []
            entry = {"type": "checkboxes", "selected_options": chosen}
        else:
            entry = {"type": "plain_text_input", "value": value}
        state[block_id] = {"value": entry}
    submitted = {
        "id": "V0VIEW",
        "type": "modal",
        "callback_id": view["callback_id"],
        "private_metadata": view.get("private_metadata", ""),
        "state": {"values": state},
    }
    user = {"id": user_id, "team_id": "T0TEAM"}
    return interaction(client, {"type": "view_submission", "user": user, "view": submitted})


def deliver(app) -> None:
    """What the scheduler does next: deliver the outbox (replies are notices like any other)."""
    from incident_hub.notify.deliver import deliver_due

    with app.app_context():
        deliver_due()


def cases(app) -> list[Case]:
    with app.app_context():
        found = list(db.session.scalars(db.select(Case).order_by(Case.id)))
        db.session.expunge_all()
        return found


def refusals(app) -> list[AuditEvent]:
    with app.app_context():
        query = db.select(AuditEvent).where(
            AuditEvent.action == "case.open", AuditEvent.outcome == "denied"
        )
        return list(db.session.scalars(query))


def test_a_triager_opens_a_case_from_a_message_and_the_thread_gets_its_link(
    app, client, slack, slack_ids
):
    triager = slack_ids["triager"]
    assert shortcut(client, triager, slack.trigger()).get_data() == b""
    [view] = slack.views_opened()
    title = element(view, "title")["initial_value"]
    summary = element(view, "summary")["initial_value"]
    assert title == "Ministry orders ISPs to block the news site & its mirrors U0SOMEONE"
    assert summary.startswith("Ministry orders ISPs to block the news site (https://news.exa")
    assert "48 hours to comply" in summary and "&amp;" not in summary
    playbooks = {o["value"]: o["text"]["text"] for o in element(view, "playbook")["options"]}
    assert playbooks["content-takedown"].startswith("Content takedown")  # readable titles
    assert CHANNEL not in view["private_metadata"]  # signed and encoded, not plain JSON

    answer = submit(
        client,
        triager,
        view,
        title=title,
        playbook="content-takedown",
        jurisdiction="in",
        summary=summary,
    )
    assert answer.get_json() == {"response_action": "clear"}  # the modal closes
    [case] = cases(app)
    assert (case.title, case.playbook_key, case.jurisdiction) == (title, "content-takedown", "IN")
    permalink = f"https://example.slack.com/archives/{CHANNEL}/p{MESSAGE_TS.replace('.', '')}"
    assert case.summary.endswith(f"From Slack: {permalink}") and not case.restricted
    assert slack.messages() == []  # the web worker posts nothing: the outbox does
    deliver(app)
    link = f"{BASE}/cases/{case.ref}"
    [thread] = slack.messages(CHANNEL)
    assert thread.params["thread_ts"] == MESSAGE_TS and link in json.dumps(thread.params)
    [dm] = slack.messages(triager)
    assert link in dm.params["text"] and "Ministry orders" in dm.params["text"]
    with app.app_context():
        opened = db.session.scalars(
            db.select(AuditEvent).where(AuditEvent.action == "case.opened")
        ).one()
        assert opened.actor == "triager@example.org" and opened.origin.startswith("slack")


def test_open_command_opens_the_form_and_a_restricted_case_is_told_to_the_opener_only(
    app, client, slack, slack_ids
):
    triager = slack_ids["triager"]
    secret = "Gagged demand for <dissidents'> messages"
    typed = secret.replace("<", "&lt;").replace(">", "&gt;")  # Slack escapes what was typed
    assert slash_open(client, triager, typed, slack.trigger()).get_data() == b""
    [view] = slack.views_opened()
    assert element(view, "title")["initial_value"] == secret
    answer = submit(
        client,
        triager,
        view,
        title=secret,
        playbook="content-takedown",
        jurisdiction="TR",
        restricted=True,
    )
    assert answer.get_json() == {"response_action": "clear"}
    [case] = cases(app)
    assert case.restricted and case.title == secret
    deliver(app)
    [dm] = slack.messages(triager)
    assert f"{BASE}/cases/{case.ref}" in json.dumps(dm.params)
    assert slack.messages(CHANNEL) == []  # no thread, no channel hears of it
    for message in slack.messages():  # the opener's DM, the announcement, the leads' DMs
        said = json.dumps(message.params)
        assert "Gagged" not in said and "dissidents" not in said


def test_field_problems_come_back_under_their_field_and_nothing_is_opened(
    app, client, slack, slack_ids
):
    triager = slack_ids["triager"]
    slash_open(client, triager, "", slack.trigger())
    [view] = slack.views_opened()
    assert element(view, "title").get("initial_value") is None
    good = {"title": "A law", "playbook": "content-takedown", "jurisdiction": "DE"}
    for field, bad in (("jurisdiction", "Narnia land"), ("title", ""), ("playbook", "nope")):
        answer = submit(client, triager, view, **{**good, field: bad}).get_json()
        assert answer["response_action"] == "errors"
        assert list(answer["errors"]) == [field], answer
        assert answer["errors"][field][:1].isupper()
    assert cases(app) == []


def test_people_who_may_not_open_cases_are_refused_and_audited(app, client, slack, slack_ids):
    lead = slack_ids["legal"]
    refused = slash_open(client, lead, "A law", slack.trigger()).get_json()
    assert "only triagers and admins can open cases" in refused["text"]
    unlinked = slash_open(client, NOBODY, "A law", slack.trigger()).get_json()
    assert "not linked" in unlinked["text"] and refused["response_type"] == "ephemeral"
    assert slack.views_opened() == []

    shortcut(client, lead, slack.trigger())  # a modal that says why, not the form
    [notice] = slack.views_opened()
    assert notice["callback_id"] == "open_case_refused"
    assert "only triagers and admins" in json.dumps(notice)

    # A form opened by the triager, submitted by someone else: their own rights decide.
    slash_open(client, slack_ids["triager"], "", slack.trigger())
    form = slack.views_opened()[-1]
    fields = {"title": "A law", "playbook": "content-takedown", "jurisdiction": "DE"}
    for who in (lead, NOBODY):
        answer = submit(client, who, form, **fields).get_json()
        assert answer["response_action"] == "errors" and list(answer["errors"]) == ["title"]
    assert cases(app) == []
    reasons = [e.details["reason"] for e in refusals(app)]
    assert reasons.count("only triagers and admins can open cases") == 3
    assert reasons.count("Slack user not linked to Incident Hub") == 2


def test_a_foreign_origin_is_ignored_and_a_replayed_submission_opens_one_case(
    app, client, slack, slack_ids
):
    admin, triager = slack_ids["admin"], slack_ids["triager"]
    shortcut(client, triager, slack.trigger())
    [view] = slack.views_opened()
    fields = {"title": "A law", "playbook": "content-takedown", "jurisdiction": "DE"}
    # The admin submits the triager's form: the case opens as the admin's, but the triager's
    # message origin is not theirs, so no thread reply and no permalink.
    assert submit(client, admin, view, **fields).get_json() == {"response_action": "clear"}
    deliver(app)
    assert slack.messages(CHANNEL) == [] and slack.calls_to("chat.getPermalink") == []
    assert len(slack.messages(admin)) == 1
    payload = {
        "type": "view_submission",
        "user": {"id": admin},
        "view": {
            "callback_id": "open_case",
            "private_metadata": "forged",
            "state": {"values": {k: {"value": {"value": v}} for k, v in fields.items()}},
        },
    }
    payload["view"]["state"]["values"]["playbook"] = {
        "value": {"selected_option": {"value": "content-takedown"}}
    }
    body = urlencode({"payload": json.dumps(payload)})
    headers = _signed(body)
    answers = [
        client.post("/slack/interactions", data=body, headers=headers, content_type=FORM)
        for _ in range(2)  # Slack's retry, or a captured request sent again
    ]
    assert [a.get_json() for a in answers] == [{"response_action": "clear"}] * 2
    assert len(cases(app)) == 2  # the first form's case, and one for the replayed pair


def test_slack_refusing_the_trigger_is_said_plainly(app, client, slack, slack_ids):
    triager = slack_ids["triager"]
    late = slash_open(client, triager, "A law", slack.trigger(age_s=5)).get_json()
    assert "expired_trigger_id" in late["text"] and "try again" in late["text"]
    unknown = slash_open(client, triager, "A law", "1.2.made-up").get_json()
    assert "invalid_trigger_id" in unknown["text"]
    trigger = slack.trigger()
    slash_open(client, triager, "A law", trigger)
    reused = slash_open(client, triager, "Another", trigger).get_json()
    assert "exchanged_trigger_id" in reused["text"]


def test_the_loopback_refuses_a_view_slack_would_refuse(slack):
    """The loopback's views.open judges views with slack-sdk's own models, as Slack would."""
    from slack_sdk import WebClient
    from slack_sdk.errors import SlackApiError

    client = WebClient(token=TOKEN, base_url=f"{slack.url}/api/", retry_handlers=[])
    long_title = {"type": "plain_text", "text": "A title longer than Slack allows"}
    view = {"type": "modal", "title": long_title, "blocks": [{"type": "divider"}]}
    with pytest.raises(SlackApiError) as refused:
        client.views_open(trigger_id=slack.trigger(), view=view)
    assert refused.value.response["error"] == "invalid_arguments"


def test_help_names_the_open_command(app, client, slack):
    body = urlencode({"user_id": NOBODY, "text": "help", "command": "/incident"})
    text = _post(client, "/slack/commands", body).get_json()["text"]
    assert "/incident open [TITLE]" in text and "Open a case from this message" in text
    assert SLACK_IDS  # the shared ids the other tests link people with
