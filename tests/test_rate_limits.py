"""Rate limits on sign-in, API tokens and the Slack routes, and the security headers."""

from __future__ import annotations

import pytest
from conftest import csrf_from, set_password, web_login

from incident_hub.audit.models import AuditEvent
from incident_hub.extensions import db


def sign_in(app, email: str, password: str, address: str = "127.0.0.1"):  # noqa: ANN201
    """One sign-in through the real form, from a fresh browser at ``address``."""
    browser = app.test_client()
    browser.environ_base["REMOTE_ADDR"] = address
    token = csrf_from(browser.get("/login").get_data(as_text=True))
    form = {"email": email, "password": password, "csrf_token": token}
    return browser.post("/login", data=form)


@pytest.mark.config(LIMITS={"LOGIN": "3 per minute"})
def test_sign_in_attempts_are_limited_per_address(app, client, people):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    answers = [
        client.post(
            "/login",
            data={"email": people["legal"].email, "password": "wrong", "csrf_token": token},
        ).status_code
        for _ in range(5)
    ]
    assert answers[:3] == [401, 401, 401] and answers[3:] == [429, 429]
    assert client.get("/login").status_code == 200  # reading the form is not limited


@pytest.mark.config(LIMITS={"LOGIN": "10 per minute", "LOGIN_ACCOUNT": "5 per 15 minutes"})
def test_successful_sign_ins_never_count(app, people):
    password = set_password(app, people["legal"].email)
    answers = [sign_in(app, people["legal"].email, password).status_code for _ in range(11)]
    assert answers == [302] * 11  # the 11th in a minute too: only failures count


@pytest.mark.config(LIMITS={"LOGIN": "100 per minute", "LOGIN_ACCOUNT": "3 per 15 minutes"})
def test_failures_lock_that_account_and_no_other(app, people):
    legal, other = people["legal"].email, people["exec"].email
    password = set_password(app, legal)
    set_password(app, other)
    typed = ["wrong", "Wrong2", "wrong3"]
    assert [sign_in(app, legal, p).status_code for p in typed] == [401, 401, 401]
    # The same account in capitals and with spaces is the same account; the right password
    # no longer helps, so guessing on cannot tell a right one from a wrong one.
    locked = sign_in(app, f"  {legal.upper()} ", password)
    assert locked.status_code == 429
    page = locked.get_data(as_text=True)
    assert "Too many failed sign-ins for this account; try again in 15 minutes." in page
    assert "<h1>Sign in</h1>" in page and 'name="password"' in page  # the form, readable
    assert "Back to my work" not in page and "per 15 minute" not in page
    assert sign_in(app, other, password).status_code == 302  # another account signs in
    with app.app_context():
        refused = db.session.scalars(
            db.select(AuditEvent).where(AuditEvent.action == "auth.login")
        ).all()
    reasons = [e.details.get("reason") for e in refused if e.outcome == "denied"]
    assert reasons.count("bad credentials") == 3
    assert reasons.count("too many failed sign-ins for this account") == 1


@pytest.mark.config(LIMITS={"LOGIN": "4 per minute", "LOGIN_ACCOUNT": "100 per minute"})
def test_failures_from_one_address_lock_that_address(app, people):
    password = set_password(app, people["legal"].email)
    colleague = app.test_client()  # signed in on that address before the guessing
    colleague.environ_base["REMOTE_ADDR"] = "10.0.0.7"
    web_login(colleague, app, people["exec"].email)
    guesses = [sign_in(app, f"guess{n}@example.org", "x", "10.0.0.7") for n in range(4)]
    assert [r.status_code for r in guesses] == [401] * 4
    locked = sign_in(app, people["legal"].email, password, "10.0.0.7")
    assert locked.status_code == 429
    assert "Too many failed sign-ins for this address; try again in 1 minute." in (
        locked.get_data(as_text=True)
    )
    assert sign_in(app, people["legal"].email, password, "10.0.0.8").status_code == 302
    token = csrf_from(colleague.get("/account/password").get_data(as_text=True))
    assert colleague.post("/logout", data={"csrf_token": token}).status_code == 302  # never held


@pytest.mark.config(LIMITS={"API": "5 per minute"})
def test_api_calls_are_limited_per_token_with_a_json_429(app, api):
    answers = [api("legal").get("/cases") for _ in range(6)]
    assert [r.status_code for r in answers[:5]] == [200] * 5
    refused = answers[5]
    assert refused.status_code == 429
    assert refused.get_json()["error"]["code"] == "too_many_requests"
    assert "Retry-After" in refused.headers or "X-RateLimit-Reset" in refused.headers
    assert api("exec").get("/cases").status_code == 200  # another token has its own budget


@pytest.mark.config(LIMITS={"SLACK": "2 per minute"})
def test_slack_routes_are_limited(app, client):
    codes = [client.post("/slack/commands", data={"text": "help"}).status_code for _ in range(3)]
    assert codes == [401, 401, 429]  # unsigned: refused, then limited


@pytest.mark.parametrize(
    "https",
    [
        pytest.param(False, marks=pytest.mark.config(BASE_URL="http://127.0.0.1:5000")),
        pytest.param(True, marks=pytest.mark.config(BASE_URL="https://hub.example.org")),
    ],
)
def test_security_headers(app, client, https):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert ("Strict-Transport-Security" in response.headers) is https


def test_limits_can_live_in_redis_shared_by_workers(db_url, tmp_path):
    """Two app instances (two web workers) share one budget through Redis."""
    import socket

    from conftest import _base_config

    from incident_hub import create_app

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        pytest.skip("no Redis on 127.0.0.1:6379 (CI machines have one)")
    import redis

    redis.Redis(host="127.0.0.1", port=6379, db=15).flushdb()
    config = _base_config(db_url)
    config["LIMITS"] = {"STORAGE_URL": "redis://127.0.0.1:6379/15", "SLACK": "3 per minute"}
    workers = [create_app(dict(config)).test_client() for _ in range(2)]
    codes = [workers[i % 2].post("/slack/commands", data={}).status_code for i in range(4)]
    assert codes == [401, 401, 401, 429]


def test_failed_sign_ins_are_counted_across_workers_in_redis(db_url, app, people):
    """Two web workers (two app instances) share one failure count per account through Redis."""
    import socket

    from conftest import _base_config

    from incident_hub import create_app

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        pytest.skip("no Redis on 127.0.0.1:6379 (CI machines have one)")
    import redis

    redis.Redis(host="127.0.0.1", port=6379, db=13).flushdb()
    config = _base_config(db_url)
    config["LIMITS"] = {
        "STORAGE_URL": "redis://127.0.0.1:6379/13",
        "LOGIN": "100 per minute",
        "LOGIN_ACCOUNT": "2 per 15 minutes",
    }
    workers = [create_app(dict(config)) for _ in range(2)]
    email = people["legal"].email
    password = set_password(app, email)
    assert sign_in(workers[0], email, "wrong").status_code == 401
    assert sign_in(workers[1], email, "wrong").status_code == 401
    assert sign_in(workers[0], email, password).status_code == 429
    assert (
        sign_in(
            workers[1], people["exec"].email, set_password(app, people["exec"].email)
        ).status_code
        == 302
    )
    for worker in workers:
        with worker.app_context():
            db.engine.dispose()
