"""API tokens: named, expiring (AUTH.API_TOKEN_DAYS), last use shown, revoked one by one from
the web page, the CLI (``users token --revoke``) and the API; every step audited."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from cli_checks import ok, refused
from conftest import csrf_from, web_login

from incident_hub.audit.models import AuditEvent
from incident_hub.auth.models import ApiToken
from incident_hub.clock import frozen_at, now
from incident_hub.extensions import db


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _row(app, **where) -> ApiToken:
    with app.app_context():
        row = db.session.execute(db.select(ApiToken).filter_by(**where)).scalar_one()
        db.session.expunge(row)
        return row


def _audited(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        rows = db.session.execute(
            db.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        ).scalars()
        found = list(rows)
        db.session.expunge_all()
        return found


def test_api_creates_lists_and_revokes_a_named_token(app, client, api, people):
    created = api("legal").post("/tokens", json={"name": "ci pipeline", "days": 30})
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    token, token_id = body["token"], body["id"]
    assert re.fullmatch(r"ih_[A-Za-z0-9_-]{40,}", token)
    assert body["name"] == "ci pipeline" and body["user"] == people["legal"].email
    assert body["live"] is True and body["revoked_at"] is None
    lasts = _row(app, id=token_id)
    assert timedelta(days=29, hours=23) < lasts.expires_at - lasts.created_at <= timedelta(days=30)

    assert client.get("/api/v1/cases", headers=_bearer(token)).status_code == 200
    listed = api("legal").get("/tokens").get_json()
    mine = next(t for t in listed if t["id"] == token_id)
    assert mine["last_used_at"] is not None and "token" not in mine  # never shown again
    assert {t["user"] for t in listed} == {people["legal"].email}  # only one's own

    again = api("legal").post("/tokens", json={"name": "ci pipeline"})
    assert again.status_code == 409 and again.get_json()["error"]["field"] == "name"

    # Someone else's token does not exist for a non-admin: 404, and nothing changes.
    assert api("rights").delete(f"/tokens/{token_id}").status_code == 404
    assert client.get("/api/v1/cases", headers=_bearer(token)).status_code == 200

    revoked = api("legal").delete(f"/tokens/{token_id}")
    assert revoked.status_code == 200 and revoked.get_json()["live"] is False
    refusal = client.get("/api/v1/cases", headers=_bearer(token))
    assert refusal.status_code == 401
    assert refusal.get_json()["error"]["message"] == "this token was revoked; create a new one"
    # The token that signs these calls still works: revocation is one by one.
    assert api("legal").get("/tokens").status_code == 200

    issued = [e.details for e in _audited(app, "token.issued") if e.object_ref.startswith("legal")]
    assert {"token_id": token_id, "name": "ci pipeline"}.items() <= issued[-1].items()
    [gone] = _audited(app, "token.revoked")
    assert gone.actor == people["legal"].email and gone.details["token_id"] == token_id
    denied = [e for e in _audited(app, "token.revoke") if e.outcome == "denied"]
    assert [e.actor for e in denied] == [people["rights"].email]


def test_admins_list_and_revoke_anyones_token(app, client, api, people):
    token_id = api("legal").post("/tokens", json={"name": "laptop"}).get_json()["id"]
    everyone = api("admin").get("/tokens?all=true").get_json()
    assert {people[name].email for name in people} <= {t["user"] for t in everyone}
    theirs = api("admin").get(f"/tokens?user={people['legal'].email}").get_json()
    assert {t["name"] for t in theirs} == {"test", "laptop"}
    assert api("legal").get("/tokens?all=true").status_code == 403
    assert api("legal").get(f"/tokens?user={people['rights'].email}").status_code == 403
    for_other = api("legal").post("/tokens", json={"name": "x", "user": people["rights"].email})
    assert for_other.status_code == 403
    assert api("admin").delete(f"/tokens/{token_id}").status_code == 200
    assert _row(app, id=token_id).revoked_at is not None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": "a", "days": 0}, "days"),
        ({"name": "a", "days": 366}, "days"),  # AUTH.API_TOKEN_MAX_DAYS is 365
        ({"name": "a", "days": True}, "days"),
        ({"name": "a\x00"}, "name"),
    ],
)
def test_bad_token_requests_are_422(app, api, body, field):
    answer = api("legal").post("/tokens", json=body)
    assert answer.status_code == 422, answer.get_json()
    assert answer.get_json()["error"]["field"] == field


def test_a_token_expires_after_the_configured_days_with_a_clear_401(app, client, runner, people):
    token = ok(runner.invoke(["users", "token", people["exec"].email, "--name", "bot"])).strip()
    row = _row(app, name="bot")
    assert row.expires_at - row.created_at == timedelta(days=90)  # AUTH.API_TOKEN_DAYS
    with frozen_at(row.expires_at - timedelta(minutes=1)):
        assert client.get("/api/v1/cases", headers=_bearer(token)).status_code == 200
    with frozen_at(row.expires_at + timedelta(seconds=1)):
        answer = client.get("/api/v1/cases", headers=_bearer(token))
    assert answer.status_code == 401
    message = answer.get_json()["error"]["message"]
    assert message.startswith("this token expired on ") and "create a new one" in message


@pytest.mark.config(AUTH={"API_TOKEN_DAYS": 7})
def test_the_default_lifetime_is_configurable_and_days_override_it(app, runner, people):
    ok(runner.invoke(["users", "token", people["exec"].email, "--name", "week"]))
    ok(runner.invoke(["users", "token", people["exec"].email, "--name", "long", "--days", "60"]))
    week, long = _row(app, name="week"), _row(app, name="long")
    assert week.expires_at - week.created_at == timedelta(days=7)
    assert long.expires_at - long.created_at == timedelta(days=60)
    output = refused(runner.invoke(["users", "token", people["exec"].email, "--days", "400"]))
    assert "days must be between 1 and 365" in output


def test_cli_lists_and_revokes_by_id_or_name(app, client, runner, people):
    email = people["tech"].email
    first = ok(runner.invoke(["users", "token", email])).strip()
    second = ok(runner.invoke(["users", "token", email])).strip()
    assert _row(app, token_hash=_hash(first)).name == "cli"
    assert _row(app, token_hash=_hash(second)).name == "cli-2"  # the default name stays unique
    listing = ok(runner.invoke(["users", "token", email, "--list"]))
    assert "\tcli\tlive\t" in listing and "\tcli-2\tlive\t" in listing

    done = ok(runner.invoke(["users", "token", email, "--revoke", "cli"]))
    assert "revoked" in done
    assert client.get("/api/v1/cases", headers=_bearer(first)).status_code == 401
    assert client.get("/api/v1/cases", headers=_bearer(second)).status_code == 200
    second_id = _row(app, token_hash=_hash(second)).id
    ok(runner.invoke(["users", "token", "--revoke", str(second_id)]))
    assert client.get("/api/v1/cases", headers=_bearer(second)).status_code == 401
    assert "\tcli\trevoked\t" in ok(runner.invoke(["users", "token", email, "--list"]))

    refused(runner.invoke(["users", "token", "--revoke", "cli"]), "needs the owner's EMAIL", code=2)
    refused(runner.invoke(["users", "token", email, "--revoke", "nope"]), "no token 'nope'")
    refused(runner.invoke(["users", "token", "--revoke", "99999"]), "no token '99999'")
    assert [e.actor for e in _audited(app, "token.revoked")] == ["cli", "cli"]


def _hash(token: str) -> str:
    import hashlib

    return hashlib.sha256(token.encode()).hexdigest()


def test_web_page_lists_creates_and_revokes_tokens(app, client, people):
    web_login(client, app, people["legal"].email)
    page = client.get("/account/tokens")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and ">test<" in html  # the fixture's token
    for column in ("Name", "Created", "Expires", "Last used", "Revoked"):
        assert f">{column}</th>" in html
    created = client.post(
        "/account/tokens", data={"name": "notebook", "days": "10", "csrf_token": csrf_from(html)}
    )
    text = created.get_data(as_text=True)
    assert created.status_code == 200 and "not shown again" in text
    token = re.search(r"<code>(ih_[^<]+)</code>", text).group(1)
    assert client.get("/api/v1/cases", headers=_bearer(token)).status_code == 200
    assert token not in client.get("/account/tokens").get_data(as_text=True)  # shown once

    duplicate = client.post(
        "/account/tokens", data={"name": "notebook", "csrf_token": csrf_from(text)}
    )
    assert duplicate.status_code == 409 and "already have a live token" in duplicate.get_data(
        as_text=True
    )
    row = _row(app, name="notebook")
    revoked = client.post(f"/account/tokens/{row.id}/revoke", data={"csrf_token": csrf_from(text)})
    assert revoked.status_code == 302
    assert client.get("/api/v1/cases", headers=_bearer(token)).status_code == 401
    assert _row(app, name="notebook").revoked_at is not None

    # The admin sees everyone's tokens on the same page and may revoke them.
    admin = app.test_client()
    web_login(admin, app, people["admin"].email)
    admin_page = admin.get("/account/tokens").get_data(as_text=True)
    assert "Everyone else" in admin_page and people["legal"].email in admin_page
    legal_test = _row(app, name="test", user_id=row.user_id)
    answer = admin.post(
        f"/account/tokens/{legal_test.id}/revoke", data={"csrf_token": csrf_from(admin_page)}
    )
    assert answer.status_code == 302
    # … while a lead asking to revoke the admin's token is told there is no such token.
    admin_test = next(t for t in _all_tokens(app) if t.name == "test" and t.user_id != row.user_id)
    other = client.post(
        f"/account/tokens/{admin_test.id}/revoke", data={"csrf_token": csrf_from(text)}
    )
    assert other.status_code == 404


def _all_tokens(app) -> list[ApiToken]:
    with app.app_context():
        rows = list(db.session.execute(db.select(ApiToken).order_by(ApiToken.id)).scalars())
        db.session.expunge_all()
        return rows


def test_a_disabled_users_token_says_so(app, client, runner, people):
    ok(runner.invoke(["users", "disable", people["exec"].email]))
    answer = client.get("/api/v1/cases", headers=people["exec"].headers)
    assert answer.status_code == 401
    assert "disabled" in answer.get_json()["error"]["message"]


def test_expired_tokens_free_their_name(app, client, runner, people):
    email = people["policy"].email
    ok(runner.invoke(["users", "token", email, "--name", "bot", "--days", "1"]))
    with frozen_at(now() + timedelta(days=2)), app.app_context():
        from incident_hub.auth.service import find_user
        from incident_hub.auth.tokens import issue_token
        from incident_hub.console import CLI_ACTOR

        assert issue_token(CLI_ACTOR, find_user(email), "bot").startswith("ih_")


@pytest.mark.parametrize(
    ("method", "path", "sent", "status"),
    [
        ("POST", "/api/v1/tokens", {"name": "off", "days": 3.0, "user": ""}, 201),  # fuzzer's
        ("POST", "/api/v1/tokens", {"name": "x", "user": "a\u0000b@example.org"}, 422),
        ("GET", "/api/v1/tokens?user=%00", None, 422),
        ("DELETE", "/api/v1/tokens/%C2%B2", None, 404),  # "²": a digit to str.isdigit only
        ("DELETE", "/api/v1/tokens/99999999999999999999", None, 404),
        ("DELETE", "/api/v1/tokens/%00", None, 404),
    ],
)
def test_hostile_token_requests_get_a_json_error_not_a_500(
    client, people, method, path, sent, status
):  # noqa: E501
    kwargs = {"json": sent} if sent is not None else {}
    response = client.open(path, method=method, headers=people["admin"].headers, **kwargs)
    assert response.status_code == status, response.get_data(as_text=True)[:300]
