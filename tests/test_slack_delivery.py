"""Delivering the outbox to Slack: the real slack-sdk against a loopback Slack Web API.

Notices are written with ``outbox.enqueue`` (as a service would) and delivered with
``deliver_due``; time moves with ``clock.frozen_at``, pacing is measured on the server.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from slackserver import (
    TOKEN,
    Reply,
    error,
    rate_limited,
    server_error,
    slack_fixture,  # noqa: F401  (provides the ``slack`` fixture)
)
from sqlalchemy import delete, select

from incident_hub.cases.models import Case
from incident_hub.clock import frozen_at
from incident_hub.extensions import db
from incident_hub.notify import deliver as deliver_module
from incident_hub.notify.deliver import deliver_due
from incident_hub.notify.messages import case_message
from incident_hub.notify.models import Notice
from incident_hub.notify.outbox import enqueue

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
BLOCKS = [
    {"type": "section", "text": {"type": "mrkdwn", "text": "*Case opened* <https://x|INC-1>"}},
    {"type": "context", "elements": [{"type": "mrkdwn", "text": "*Status:* Open"}]},
]


@pytest.fixture
def config_overrides(slack) -> dict:
    """The app points at the loopback Slack, with a generous pace unless a test's
    ``@pytest.mark.config(SLACK={...})`` says otherwise."""
    url = f"{slack.url}/api/"
    return {"SLACK": {"BOT_TOKEN": TOKEN, "API_BASE_URL": url, "MAX_PER_CHANNEL_PER_S": 200.0}}


@pytest.fixture
def hub(app):
    return app


def notify(app, audience: str, text: str = "hello", *, at=T0, **payload) -> int:
    """Write one notice (default: a message) and commit, as a service call would."""
    body = payload.pop("body", None) or {"text": text, **payload}
    case_id = body.pop("case_id", None)
    with app.app_context():
        notice = enqueue("test", audience, body, f"test:{uuid.uuid4()}", at=at, case_id=case_id)
        db.session.commit()
        return notice.id


def deliver(app, at: datetime | None = T0, **kw) -> dict:
    with app.app_context():
        if at is None:
            return deliver_due(**kw).as_dict()
        with frozen_at(at):
            return deliver_due(at, **kw).as_dict()


def row(app, notice_id: int) -> Notice:
    with app.app_context():
        notice = db.session.get(Notice, notice_id)
        db.session.expunge(notice)
        return notice


def about(when: datetime, expected: datetime) -> bool:
    """Times count from Slack's real answer: ``expected`` plus the pass's own run (well under
    a second alone; up to a few seconds when the suite runs on both cores)."""
    return expected <= when < expected + timedelta(seconds=4)


def quiet_case(app, api, **extra) -> dict:
    """A case opened through the API, minus the notices its fan-out wrote (not under test)."""
    body = {"title": "T", "playbook": "content-takedown", "jurisdiction": "TR", **extra}
    response = api("triager").post("/cases", json=body)
    assert response.status_code == 201, response.get_json()
    ref = response.get_json()["ref"]
    with app.app_context():
        db.session.execute(delete(Notice))
        db.session.commit()
        return {
            "ref": ref,
            "id": db.session.execute(select(Case.id).where(Case.ref == ref)).scalar_one(),
        }


def test_message_and_blocks_reach_slack_intact_and_the_ts_is_recorded(hub, slack):
    nid = notify(hub, "#incident-hub", "Case opened: INC-1 https://x", blocks=BLOCKS)
    report = deliver(hub)
    assert report["claimed"] == 1 and report["sent"] == 1
    (call,) = slack.calls
    assert call.method == "chat.postMessage" and call.token == TOKEN
    assert call.params["channel"] == "#incident-hub"
    assert call.params["text"] == "Case opened: INC-1 https://x"  # the plain-text fallback
    assert call.params["blocks"] == BLOCKS
    notice = row(hub, nid)
    assert notice.status == "sent" and about(notice.sent_at, T0) and notice.last_error == ""
    assert notice.slack_ts == call.answer["ts"] and notice.slack_channel == call.answer["channel"]


def test_direct_message_goes_to_the_user_id(hub, slack):
    nid = notify(hub, "U0123ABC", "Your analysis is needed")
    deliver(hub)
    assert slack.messages()[0].params["channel"] == "U0123ABC"
    assert row(hub, nid).slack_channel == "D0123ABC"  # Slack answers with the DM channel


@pytest.mark.config(SLACK={"BOT_TOKEN": ""})
def test_without_a_token_nothing_is_sent_and_notices_stay_pending(hub, slack):
    ids = [notify(hub, "#incident-hub"), notify(hub, "U0123ABC")]
    assert deliver(hub)["skipped_no_token"] == 2
    assert slack.calls == []
    assert {row(hub, i).status for i in ids} == {"pending"}


@pytest.fixture
def starts(monkeypatch):
    """When our client starts each call, per channel (the pace governs starts; the server's
    arrival clock adds the loopback's jitter, which a busy machine makes larger than 5 ms).
    The code spaces starts by the full interval; the 10% margin is for the GIL between the
    pacer's clock reading and this one's, never for the pace itself."""
    seen: dict[str, list[float]] = {}
    real = deliver_module.call

    def timed(client, job):
        seen.setdefault(str(job.channel), []).append(time.monotonic())
        return real(client, job)

    monkeypatch.setattr(deliver_module, "call", timed)
    return seen


def gaps(times: list[float]) -> list[float]:
    return [b - a for a, b in zip(times, times[1:], strict=False)]


@pytest.mark.config(SLACK={"MAX_PER_CHANNEL_PER_S": 10.0})
def test_each_channel_is_paced_while_channels_proceed_in_parallel(hub, slack, starts):
    for n in range(8):
        notify(hub, "#legal", f"legal {n}")
        notify(hub, "#policy", f"policy {n}")
    assert deliver(hub, None)["sent"] == 16
    for channel in ("#legal", "#policy"):
        assert len(slack.messages(channel)) == 8 and min(gaps(starts[channel])) >= 0.09
        texts = [c.params["text"] for c in slack.messages(channel)]
        assert texts == sorted(texts)  # in order within a channel
    # Side by side, not one after the other: each channel's calls overlap the other's in time
    # (judged on the server's clock, so a loaded machine cannot make this flaky).
    legal = [c.at for c in slack.messages("#legal")]
    policy = [c.at for c in slack.messages("#policy")]
    assert policy[0] < legal[-1] and legal[0] < policy[-1], "channels ran one after the other"


@pytest.mark.config(SLACK={"MAX_PER_CHANNEL_PER_S": 10.0})
def test_a_long_queue_is_spread_over_passes_within_the_lease(hub, slack):
    ids = [notify(hub, "#legal", f"n{n}") for n in range(6)]
    with hub.app_context():  # a 0.6 s lease: no call may start after 0.3 s of the pass
        report = deliver_due(lease_s=0.6).as_dict()
    # Slots at 0, 0.1 and 0.2 s at most (fewer when a busy machine starts the pass late); the
    # rest is deferred to a later pass, spending no attempt.
    sent = report["sent"]
    assert sent <= 3 and report["deferred"] == 6 - sent and len(slack.messages()) == sent
    later = [row(hub, i) for i in ids[sent:]]
    assert {n.status for n in later} == {"pending"} and {n.attempts for n in later} == {0}
    give_up = time.monotonic() + 60
    while len(slack.messages()) < 6 and time.monotonic() < give_up:
        deliver(hub, None, lease_s=0.6)
        time.sleep(0.05)
    assert [c.params["text"] for c in slack.messages()] == [f"n{n}" for n in range(6)]


@pytest.mark.config(SLACK={"MAX_PER_CHANNEL_PER_S": 5.0})
def test_pace_holds_across_consecutive_passes(hub, slack, starts):
    for _ in range(2):
        notify(hub, "#legal")
        notify(hub, "#legal")
        deliver(hub, None)
    assert len(slack.messages("#legal")) == 4 and min(gaps(starts["#legal"])) >= 0.18


def test_retry_after_is_honoured_and_other_channels_carry_on(hub, slack):
    limited: list[bool] = []

    def once_429(call):
        if call.params.get("channel") == "#busy" and not limited:
            limited.append(True)
            return rate_limited(30)
        return None

    slack.decide = once_429
    busy = [notify(hub, "#busy", f"b{n}") for n in range(3)]
    quiet = notify(hub, "#quiet")
    report = deliver(hub)
    assert report["rate_limited"] == 3 and report["sent"] == 1
    assert len(slack.calls_to("chat.postMessage", "#busy")) == 1  # nothing more this pass
    assert row(hub, quiet).status == "sent"
    for nid in busy:
        notice = row(hub, nid)
        assert (notice.status, notice.attempts) == ("pending", 0)
        assert about(notice.next_attempt_at, T0 + timedelta(seconds=30))
    notify(hub, "#busy", "newcomer", at=T0 + timedelta(seconds=5))
    for seconds in (1, 10, 29, 30):
        assert deliver(hub, T0 + timedelta(seconds=seconds))["sent"] == 0
    assert len(slack.calls_to("chat.postMessage", "#busy")) == 1  # no call before Retry-After
    assert deliver(hub, T0 + timedelta(seconds=35))["sent"] == 4
    assert [c.params["text"] for c in slack.messages("#busy")] == ["b0", "b1", "b2", "newcomer"]


def test_server_errors_are_retried_with_backoff_then_sent(hub, slack):
    slack.script(Reply(drop=True), server_error(500))
    nid = notify(hub, "#legal")
    assert deliver(hub)["retried"] == 1
    notice = row(hub, nid)
    assert (notice.status, notice.attempts) == ("pending", 1)
    assert about(notice.next_attempt_at, T0 + timedelta(seconds=10))
    assert deliver(hub, T0 + timedelta(seconds=10))["claimed"] == 0
    assert deliver(hub, T0 + timedelta(seconds=15))["retried"] == 1
    notice = row(hub, nid)
    assert notice.attempts == 2 and "HTTP 500" in notice.last_error
    assert about(notice.next_attempt_at, T0 + timedelta(seconds=35))  # 10 s, then 20 s
    assert deliver(hub, T0 + timedelta(seconds=34))["claimed"] == 0
    assert deliver(hub, T0 + timedelta(seconds=40))["sent"] == 1
    assert len(slack.calls) == 3 and row(hub, nid).status == "sent"


def test_permanent_error_is_recorded_and_never_retried(hub, slack):
    slack.script(error("channel_not_found"))
    nid = notify(hub, "#gone")
    assert deliver(hub)["failed"] == 1
    notice = row(hub, nid)
    assert (notice.status, notice.last_error, notice.attempts) == ("failed", "channel_not_found", 0)
    assert deliver(hub, T0 + timedelta(days=2))["claimed"] == 0
    assert len(slack.calls) == 1


@pytest.mark.config(SLACK={"BOT_TOKEN": "xoxb-revoked"})
def test_a_wrong_token_fails_the_notice(hub, slack):
    nid = notify(hub, "#legal")
    deliver(hub)
    assert (row(hub, nid).status, row(hub, nid).last_error) == ("failed", "invalid_auth")


@pytest.mark.config(SLACK={"MAX_ATTEMPTS": 3})
def test_gives_up_after_max_attempts(hub, slack):
    slack.decide = lambda call: server_error(503)
    nid = notify(hub, "#legal")
    for seconds in (0, 11, 32):  # backoff 10 s, then 20 s
        deliver(hub, T0 + timedelta(seconds=seconds))
    notice = row(hub, nid)
    assert (notice.status, notice.attempts) == ("failed", 3)
    assert notice.last_error.startswith("gave up after 3") and "HTTP 503" in notice.last_error
    assert deliver(hub, T0 + timedelta(days=1))["claimed"] == 0
    assert len(slack.calls) == 3


def test_a_dead_deliverers_claim_is_taken_back_after_the_lease(hub, slack):
    untried, tried = notify(hub, "#legal", "untried"), notify(hub, "#legal", "tried")
    with hub.app_context():
        for nid, started in ((untried, None), (tried, T0)):
            notice = db.session.get(Notice, nid)
            notice.status, notice.claimed_at, notice.claimed_by = "sending", T0, "dead#1"
            notice.send_started_at = started
        db.session.commit()
    assert deliver(hub, T0 + timedelta(seconds=59))["claimed"] == 0
    assert slack.calls == []
    assert deliver(hub, T0 + timedelta(seconds=61))["sent"] == 2
    # Only the notice whose own send the dead deliverer had started spends an attempt.
    assert (row(hub, untried).status, row(hub, untried).attempts) == ("sent", 0)
    assert (row(hub, tried).status, row(hub, tried).attempts) == ("sent", 1)


@pytest.mark.config(SLACK={"MAX_ATTEMPTS": 3})
def test_a_notice_that_keeps_dying_mid_send_gives_up_saying_why(hub, slack):
    nid = notify(hub, "#legal")
    for death in range(3):  # its deliverer dies during its own call, three times over
        with hub.app_context():
            notice = db.session.get(Notice, nid)
            notice.status, notice.claimed_by = "sending", f"dead#{death}"
            notice.claimed_at = notice.send_started_at = T0 + timedelta(minutes=2 * death)
            db.session.commit()
        deliver(hub, T0 + timedelta(minutes=2 * death + 1, seconds=30), lease_s=60)
        assert row(hub, nid).attempts == death + 1
    notice = row(hub, nid)
    assert notice.status == "failed" and notice.attempts == 3
    assert notice.last_error.startswith("gave up after 3 attempts: the deliverer stopped")


def test_every_send_is_marked_started_before_its_call(hub, slack):
    ids = [notify(hub, f"#c{n}", f"n{n}") for n in range(4)]
    seen: list[tuple[str, object]] = []

    def decide(call):  # noqa: ANN001, ANN202  (runs in the loopback server's thread)
        with hub.app_context():
            text = call.params["text"]
            nid = ids[int(text[1:])]
            seen.append((text, db.session.get(Notice, nid).send_started_at))
        return None

    slack.decide = decide
    assert deliver(hub, None)["sent"] == 4
    assert len(seen) == 4 and all(started is not None for _text, started in seen), seen


def test_user_without_a_slack_id_is_failed_by_enqueue_and_never_sent(hub, slack):
    nid = notify(hub, "user:someone@example.org")
    notice = row(hub, nid)
    assert notice.status == "failed" and "someone@example.org" in notice.last_error
    assert deliver(hub)["claimed"] == 0 and slack.calls == []


@pytest.mark.config(SLACK={"CASE_CHANNELS": True})
def test_case_channel_is_created_used_and_archived(hub, slack, api):
    case = quiet_case(hub, api)
    create = {
        "action": "create_channel",
        "name": f"{case['ref']} Order: remove 40 posts!",
        "topic": f"{case['ref']}: Order to remove 40 posts",
        "invite": ["U0000AAA", "U0000BBB"],
        "private": False,
    }
    created = notify(hub, f"case:{case['ref']}", body={**create, "case_id": case["id"]})
    with hub.app_context():
        payload = case_message(db.session.get(Case, case["id"]), "Case opened")
    message = notify(hub, f"case:{case['ref']}", body={**payload, "case_id": case["id"]})

    report = deliver(hub)
    assert report["sent"] == 1 and report["deferred"] == 1  # the message waits for the channel
    (call,) = slack.calls_to("conversations.create")
    assert call.params["name"] == f"{case['ref'].lower()}-order-remove-40-posts"
    channel = call.answer["channel"]["id"]
    topic, invite = slack.calls_to("conversations.setTopic"), slack.calls_to("conversations.invite")
    assert topic[0].params == {"channel": channel, "topic": create["topic"]}
    assert invite[0].params == {"channel": channel, "users": "U0000AAA,U0000BBB"}
    with hub.app_context():
        assert db.session.get(Case, case["id"]).slack_channel_id == channel
    assert row(hub, created).slack_channel == channel
    assert row(hub, message).next_attempt_at == T0 + timedelta(seconds=30)

    assert deliver(hub, T0 + timedelta(seconds=30))["sent"] == 1
    (sent,) = slack.messages()
    assert sent.params["channel"] == channel and sent.params["blocks"] == payload["blocks"]

    notify(hub, f"case:{case['ref']}", body={"action": "archive_channel", "case_id": case["id"]})
    assert deliver(hub, T0 + timedelta(seconds=31))["sent"] == 1
    assert slack.calls_to("conversations.archive")[0].params == {"channel": channel}


def test_taken_channel_name_gets_a_suffix_and_no_invite_without_users(hub, slack, api):
    case = quiet_case(hub, api, restricted=True)
    slack.channels["inc-secret"] = "C0TAKEN"
    body = {"action": "create_channel", "name": "inc-secret", "topic": "", "invite": []}
    nid = notify(hub, "case:x", body={**body, "private": True, "case_id": case["id"]})
    assert deliver(hub)["sent"] == 1
    names = [c.params["name"] for c in slack.calls_to("conversations.create")]
    assert names == ["inc-secret", "inc-secret-2"]
    assert slack.calls_to("conversations.create")[1].params["is_private"] in ("1", "true", True)
    assert slack.calls_to("conversations.invite") == []
    assert row(hub, nid).slack_channel == slack.channels["inc-secret-2"]


def test_a_failed_step_after_creating_never_creates_a_second_channel(hub, slack, api):
    case = quiet_case(hub, api)
    failures: list[str] = []

    def topic_fails_once(call):
        if call.method == "conversations.setTopic" and not failures:
            failures.append(call.method)
            return server_error(502)
        return None

    slack.decide = topic_fails_once
    body = {"action": "create_channel", "name": "inc-a", "topic": "T", "invite": ["U0000AAA"]}
    nid = notify(hub, "case:x", body={**body, "case_id": case["id"]})
    assert deliver(hub)["retried"] == 1
    assert deliver(hub, T0 + timedelta(seconds=11))["sent"] == 1
    assert len(slack.calls_to("conversations.create")) == 1
    assert len(slack.calls_to("conversations.setTopic")) == 2
    assert row(hub, nid).slack_channel == slack.channels["inc-a"]


def test_case_audience_goes_to_the_announce_channel_without_case_channels(hub, slack, api):
    case = quiet_case(hub, api)
    sent = notify(hub, f"case:{case['ref']}", "Decision recorded")
    unknown = notify(hub, "case:INC-1999-0001", "nobody")
    report = deliver(hub)
    assert report["sent"] == 1 and report["failed"] == 1
    assert slack.messages()[0].params["channel"] == hub.config["SLACK"]["ANNOUNCE_CHANNEL"]
    assert row(hub, sent).status == "sent" and "no case" in row(hub, unknown).last_error


def test_case_notices_do_not_wait_for_a_channel_that_is_not_coming(hub, slack, api, make_app):
    case = quiet_case(hub, api)
    switched = make_app(SLACK={"CASE_CHANNELS": True})  # restarted with channels on afterwards
    message = notify(switched, f"case:{case['ref']}", "Case closed")
    archive = notify(switched, "case:x", body={"action": "archive_channel", "case_id": case["id"]})
    assert deliver(switched)["cancelled"] == 1
    assert slack.messages()[0].params["channel"] == switched.config["SLACK"]["ANNOUNCE_CHANNEL"]
    assert row(switched, message).status == "sent" and row(switched, archive).status == "cancelled"
    assert slack.calls_to("conversations.archive") == []


@pytest.mark.config(SLACK={"MAX_PER_CHANNEL_PER_S": 1000.0})
def test_two_deliverers_at_once_send_each_notice_exactly_once(hub, slack, backend):
    with hub.app_context():
        for n in range(200):
            enqueue("test", f"#room-{n % 4}", {"text": f"n{n}"}, f"pair:{n}")
        db.session.commit()
    claims: dict[str, int] = Counter()
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def deliverer(name: str) -> None:
        try:
            with hub.app_context():
                start.wait()
                while (claimed := deliver_due(limit=20, worker=name).claimed) > 0:
                    claims[name] += claimed
        except BaseException as exc:  # surfaced below, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=deliverer, args=(f"w{i}",)) for i in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    counts = Counter(c.params["text"] for c in slack.messages())
    assert len(counts) == 200 and set(counts.values()) == {1}, counts.most_common(3)
    with hub.app_context():
        statuses = db.session.execute(select(Notice.status)).scalars().all()
    assert Counter(statuses) == {"sent": 200}
    assert sum(claims.values()) == 200
    if backend["name"] == "postgresql":  # SKIP LOCKED lets both work side by side
        assert min(claims["w1"], claims["w2"]) > 0, claims
