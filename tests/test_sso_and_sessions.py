"""Single sign-on against a loopback OpenID Connect provider, and session limits and revocation.

The real flow runs end to end: the test client gets the redirect to the provider, the provider
(tests/oidcprovider.py, real HTTP on 127.0.0.1) answers /authorize, and its redirect comes back
to the test client's /login/oidc/callback, which exchanges the code at /token and validates the
ID token against /jwks. Every test runs on SQLite and, when configured, on PostgreSQL.
"""

from __future__ import annotations

import socket
import time
from datetime import UTC, datetime, timedelta

import pytest
from conftest import CLI, csrf_from, open_case, set_password, web_login
from oidcprovider import CLIENT_ID, Provider, callback_url, through_provider
from sessionrows import age_sign_in, row_key, session_row

from incident_hub.actor import Actor
from incident_hub.audit.models import AuditEvent
from incident_hub.auth.models import User
from incident_hub.auth.service import create_user, disable_user, set_roles
from incident_hub.auth.sessions import is_recent, require_recent
from incident_hub.clock import frozen_at
from incident_hub.config import ConfigError
from incident_hub.errors import Forbidden, ReauthRequired
from incident_hub.extensions import db

ROLE_MAP = {"ih-admins": "admin", "ih-triage": "triager", "ih-executives": "executive"}
ROLE_MAP |= {"ih-legal": "lead:legal", "ih-rights": "lead:human-rights"}
DECISION = {"option": "comply-narrowly", "rationale": "the order is overbroad", "override": "on"}
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def build_app(make_app):
    """``build_app(**auth)``: an app on the test database with these [AUTH] settings."""
    return lambda **auth: make_app(AUTH=auth, LIMITS={"LOGIN": "1000 per minute"})


@pytest.fixture
def app(build_app, provider):
    """Overrides conftest's app: single sign-on on, beside local accounts."""
    return build_app(**provider.settings(ROLE_MAP))


def sso(client, next_url: str | None = None, reauth: bool = False):  # noqa: ANN001, ANN201
    query = {"next": next_url} if next_url else {}
    if reauth:
        query["reauth"] = "1"
    return through_provider(client, client.get("/login/oidc", query_string=query))


def user(app, email: str) -> User | None:
    with app.app_context():
        found = db.session.execute(db.select(User).filter_by(email=email)).scalar()
        db.session.expunge_all()  # roles and functions are loaded with the user (selectin)
        return found


def events(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        rows = db.session.execute(
            db.select(AuditEvent).filter_by(action=action).order_by(AuditEvent.id)
        )
        found = list(rows.scalars())
        db.session.expunge_all()
        return found


def signed_in(client) -> bool:  # noqa: ANN001
    return client.get("/").status_code == 200


def post_form(client, url: str, data: dict):  # noqa: ANN001, ANN201
    """GET the form, take its CSRF token, POST it back like a browser."""
    token = csrf_from(client.get(url).get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token})


def test_sso_sign_in_creates_the_user_with_mapped_roles(app, client, provider):
    page = client.get("/login").get_data(as_text=True)
    assert "Sign in with single sign-on" in page and 'name="password"' in page
    provider.user["groups"] = ["ih-executives", "ih-legal", "not-mapped"]
    response = sso(client, next_url="/cases")
    assert response.status_code == 302 and response.headers["Location"] == "/cases"
    assert signed_in(client)
    ada = user(app, "ada@example.org")
    assert ada.roles == {"executive", "lead"} and ada.functions == {"legal"}
    assert ada.password_hash is None and ada.name == "Ada Lovelace"
    asked = provider.authorize_requests[-1]
    assert asked["code_challenge_method"] == "S256" and asked["code_challenge"]
    assert asked["nonce"] and asked["state"] and "openid" in asked["scope"].split()
    assert "prompt" not in asked
    login = events(app, "auth.login")[-1]
    assert login.outcome == "ok" and login.origin == "web 127.0.0.1"
    assert login.details == {"method": "oidc", "subject": "sso-ada-0001"}
    assert events(app, "user.created")[-1].details["source"] == "oidc"


def test_changed_groups_change_roles_and_end_other_sessions(app, provider):
    first, second, third = app.test_client(), app.test_client(), app.test_client()
    sso(first)
    assert user(app, "ada@example.org").roles == {"executive"}
    provider.user["groups"] = ["ih-legal", "ih-rights"]
    sso(second)
    ada = user(app, "ada@example.org")
    assert ada.roles == {"lead"} and ada.functions == {"legal", "human-rights"}
    assert not signed_in(first) and signed_in(second)
    assert events(app, "user.roles")[-1].details["after"]["roles"] == ["lead"]
    sso(third)  # same groups: nothing changes, nobody is signed out
    assert signed_in(second) and signed_in(third)


@pytest.mark.parametrize("groups", [["not-mapped"], [], None])
def test_a_user_in_no_mapped_group_is_refused(app, client, provider, groups):
    provider.tamper = {"groups": groups}
    response = sso(client)
    assert response.status_code == 403
    assert "no group that has access" in response.get_data(as_text=True)
    assert user(app, "ada@example.org") is None and not signed_in(client)
    refused = events(app, "auth.login")[-1]
    assert refused.outcome == "denied" and refused.details["reason"] == "no mapped group"


BAD = {  # fault -> (how the provider gets it wrong, status, audited reason)
    "bad nonce": (lambda p: p.tamper.update(nonce="not-the-nonce"), 401, "claim: 'nonce'"),
    "no nonce": (lambda p: p.tamper.update(nonce=None), 401, "claim: 'nonce'"),
    "wrong audience": (lambda p: p.tamper.update(aud="someone-else"), 401, "claim: 'aud'"),
    "wrong aud, our azp": (lambda p: p.tamper.update(aud="x", azp=CLIENT_ID), 401, "'aud'"),
    "wrong issuer": (lambda p: p.tamper.update(iss="http://127.0.0.1:1"), 401, "claim: 'iss'"),
    "bad signature": (lambda p: setattr(p, "sign_with_other_key", True), 401, "bad_signature"),
    "expired": (lambda p: p.tamper.update(exp=int(time.time()) - 600), 401, "expired"),
    "from the future": (lambda p: p.tamper.update(iat=int(time.time()) + 3600), 401, "future"),
    "no subject": (lambda p: p.tamper.update(sub=None), 401, "claim: 'sub'"),
    "provider says no": (lambda p: setattr(p, "deny", "access_denied"), 401, "access_denied"),
    "email unverified": (lambda p: p.tamper.update(email_verified=False), 403, "not verified"),
    "email 'false'": (lambda p: p.tamper.update(email_verified="false"), 403, "not verified"),
    "no email": (lambda p: p.tamper.update(email=None), 403, "no email"),
}


@pytest.mark.parametrize("fault", list(BAD))
def test_an_identity_that_does_not_verify_is_refused(app, client, provider, fault):
    make_it_wrong, status, reason = BAD[fault]
    make_it_wrong(provider)
    response = sso(client)
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert 'action="/login"' in response.get_data(as_text=True)  # the form posts to /login
    assert user(app, "ada@example.org") is None and not signed_in(client)
    refused = events(app, "auth.login")[-1]
    assert refused.outcome == "denied" and reason in refused.details["reason"]


def test_a_callback_is_good_once_and_only_with_its_own_state(app, client, provider):
    back = callback_url(client.get("/login/oidc"))
    assert client.get(back).status_code == 302 and signed_in(client)
    replay = app.test_client()
    replay.get("/login/oidc")  # a flow of its own, but not the state in the replayed answer
    assert replay.get(back).status_code == 401 and not signed_in(replay)
    assert app.test_client().get(back).status_code == 401  # no flow at all


def test_an_unreachable_provider_is_a_clear_error(build_app):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    gone = Provider(base=f"http://127.0.0.1:{port}")
    response = build_app(**gone.settings(ROLE_MAP)).test_client().get("/login/oidc")
    assert response.status_code == 502 and "cannot be reached" in response.get_data(as_text=True)


def test_a_disabled_user_is_refused_and_their_sessions_end(app, client, provider, runner):
    sso(client)
    assert runner.invoke(["users", "disable", "ada@example.org"]).exit_code == 0
    assert not signed_in(client)
    response = sso(app.test_client())
    assert response.status_code == 403 and "disabled" in response.get_data(as_text=True)
    assert events(app, "auth.login")[-1].details["reason"] == "account disabled"
    again = runner.invoke(["users", "disable", "ada@example.org"])
    assert "already disabled" in again.output


def test_logout_ends_the_session(app, client, people):
    web_login(client, app, people["legal"].email)
    page = client.get("/").get_data(as_text=True)
    response = client.post("/logout", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    answer = client.get("/cases")
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/login")
    assert events(app, "auth.logout")[-1].actor == people["legal"].email


@pytest.mark.parametrize("change", ["disable", "roles"])
def test_disabling_or_changing_roles_ends_every_session(app, people, runner, change):
    email = people["legal"].email
    laptop, phone = app.test_client(), app.test_client()
    web_login(laptop, app, email)
    web_login(phone, app, email)
    args = ["disable", email] if change == "disable" else ["roles", email, "--role", "executive"]
    result = runner.invoke(["users", *args])
    assert result.exit_code == 0, result.output
    for browser in (laptop, phone):
        response = browser.get("/")
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    if change == "roles":
        assert user(app, email).roles == {"executive"} and user(app, email).functions == set()
        assert "Every session of theirs has ended" in result.output
        web_login(laptop, app, email)  # signing in again works, with the new roles
        assert signed_in(laptop)
    else:
        assert events(app, "user.disabled")[-1].actor == "cli"


def test_role_and_disable_commands_check_input_and_permission(app, people, runner):
    email = people["legal"].email
    assert runner.invoke(["users", "roles", email, "--role", "pope"]).exit_code == 1
    lead = runner.invoke(["users", "roles", email, "--role", "lead"])
    assert lead.exit_code == 1 and "needs at least one --function" in lead.output
    assert runner.invoke(["users", "disable", "ghost@example.org"]).exit_code == 1
    with app.app_context():
        triager = db.session.execute(db.select(User).filter_by(email=people["triager"].email))
        actor = Actor(user=triager.scalar_one(), via="web")
        legal = db.session.execute(db.select(User).filter_by(email=email)).scalar_one()
        with pytest.raises(Forbidden):
            set_roles(actor, legal, ["admin"], [])
        with pytest.raises(Forbidden):
            disable_user(actor, legal)
    assert [e.outcome for e in events(app, "user.roles")] == ["denied"]
    assert user(app, email).active and user(app, email).roles == {"lead"}


def test_idle_timeout(app, client, people):
    with frozen_at(T0):
        web_login(client, app, people["legal"].email)
    for minutes in (59, 118):  # each request is activity: the session lives on
        with frozen_at(T0 + timedelta(minutes=minutes)):
            assert signed_in(client)
    with frozen_at(T0 + timedelta(minutes=118 + 61)):
        response = client.get("/cases?status=open")
        assert response.status_code == 302
        assert response.headers["Location"] == "/login?next=/cases?status%3Dopen"
        page = client.get("/login").get_data(as_text=True)
        assert "Your session expired; please sign in again" in page
        assert not signed_in(client)


@pytest.mark.config(AUTH={"SESSION_MAX_HOURS": 2})
def test_absolute_timeout(app, client, people):
    with frozen_at(T0):
        web_login(client, app, people["legal"].email)
    for minutes in range(30, 120, 30):
        with frozen_at(T0 + timedelta(minutes=minutes)):
            assert signed_in(client)
    with frozen_at(T0 + timedelta(minutes=121)):
        assert not signed_in(client)


def test_a_cookie_without_its_session_row_is_signed_out(app, client, people):
    web_login(client, app, people["legal"].email)
    assert session_row(app, client) is not None and signed_in(client)
    with client.session_transaction() as session:
        session["_ih_sid"] = "a-made-up-id"  # a cookie from before sessions had rows, or forged
    assert row_key(client) and not signed_in(client)
    assert "Your session has ended" in client.get("/login").get_data(as_text=True)


def test_a_decision_needs_a_recent_password_sign_in(app, client, people, api):
    ref = open_case(api)["ref"]
    web_login(client, app, people["exec"].email)
    age_sign_in(app, client, 16)
    form = f"/cases/{ref}/decision"
    page = client.get(form)
    assert page.status_code == 302 and page.headers["Location"] == f"/reauth?next={form}"
    token = csrf_from(client.get("/").get_data(as_text=True))
    refused = client.post(form, data={**DECISION, "csrf_token": token})
    assert refused.status_code == 302 and refused.headers["Location"].startswith("/reauth")
    assert api("exec").get(f"/cases/{ref}").get_json()["status"] == "open"
    denied = events(app, "decision.record")[-1]
    assert denied.outcome == "denied" and "re-authentication" in denied.details["reason"]
    wrong = post_form(client, f"/reauth?next={form}", {"password": "not it"})
    assert wrong.status_code == 401
    right = post_form(client, f"/reauth?next={form}", {"password": "correct horse battery"})
    assert right.status_code == 302 and right.headers["Location"] == form
    assert [e.outcome for e in events(app, "auth.reauth")] == ["denied", "ok"]
    done = post_form(client, form, DECISION)
    assert done.status_code == 302 and done.headers["Location"] == f"/cases/{ref}"
    assert api("exec").get(f"/cases/{ref}").get_json()["status"] == "decided"


def test_a_decision_needs_a_recent_single_sign_on(app, client, provider, api):
    ref = open_case(api)["ref"]
    sso(client)
    age_sign_in(app, client, 16)
    form = f"/cases/{ref}/decision"
    reauth = client.get(form).headers["Location"]
    page = client.get(reauth).get_data(as_text=True)
    assert "Confirm with single sign-on" in page and 'name="password"' not in page
    provider.auth_time_offset = -3600  # a provider that does not really ask again: refused
    assert sso(client, next_url=form, reauth=True).headers["Location"].startswith("/reauth")
    assert client.get(form).status_code == 302
    provider.auth_time_offset = 0
    back = sso(client, next_url=form, reauth=True)
    assert provider.authorize_requests[-1]["prompt"] == "login"
    assert back.status_code == 302 and back.headers["Location"] == form
    assert post_form(client, form, DECISION).headers["Location"] == f"/cases/{ref}"
    assert [e.outcome for e in events(app, "auth.reauth")] == ["denied", "ok"]


def test_re_authenticating_as_someone_else_changes_nothing(app, client, provider, api):
    ref = open_case(api)["ref"]
    sso(client)
    age_sign_in(app, client, 16)
    provider.user = {**provider.user, "sub": "sso-bob", "email": "bob@example.org"}
    form = f"/cases/{ref}/decision"
    assert sso(client, next_url=form, reauth=True).headers["Location"] == form
    assert client.get(form).headers["Location"].startswith("/reauth")  # still too old
    assert user(app, "bob@example.org") is None
    assert events(app, "auth.reauth")[-1].details["reason"] == "different account"


def test_api_tokens_are_exempt_and_other_doors_follow_the_rule(app, api):
    ref = open_case(api)["ref"]
    response = api("exec").post(f"/cases/{ref}/decision", json={**DECISION, "override": True})
    assert response.status_code == 201, response.get_json()
    with app.app_context(), app.test_request_context():
        assert is_recent(Actor(user=None, via="cli"))
        assert is_recent(Actor(user=None, via="api"))
        assert not is_recent(Actor(user=None, via="web"))  # sign-in time unknown
        assert not is_recent(Actor(user=None, via="slack"))
        now = datetime.now(UTC)
        assert is_recent(Actor(user=None, via="web", authenticated_at=now))
        old = Actor(user=None, via="web", authenticated_at=now - timedelta(minutes=16))
        with pytest.raises(ReauthRequired) as refused:
            require_recent(old, "decision.record", "case", ref)
        assert refused.value.status == 403 and refused.value.code == "reauth_required"


def test_local_login_off_hides_and_refuses_the_password_form(make_app, provider):
    # No password form, so no CSRF token to take: CSRF is not what is tested here.
    auth = provider.settings(ROLE_MAP, LOCAL_LOGIN=False)
    app = make_app(AUTH=auth, WTF_CSRF_ENABLED=False)
    client = app.test_client()
    with app.app_context():
        create_user(CLI, email="eve@example.org", name="Eve", roles=["triager"])
    password = set_password(app, "eve@example.org")
    page = client.get("/login").get_data(as_text=True)
    assert "Sign in with single sign-on" in page and 'name="password"' not in page
    response = client.post("/login", data={"email": "eve@example.org", "password": password})
    assert response.status_code == 403 and "turned off" in response.get_data(as_text=True)
    assert not signed_in(client)


def test_without_an_issuer_there_is_no_single_sign_on(build_app):
    client = build_app().test_client()
    assert "single sign-on" not in client.get("/login").get_data(as_text=True)
    assert client.get("/login/oidc").status_code == 404


@pytest.mark.parametrize(
    "auth, message",
    [
        ({"OIDC_ROLE_MAP": {"g": "lead:astrology"}}, "OIDC_ROLE_MAP.g"),
        ({"OIDC_ROLE_MAP": {"g": "pope"}}, "OIDC_ROLE_MAP.g"),
        ({"OIDC_ISSUER": "http://idp.example.org"}, "https://"),
        ({"OIDC_CLIENT_ID": ""}, "OIDC_CLIENT_ID"),
        ({"OIDC_SCOPES": "email"}, "openid"),
        ({"SESSION_IDLE_MIN": 0}, "SESSION_IDLE_MIN"),
        ({"OIDC_ISSUER": "", "LOCAL_LOGIN": False}, "nobody could sign in"),
    ],
)
def test_bad_sign_in_settings_stop_start_up(build_app, provider, auth, message):
    with pytest.raises(ConfigError, match=message):
        build_app(**provider.settings(ROLE_MAP, **auth))
