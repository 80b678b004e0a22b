"""Slack talking to Incident Hub: the ``/incident`` command and notice buttons, sent as Slack
sends them (form body signed by slack-sdk's own code, ``X-Slack-Request-Timestamp`` and
``X-Slack-Signature``) through the real Flask request handling, against the real database."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest
from conftest import CLI, Api, Person, analysis_body, lead_for, open_case
from slack_sdk.signature import SignatureVerifier

from incident_hub.audit.models import AuditEvent
from incident_hub.auth.models import User
from incident_hub.auth.service import create_user, issue_token
from incident_hub.cases.models import Case, Follow
from incident_hub.clock import frozen_at
from incident_hub.extensions import db

SECRET, FORM = "test-secret", "application/x-www-form-urlencoded"
LEGAL, OUTSIDER, NOBODY, GONE = "U0LEGAL", "U0OUTSIDER", "U0NOBODY", "U0GONE"
SECRET_TITLE = "Gagged demand to hand over dissidents' messages"

pytestmark = pytest.mark.config(SLACK={"SIGNING_SECRET": SECRET})  # Slack is configured


@pytest.fixture
def slack(app, people) -> dict[str, Person]:
    """Three Incident Hub users have Slack ids (one deactivated)."""
    out = {}
    with app.app_context():
        for slack_id, name, functions in (
            (LEGAL, "slack-legal", ["legal"]),  # leads a function every takedown case assigns
            (OUTSIDER, "slack-outsider", ["export-control"]),  # no takedown case assigns it
            (GONE, "slack-gone", ["legal"]),
        ):
            who = {"email": f"{name}@example.org", "name": name, "functions": functions}
            user = create_user(CLI, roles=["lead"], slack_user_id=slack_id, **who)
            out[slack_id] = Person(user.email, issue_token(CLI, user, "test"))
            user.active = slack_id != GONE
        db.session.commit()
    return out


def sign(body: str, *, secret: str = SECRET, timestamp: int | None = None) -> dict[str, str]:
    """The headers Slack sends with ``body``."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature}


def post(client, path: str, body: str | bytes, headers: dict[str, str]):  # noqa: ANN001, ANN201
    """Send as Slack does; every answer, whatever it is, must come within Slack's 3 seconds."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    started = time.perf_counter()
    response = client.post(path, data=data, headers=headers, content_type=FORM)
    assert time.perf_counter() - started < 3.0, f"{path} took too long to answer"
    return response


SLASH_FIELDS = (  # what Slack sends with every slash command, besides user and text
    "token=deprecated&team_id=T0TEAM&team_domain=example&channel_id=C0CHAN&channel_name=general"
    "&command=%2Fincident&api_app_id=A0APP&response_url=https%3A%2F%2Fhooks.slack.invalid%2Fx"
)


def command_body(user_id: str, text: str) -> str:
    """A slash-command body as Slack sends it (a fresh trigger id makes each one unique)."""
    fields = {"user_id": user_id, "user_name": user_id.lower(), "text": text}
    return f"{SLASH_FIELDS}&{urlencode(fields)}&trigger_id={time.time_ns()}.trigger"


def command(client, user_id: str, text: str):  # noqa: ANN001, ANN201
    body = command_body(user_id, text)
    return post(client, "/slack/commands", body, sign(body))


def reply_of(response) -> str:  # noqa: ANN001
    """The whole JSON answer as text, to search for anything it might reveal."""
    assert response.status_code == 200, response.get_data(as_text=True)
    reply = response.get_json()
    assert reply["response_type"] == "ephemeral" and reply["text"]
    return json.dumps(reply, ensure_ascii=False)


def payload_body(payload: object) -> str:
    return urlencode({"payload": payload if isinstance(payload, str) else json.dumps(payload)})


def button_body(user_id: str, action_id: str, value: str | None = "") -> str:
    """A button press on a notice (``block_actions``), as Slack sends it."""
    action = {"action_id": action_id, "block_id": "case-actions", "type": "button"}
    action.update({"value": value} if value is not None else {})
    user = {"id": user_id, "username": user_id.lower(), "team_id": "T0TEAM"}
    trigger = f"{time.time_ns()}.trigger"
    payload = {"type": "block_actions", "user": user, "trigger_id": trigger, "actions": [action]}
    return payload_body(payload)


def follows(app, ref: str) -> set[str]:
    """Emails of the case's followers."""
    query = db.select(User.email).join(Follow).join(Case, Case.id == Follow.case_id)
    with app.app_context():
        return set(db.session.scalars(query.where(Case.ref == ref)))


def events(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        return list(db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == action)))


# --- commands -----------------------------------------------------------------------------
def test_follow_then_status_shows_the_case_and_that_you_follow_it(app, client, api, slack):
    case = open_case(api)
    ref = case["ref"]
    before = reply_of(command(client, LEGAL, f"status {ref}"))
    assert ref in before and case["title"] in before and "Open" in before
    assert '"action_id": "follow"' in before  # not following yet: the button is offered
    assert f"Functions: 0 filed, {len(case['assignments'])} pending" in before

    reply = reply_of(command(client, LEGAL, f"  follow   {ref.lower()}  "))  # trimmed, any case
    assert f"You now follow <{app.config['BASE_URL']}/cases/{ref}|{ref}>." in reply
    assert follows(app, ref) == {"slack-legal@example.org"}
    [event] = events(app, "case.followed")
    assert event.origin == f"slack {LEGAL}" and event.actor == "slack-legal@example.org"

    after = reply_of(command(client, LEGAL, f"status {ref}"))
    assert case["title"] in after and '"action_id": "follow"' not in after
    assert "You already follow" in reply_of(command(client, LEGAL, f"follow {ref}"))


def test_following_on_the_web_and_in_slack_is_the_same_thing(app, client, api, slack):
    ref = open_case(api)["ref"]
    web = Api(client, slack[LEGAL])  # the same person, through the JSON API
    assert web.post(f"/cases/{ref}/follow").status_code == 200
    assert follows(app, ref) == {"slack-legal@example.org"}
    assert "You already follow" in reply_of(command(client, LEGAL, f"follow {ref}"))

    assert "You no longer follow" in reply_of(command(client, LEGAL, f"unfollow {ref}"))
    assert follows(app, ref) == set()
    assert "You were not following" in reply_of(command(client, LEGAL, f"unfollow {ref}"))

    reply_of(command(client, LEGAL, f"follow {ref}"))
    assert web.delete(f"/cases/{ref}/follow").status_code == 200
    assert follows(app, ref) == set()
    origins = [e.origin.split(" ")[0] for e in events(app, "case.followed")]
    assert origins == ["api", "slack"]


def test_list_shows_open_cases_you_can_see_newest_first_at_most_ten(app, client, api, slack):
    refs = [open_case(api, title=f"Order number {i}")["ref"] for i in range(11)]
    secret = open_case(api, title=SECRET_TITLE, restricted=True)["ref"]

    outsider = reply_of(command(client, OUTSIDER, "list"))
    assert secret not in outsider and SECRET_TITLE not in outsider
    assert refs[-1] in outsider and refs[0] not in outsider  # newest ten of eleven
    assert "Showing 10 of 11" in outsider and "/cases|All cases>" in outsider

    member = reply_of(command(client, LEGAL, "list"))
    assert secret in member and SECRET_TITLE not in member  # reference and link only
    assert "Showing 10 of 12" in member


def test_decided_case_leaves_the_list_and_its_status_shows_the_decision(app, client, api, slack):
    assert "No open cases" in reply_of(command(client, LEGAL, "list"))
    case = open_case(api, title="Decided order")
    spec = app.extensions["incident_hub.playbooks"].get(case["playbook"])
    for function in [f.key for f in spec.functions if f.required]:
        body = analysis_body(app, case, function)
        filed = api(lead_for(function)).post(f"/cases/{case['ref']}/analyses", json=body)
        assert filed.status_code == 201, filed.get_json()
    awaiting = reply_of(command(client, LEGAL, "list"))
    assert case["ref"] in awaiting and "Awaiting decision" in awaiting
    decision = {"option": spec.options[0].key, "rationale": "Because."}
    assert api("exec").post(f"/cases/{case['ref']}/decision", json=decision).status_code == 201

    assert case["ref"] not in reply_of(command(client, LEGAL, "list"))
    status = reply_of(command(client, LEGAL, f"status {case['ref']}"))
    assert "Decided" in status and f"Decision: {spec.options[0].title}" in status
    assert "Because." not in status  # the rationale stays in Incident Hub


def test_restricted_case_is_missing_for_non_members_and_bare_for_members(app, client, api, slack):
    secret = open_case(api, title=SECRET_TITLE, restricted=True, jurisdiction="RU")["ref"]
    missing = "INC-2099-9999"
    for verb in ("status", "follow", "unfollow"):
        hidden = reply_of(command(client, OUTSIDER, f"{verb} {secret}"))
        absent = reply_of(command(client, OUTSIDER, f"{verb} {missing}"))
        assert hidden.replace(secret, "REF") == absent.replace(missing, "REF")
        assert SECRET_TITLE not in hidden and f"No case {secret}." in hidden
    assert follows(app, secret) == set()
    # A member sees it, but only its reference and a link.
    status = reply_of(command(client, LEGAL, f"status {secret}"))
    assert secret in status and f"/cases/{secret}" in status and "restricted" in status
    assert SECRET_TITLE not in status and "RU" not in status and "pending" not in status
    follow = reply_of(command(client, LEGAL, f"follow {secret}"))
    assert "You now follow" in follow and SECRET_TITLE not in follow
    assert follows(app, secret) == {"slack-legal@example.org"}


@pytest.mark.parametrize("user_id", [NOBODY, GONE, ""])
def test_unlinked_slack_user_sees_nothing_of_any_case(app, client, api, slack, user_id):
    public = open_case(api)
    secret = open_case(api, title=SECRET_TITLE, restricted=True)
    texts = ["list", "frobnicate"] + [
        f"{verb} {c['ref']}" for c in (public, secret) for verb in ("status", "follow", "unfollow")
    ]
    for text in texts:
        reply = reply_of(command(client, user_id, text))
        assert "not linked to Incident Hub" in reply, text
        for case in (public, secret):
            assert case["ref"] not in reply and case["title"] not in reply, text
    body = button_body(user_id, "follow", public["ref"])
    button = post(client, "/slack/interactions", body, sign(body))
    assert "not linked" in button.get_json()["text"] and public["ref"] not in button.text
    assert follows(app, public["ref"]) == set() and follows(app, secret["ref"]) == set()


def test_help_for_anyone_and_for_unknown_commands_with_a_short_error(client, slack):
    for user_id in (LEGAL, NOBODY):
        for text in ("help", "", "  HELP  "):
            reply = reply_of(command(client, user_id, text))
            assert "follow REF" in reply and "status REF" in reply and "list" in reply
    reply = reply_of(command(client, LEGAL, "frobnicate <!channel> now"))
    assert "Unknown command" in reply and "follow REF" in reply and "<!channel>" not in reply
    assert "Usage: `/incident status REF`" in reply_of(command(client, LEGAL, "status"))


@pytest.mark.parametrize(
    "ref", ["INC-0000-0000", "x" * 5000, "';DROP/**/TABLE/**/cases;--", "ИНЦ-2026-0001", "%00"]
)
def test_odd_references_are_simply_not_found(client, slack, ref):
    reply = reply_of(command(client, LEGAL, f"status {ref}"))
    assert "No case" in reply and len(reply) < 1000


# --- signatures ---------------------------------------------------------------------------
PATHS = ["/slack/commands", "/slack/interactions"]
OPEN = {"action_id": "open", "value": "INC-2026-0001", "url": "http://127.0.0.1:5000/cases/x"}
TS, SIG = "X-Slack-Request-Timestamp", "X-Slack-Signature"


def tweak(body: str, *, ts: str | None = None, sig=None, drop=()) -> dict[str, str]:  # noqa: ANN001
    """Slack's headers for ``body`` with the timestamp and/or signature changed or dropped."""
    headers = sign(body)
    if ts is not None:
        headers[TS] = ts
    if sig is not None:
        headers[SIG] = sig(headers[SIG]) if callable(sig) else sig
    return {k: v for k, v in headers.items() if k not in drop}


MISSING, MALFORMED_TS, MALFORMED_SIG = "missing", "malformed Slack timestamp", "malformed Slack sig"
STALE, INVALID = "stale", "invalid Slack signature"
NOW = lambda: int(time.time())  # noqa: E731
# case -> (Slack's headers for the body, spoiled; why it must be refused)
BAD = {
    "missing headers": (lambda b: tweak(b, drop=(TS, SIG)), MISSING),
    "missing signature": (lambda b: tweak(b, drop=(SIG,)), MISSING),
    "missing timestamp": (lambda b: tweak(b, drop=(TS,)), MISSING),
    "empty signature": (lambda b: tweak(b, sig=""), MISSING),
    "empty timestamp": (lambda b: tweak(b, ts=""), MISSING),
    "wrong secret": (lambda b: sign(b, secret="not-the-secret"), INVALID),
    "body tampered after signing": (lambda b: sign(b.replace(LEGAL, "U0OTHER")), INVALID),
    "signed for another timestamp": (lambda b: tweak(b, ts=str(NOW() - 9)), INVALID),
    "stale timestamp (6 min old)": (lambda b: sign(b, timestamp=NOW() - 360), STALE),
    "future timestamp (6 min ahead)": (lambda b: sign(b, timestamp=NOW() + 360), STALE),
    "non-numeric timestamp": (lambda b: tweak(b, ts="yesterday"), MALFORMED_TS),
    "timestamp with underscore": (lambda b: tweak(b, ts=f"1_{str(NOW())[2:]}"), MALFORMED_TS),
    "unicode garbage timestamp": (lambda b: tweak(b, ts="١٧٠٠٠٠٠٠٠٠"), MALFORMED_TS),
    "signature without v0= prefix": (lambda b: tweak(b, sig=lambda s: s[3:]), MALFORMED_SIG),
    "v1 signature": (lambda b: tweak(b, sig=lambda s: "v1=" + s[3:]), MALFORMED_SIG),
    "uppercase hex": (lambda b: tweak(b, sig=lambda s: "v0=" + s[3:].upper()), MALFORMED_SIG),
    "unicode garbage signature": (lambda b: tweak(b, sig="v0=ÿ💥" * 20), MALFORMED_SIG),
}


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_signature_is_refused_with_401(app, client, api, slack, path, case):
    ref = open_case(api)["ref"]
    if path.endswith("commands"):
        body = command_body(LEGAL, f"follow {ref}")
    else:
        body = button_body(LEGAL, "follow", ref)
    headers_for, why = BAD[case]
    response = post(client, path, body, headers_for(body))
    assert response.status_code == 401, response.get_data(as_text=True)
    assert why in response.text
    assert response.mimetype == "text/plain" and ref not in response.text
    assert follows(app, ref) == set()


@pytest.mark.config(SLACK={"SIGNING_SECRET": ""})
@pytest.mark.parametrize("path", PATHS)
def test_unconfigured_slack_refuses_everything(app, client, slack, path):
    body = command_body(LEGAL, "help")
    response = post(client, path, body, sign(body, secret="anything"))
    assert response.status_code == 401 and "not configured" in response.text


def test_body_that_is_not_utf8_is_refused(client, slack):
    raw = b"user_id=U0LEGAL&text=\xff\xfe"
    response = post(client, "/slack/commands", raw, sign(raw.decode("latin-1")))
    assert response.status_code == 401 and "UTF-8" in response.text


# --- replays ------------------------------------------------------------------------------
def test_replayed_command_is_acted_on_once_and_answered_the_same(app, client, api, slack):
    ref = open_case(api)["ref"]
    body = command_body(LEGAL, f"follow {ref}")
    headers = sign(body)
    first = post(client, "/slack/commands", body, headers)
    again = post(client, "/slack/commands", body, {**headers, "X-Slack-Retry-Num": "1"})
    with frozen_at(datetime(2020, 1, 1, tzinfo=UTC)):  # the app's clock is not Slack's clock
        third = post(client, "/slack/commands", body, headers)
    assert first.status_code == again.status_code == third.status_code == 200
    assert "You now follow" in first.get_json()["text"]
    assert first.get_json() == again.get_json() == third.get_json()
    assert follows(app, ref) == {"slack-legal@example.org"}
    assert len(events(app, "case.followed")) == 1


def test_simultaneous_copies_of_one_request_act_once(app, api, slack):
    """Copies racing each other: one wins the unique signature, the rest get its answer."""
    ref = open_case(api)["ref"]
    body = command_body(LEGAL, f"follow {ref}")
    headers = sign(body)

    def send(_: int):  # noqa: ANN202
        return post(app.test_client(), "/slack/commands", body, headers)

    with ThreadPoolExecutor(max_workers=4) as pool:
        responses = list(pool.map(send, range(4)))
    assert [r.status_code for r in responses] == [200] * 4
    texts = {r.get_json()["text"] for r in responses}
    assert f"You now follow {ref}." in texts
    assert texts <= {f"You now follow {ref}.", "This request was already handled."}
    assert follows(app, ref) == {"slack-legal@example.org"}
    assert len(events(app, "case.followed")) == 1


def test_replayed_unfollow_after_refollow_does_not_undo_it(app, client, api, slack):
    ref = open_case(api)["ref"]
    reply_of(command(client, LEGAL, f"follow {ref}"))
    body = command_body(LEGAL, f"unfollow {ref}")
    headers = sign(body)
    post(client, "/slack/commands", body, headers)
    reply_of(command(client, LEGAL, f"follow {ref}"))
    replay = post(client, "/slack/commands", body, headers)
    assert "You no longer follow" in replay.get_json()["text"]
    assert follows(app, ref) == {"slack-legal@example.org"}
    assert len(events(app, "case.unfollowed")) == 1


# --- interactions -------------------------------------------------------------------------
def test_follow_button_follows_the_case_and_answers_inline(app, client, api, slack):
    ref = open_case(api)["ref"]
    body = button_body(LEGAL, "follow", ref.lower())
    headers = sign(body)
    reply = post(client, "/slack/interactions", body, headers).get_json()
    assert reply["text"] == f"You now follow {ref}." and reply["replace_original"] is False
    assert follows(app, ref) == {"slack-legal@example.org"}
    assert post(client, "/slack/interactions", body, headers).get_json() == reply  # replay
    assert len(events(app, "case.followed")) == 1
    body = button_body(OUTSIDER, "follow", "x-1")
    hidden = post(client, "/slack/interactions", body, sign(body))
    assert hidden.get_json()["text"] == "No case X-1."


@pytest.mark.parametrize(
    ("body", "status"),
    [  # URL buttons and interactions we do not handle: an empty 200
        (payload_body({"type": "block_actions", "user": {"id": LEGAL}, "actions": [OPEN]}), 200),
        (button_body(LEGAL, "open_triage"), 200),
        (payload_body({"type": "view_submission", "user": {"id": LEGAL}, "view": {}}), 200),
        (payload_body({"type": "shortcut"}), 200),
        ("", 400),  # malformed, though correctly signed: 400
        ("payload=not-json", 400),
        (payload_body("[1, 2]"), 400),
        (payload_body({"type": 7}), 400),
        (payload_body({"type": "block_actions", "user": {"id": LEGAL}}), 400),
        (payload_body({"type": "block_actions", "actions": [{}]}), 400),
        (payload_body({"type": "block_actions", "user": "U", "actions": []}), 400),
        (button_body(LEGAL, "follow", None), 400),
        (button_body(LEGAL, "follow", "   "), 400),
        ("&".join(f"f{i}=1" for i in range(500)), 400),
    ],
)
def test_other_interactions_get_an_empty_200_and_malformed_ones_a_400(client, slack, body, status):
    response = post(client, "/slack/interactions", body, sign(body))
    assert response.status_code == status
    assert response.get_data() == b"" if status == 200 else response.mimetype == "text/plain"


def test_status_counts_a_draft_function_as_draft_not_filed(app, client, api, slack):
    """Issue 17: a filing with required questions open is a draft, and says so in Slack."""
    case = open_case(api)
    ref = case["ref"]
    body = analysis_body(app, case, "legal") | {"answers": {"legal-basis": "Article 8."}}
    assert api("legal").post(f"/cases/{ref}/analyses", json=body).status_code == 201
    reply = reply_of(command(client, LEGAL, f"status {ref}"))
    pending = len(case["assignments"]) - 1
    assert f"Functions: 0 filed, {pending} pending, 1 draft (required questions open)" in reply
