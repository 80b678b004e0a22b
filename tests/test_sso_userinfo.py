"""Single sign-on beyond the ID token, against the loopback provider of tests/oidcprovider.py:
UserInfo fetched and merged (its ``sub`` must be the ID token's), the provider's subject
stored and matched on, ``email_verified`` required unless configured otherwise, the RFC 9207
``iss`` response parameter checked, and RP-initiated logout at the provider.

tests/test_sso_panva.py runs the same flow against panva's certified provider; this module
covers what a well-behaved provider never does (a UserInfo answer about someone else, a
mix-up). Every test runs on SQLite and, when configured, PostgreSQL.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import CLI, csrf_from
from oidcprovider import CLIENT_ID, Provider, callback_url, through_provider
from sessionrows import session_row, signed_in, user

from incident_hub.audit.models import AuditEvent
from incident_hub.auth.service import create_user
from incident_hub.extensions import db

ROLE_MAP = {"ih-executives": "executive", "ih-legal": "lead:legal", "ih-triage": "triager"}
PROFILE = ("email", "email_verified", "name", "groups")


@pytest.fixture
def app(make_app, provider):
    return make_app(AUTH=provider.settings(ROLE_MAP))


def sso(client):  # noqa: ANN001, ANN201
    return through_provider(client, client.get("/login/oidc"))


def last_event(app, action: str) -> AuditEvent:
    with app.app_context():
        query = db.select(AuditEvent).filter_by(action=action).order_by(AuditEvent.id.desc())
        found = db.session.execute(query).scalars().first()
        db.session.expunge_all()
        return found


def claims_only_in_userinfo(provider: Provider) -> None:
    """The conformant default: the ID token says who (sub), UserInfo says the rest."""
    profile = {k: provider.user.pop(k) for k in PROFILE}
    provider.userinfo_tamper = profile


def test_claims_only_in_userinfo_sign_in(app, client, provider):
    claims_only_in_userinfo(provider)
    provider.userinfo_tamper["groups"] = ["ih-legal"]
    response = sso(client)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    assert signed_in(client) and provider.userinfo_requests == 1
    ada = user(app, email="ada@example.org")
    assert ada.roles == {"lead"} and ada.functions == {"legal"} and ada.name == "Ada Lovelace"
    assert (ada.oidc_issuer, ada.oidc_subject) == (provider.issuer, "sso-ada-0001")


def test_userinfo_wins_over_the_id_token_but_not_for_protocol_claims(app, client, provider):
    provider.userinfo_tamper = {"groups": ["ih-triage"], "auth_time": 1, "iss": "x"}
    assert sso(client).status_code == 302 and signed_in(client)
    assert user(app, email="ada@example.org").roles == {"triager"}  # ID token said executive


def test_a_userinfo_answer_about_someone_else_is_refused(app, client, provider):
    provider.userinfo_tamper = {"sub": "sso-mallory", "email": "mallory@example.org"}
    response = sso(client)
    assert response.status_code == 401
    assert "about another account" in response.get_data(as_text=True)
    assert user(app, email="ada@example.org") is None and not signed_in(client)
    refused = last_event(app, "auth.login")
    assert refused.outcome == "denied" and refused.details["reason"] == "userinfo sub mismatch"


def test_the_subject_is_matched_after_the_first_sign_in(app, provider):
    assert sso(app.test_client()).status_code == 302
    first = user(app, email="ada@example.org")
    provider.user["email"] = "ada.lovelace@example.org"  # changed at the provider
    browser = app.test_client()
    assert sso(browser).status_code == 302 and signed_in(browser)
    again = user(app, oidc_subject="sso-ada-0001")
    assert again.id == first.id and again.email == "ada.lovelace@example.org"
    assert user(app, email="ada@example.org") is None
    details = last_event(app, "auth.login").details
    assert details["email_before"] == "ada@example.org"
    # Another account at the provider with the old address is not Ada.
    provider.user = {**provider.user, "sub": "sso-impostor", "email": "ada.lovelace@example.org"}
    impostor = app.test_client()
    response = sso(impostor)
    assert response.status_code == 403 and not signed_in(impostor)
    assert last_event(app, "auth.login").details["reason"] == "email linked to another subject"


def test_the_first_sign_in_links_an_existing_account_by_verified_email(app, client, provider):
    with app.app_context():
        create_user(CLI, email="ada@example.org", name="Ada L.", roles=["triager"])
    assert sso(client).status_code == 302
    ada = user(app, email="ada@example.org")
    assert ada.oidc_subject == "sso-ada-0001" and ada.roles == {"executive"}
    assert last_event(app, "auth.login").details == {
        "method": "oidc",
        "subject": "sso-ada-0001",
        "linked": True,
    }


@pytest.mark.parametrize("trust", [False, True])
def test_a_missing_email_verified_needs_the_setting(make_app, provider, trust):
    app = make_app(AUTH=provider.settings(ROLE_MAP, OIDC_TRUST_EMAIL_WITHOUT_VERIFIED=trust))
    provider.tamper = {"email_verified": None}
    client = app.test_client()
    response = sso(client)
    if trust:
        assert response.status_code == 302 and signed_in(client)
    else:
        assert response.status_code == 403 and not signed_in(client)
        assert last_event(app, "auth.login").details["reason"] == "email not verified"
    provider.tamper = {"email_verified": False}  # an explicit "no" is refused either way
    other = app.test_client()
    assert sso(other).status_code == 403 and not signed_in(other)


@pytest.mark.parametrize(
    "iss, reason",
    [
        ("http://127.0.0.1:1", "authorization response iss mismatch"),
        (None, "authorization response without iss"),
    ],
)
def test_the_iss_response_parameter_must_name_the_issuer(app, client, provider, iss, reason):
    provider.iss_param = iss
    response = sso(client)
    assert response.status_code == 401 and not signed_in(client)
    assert provider.token_requests == 0  # refused before the code was used
    assert last_event(app, "auth.login").details["reason"] == reason


def test_logout_of_a_single_sign_on_session_signs_out_at_the_provider(app, client, provider):
    provider.end_session = True
    sso(client)
    row = session_row(app, client)
    assert row.method == "oidc" and row.id_token == provider.id_tokens[-1]
    with client.session_transaction() as session:
        assert provider.id_tokens[-1] not in str(dict(session))  # kept server-side only
    token = csrf_from(client.get("/").get_data(as_text=True))
    response = client.post("/logout", data={"csrf_token": token})  # Host: localhost
    assert response.status_code == 302
    target = urlsplit(response.headers["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{provider.base}/session/end"
    query = {k: v[0] for k, v in parse_qs(target.query).items()}
    assert query["id_token_hint"] == provider.id_tokens[-1]
    assert query["post_logout_redirect_uri"] == "http://127.0.0.1:5000/login"  # BASE_URL
    assert query["client_id"] == CLIENT_ID
    assert session_row(app, client) is None and not signed_in(client)


def test_logout_without_an_end_session_endpoint_stays_here(app, client, provider, people):
    sso(client)  # the provider announces no end_session_endpoint
    token = csrf_from(client.get("/").get_data(as_text=True))
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/login"


def test_a_re_authentication_keeps_the_session_and_its_new_id_token(app, client, provider):
    sso(client)
    before = session_row(app, client)
    back = callback_url(client.get("/login/oidc", query_string={"reauth": "1"}))
    assert client.get(back).status_code == 302
    after = session_row(app, client)
    assert after.id == before.id and after.id_token == provider.id_tokens[-1]
    assert after.id_token != before.id_token


def test_a_re_authentication_that_changes_roles_starts_a_fresh_session(app, client, provider):
    sso(client)
    before = session_row(app, client)
    provider.user["groups"] = ["ih-legal"]  # changed at the provider: every session ends
    back = callback_url(client.get("/login/oidc", query_string={"reauth": "1"}))
    assert client.get(back).status_code == 302 and signed_in(client)
    after = session_row(app, client)
    assert after.id != before.id and after.id_token == provider.id_tokens[-1]
    assert user(app, email="ada@example.org").roles == {"lead"}
