"""E-mail notices: each person's choice (Slack, e-mail, both), written with the change, sent
through a real loopback SMTP server (aiosmtpd) with the outbox's retries, saying no more of a
secret case than its Slack message does."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from conftest import notices, open_case
from smtpserver import SmtpServer, smtp_fixture  # noqa: F401  (the ``smtp`` fixture)

from incident_hub.clock import now
from incident_hub.notify.deliver import deliver_due
from incident_hub.notify.mail import message_id
from incident_hub.notify.models import Notice

BASE = "https://hub.example.org"


@pytest.fixture
def config_overrides(smtp):
    return {"EMAIL": smtp.config(), "BASE_URL": BASE}


def patch_me(api, who: str, body: dict):  # noqa: ANN201
    person = api(who)
    return person.client.patch("/api/v1/me", json=body, headers=person.person.headers)


def deliver(app, at=None):  # noqa: ANN001, ANN201
    with app.app_context():
        return deliver_due(at or now()).as_dict()


def emails(app, **where) -> list[Notice]:
    return [n for n in notices(app, **where) if n.audience.startswith("email:")]


def test_each_person_is_notified_as_they_chose(app, api, people, slack_ids, smtp):
    assert patch_me(api, "legal", {"notify_by": "email"}).get_json()["notified_by"] == ["email"]
    both = patch_me(api, "rights", {"notify_by": "both"}).get_json()
    assert both["notify_by"] == "both" and both["notified_by"] == ["slack", "email"]
    assert api("policy").get("/me").get_json()["notified_by"] == ["slack"]  # the default
    case = open_case(api, title="Order to remove 40 posts")
    asks = notices(app, kind="assignment")
    by_person = {
        who: {n.audience for n in asks if people[who].email in n.audience or
              n.audience == slack_ids[who]}
        for who in ("legal", "rights", "policy")
    }  # fmt: skip
    assert by_person == {
        "legal": {f"email:{people['legal'].email}"},
        "rights": {slack_ids["rights"], f"email:{people['rights'].email}"},
        "policy": {slack_ids["policy"]},  # a lead of two functions: one notice for each
    }
    report = deliver(app)  # Slack has no token here: its rows wait; e-mail goes out
    assert report["sent"] == 2 and report["skipped_no_token"] >= 2
    got = {r.rcpt_tos[0]: r for r in smtp.received}
    assert set(got) == {people["legal"].email, people["rights"].email}
    mail = got[people["legal"].email]
    assert mail.mail_from == "hub@example.org"
    assert mail.subject == f"Your analysis is needed: {case['ref']} Order to remove 40 posts"
    assert f"{BASE}/cases/{case['ref']}" in mail.text() and "asked for the Legal" in mail.text()
    assert f'href="{BASE}/cases/{case["ref"]}"' in mail.html()
    (row,) = emails(app, kind="assignment", audience=f"email:{people['legal'].email}")
    assert row.status == "sent" and row.sent_at is not None
    assert mail.message["Message-ID"] == message_id(row.dedup_key, "hub@example.org")
    assert mail.message["Auto-Submitted"] == "auto-generated"


def test_without_a_slack_id_a_person_gets_e_mail(app, api, people, smtp):
    case = open_case(api)  # nobody has a Slack id
    asks = notices(app, kind="assignment")
    assert asks and all(n.audience.startswith("email:") for n in asks)
    assert not [n for n in notices(app) if n.audience.startswith("user:")]
    deliver(app)
    assert len(smtp.received) == len(asks)
    assert all(case["ref"] in r.subject for r in smtp.received)


@pytest.mark.config(EMAIL={"ENABLED": False})
def test_without_e_mail_configured_everything_stays_on_slack(app, api, people, slack_ids, smtp):
    assert patch_me(api, "legal", {"notify_by": "email"}).get_json()["notified_by"] == ["slack"]
    open_case(api)
    assert emails(app) == []
    legal = [n for n in notices(app, kind="assignment") if n.audience == slack_ids["legal"]]
    assert len(legal) == 1
    deliver(app)
    assert smtp.received == []


def test_a_secret_case_s_e_mail_says_no_more_than_its_slack_message(
    app, api, people, slack_ids, smtp
):
    patch_me(api, "legal", {"notify_by": "both"})
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
    mails = emails(app)
    assert mails
    dumped = json.dumps([n.payload for n in notices(app)])
    assert "Secret interception order" not in dumped and "GB" not in dumped
    assert "surveillance" not in dumped.lower()
    deliver(app)
    assert len(smtp.received) == len(mails)
    for received in smtp.received:
        raw = received.message.as_string()
        assert ref in received.subject and "restricted" in received.text()
        assert "Secret interception" not in raw and "surveillance" not in raw.lower()
        assert "GB" not in received.text() and "GB" not in received.subject


def test_foreign_text_is_escaped_in_the_html_part(app, api, people, smtp):
    open_case(api, title="<script>alert(1)</script> & <b>bold</b>")
    deliver(app)
    assert smtp.received
    html = smtp.received[0].html()
    assert "<script>" not in html and "&lt;script&gt;" in html and "&amp;" in html
    assert "<script>alert(1)</script> & <b>bold</b>" in smtp.received[0].text()


def test_a_refusal_4xx_is_retried_and_the_retry_is_the_same_message(app, api, people, smtp):
    open_case(api)
    total = len(emails(app))
    smtp.script("451 4.3.0 Try again later")
    first = deliver(app)
    assert first["retried"] == 1 and first["sent"] == total - 1
    (waiting,) = [n for n in emails(app) if n.status == "pending"]
    assert waiting.attempts == 1 and "451" in waiting.last_error
    assert waiting.next_attempt_at > now()
    assert deliver(app)["claimed"] == 0  # backoff: not yet
    second = deliver(app, waiting.next_attempt_at + timedelta(seconds=1))
    assert second["sent"] == 1
    assert {n.status for n in emails(app)} == {"sent"}
    assert len(smtp.received) == total and len(smtp.refused) == 1
    (again,) = [r for r in smtp.received if r.rcpt_tos == smtp.refused[0].rcpt_tos]
    assert again.message["Message-ID"] == smtp.refused[0].message["Message-ID"]


def test_a_permanent_5xx_fails_the_notice_clearly(app, api, people, smtp):
    open_case(api)
    smtp.script("550 5.1.1 Mailbox unavailable")
    report = deliver(app)
    assert report["failed"] == 1
    (failed,) = [n for n in emails(app) if n.status == "failed"]
    assert failed.attempts == 0 and "550" in failed.last_error
    assert "Mailbox unavailable" in failed.last_error
    later = deliver(app, now() + timedelta(days=1))
    assert later["claimed"] == 0  # never retried
    assert len(smtp.refused) == 1


def test_an_unreachable_server_loses_nothing(app, api, people, smtp):
    open_case(api)
    total = len(emails(app))
    smtp.stop()
    report = deliver(app)
    assert report["sent"] == 0 and report["retried"] == 1 and report["deferred"] == total - 1
    rows = emails(app)
    assert {n.status for n in rows} == {"pending"}
    assert sum(n.attempts for n in rows) == 1  # only the one that found the server down
    assert all("SMTP server unavailable" in n.last_error for n in rows)
    smtp.start()
    deliver(app, now() + timedelta(minutes=5))
    assert {n.status for n in emails(app)} == {"sent"}
    assert len(smtp.received) == total


@pytest.mark.config(EMAIL={"MAX_ATTEMPTS": 2})
def test_gives_up_after_max_attempts(app, api, people, smtp):
    open_case(api)
    smtp.script(*["421 4.7.0 Busy"] * 10)
    deliver(app)
    deliver(app, now() + timedelta(hours=1))
    assert any(n.status == "failed" and "gave up after 2 attempts" in n.last_error
               for n in emails(app))  # fmt: skip


@pytest.mark.config(EMAIL={"ANNOUNCE_TO": ["board@example.org"]})
def test_the_announce_list_hears_what_the_announce_channel_hears(app, api, people, smtp):
    case = open_case(api, title="Order to remove 40 posts")
    secret = api("admin").post(
        "/cases",
        json={
            "title": "Secret interception order",
            "playbook": "surveillance-data-demand",
            "jurisdiction": "GB",
            "restricted": True,
        },
    )
    deliver(app)
    board = [r for r in smtp.received if r.rcpt_tos == ["board@example.org"]]
    assert len(board) == 2
    opened, restricted = sorted(board, key=lambda r: case["ref"] not in r.subject)
    assert opened.subject == f"Case opened: {case['ref']} Order to remove 40 posts"
    assert "announces" in opened.text()
    raw = restricted.message.as_string()
    assert restricted.subject.startswith("A restricted case was opened")
    assert secret.get_json()["ref"] not in raw and "Secret interception" not in raw


def test_smtp_login_takes_the_password_from_the_environment(
    app, api, people, make_app, monkeypatch
):
    server = SmtpServer(login=("hub", "s3cret-from-env")).start()
    try:
        monkeypatch.setenv("INCIDENT_HUB_SMTP_PASSWORD", "s3cret-from-env")
        app = make_app(EMAIL={**server.config(), "USERNAME": "hub"})
        open_case(api)
        assert deliver(app)["sent"] == len(emails(app)) == len(server.received) > 0
        assert server.logins[0] == ("hub", True)
        wrong = make_app(
            EMAIL={**server.config(), "USERNAME": "hub", "PASSWORD": "wrong", "TIMEOUT_S": 2.0}
        )
        open_case(api)
        report = deliver(wrong)
        assert report["sent"] == 0 and report["retried"] == 1  # a bad login is retried later
        assert ("hub", False) in server.logins
        assert any(n.last_error.startswith("SMTP server unavailable") for n in emails(app))
    finally:
        server.stop()
