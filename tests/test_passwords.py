"""Passwords: the owner changes theirs (current password needed, other sessions end), and every
password set passes zxcvbn (score >= 3) and 12 characters: web form, CLI, account creation."""

from __future__ import annotations

import pytest
from cli_checks import ok, refused
from conftest import csrf_from, web_login

from incident_hub.audit.models import AuditEvent
from incident_hub.auth.models import User, WebSession
from incident_hub.auth.passwords import check_strength
from incident_hub.errors import Invalid
from incident_hub.extensions import db

NEW = "quiet orchard lantern 42"  # noqa: S105 (a test value)


def _change(client, current: str, new: str):  # noqa: ANN202
    page = client.get("/account/password")
    token = csrf_from(page.get_data(as_text=True))
    return client.post(
        "/account/password",
        data={"current_password": current, "new_password": new, "csrf_token": token},
    )


def _sign_in(client, email: str, password: str) -> int:
    token = csrf_from(client.get("/login").get_data(as_text=True))
    data = {"email": email, "password": password, "csrf_token": token}
    return client.post("/login", data=data).status_code


def test_the_owner_changes_their_password_and_their_other_sessions_end(app, people):
    email = people["legal"].email
    here, elsewhere = app.test_client(), app.test_client()
    web_login(here, app, email)
    web_login(elsewhere, app, email)  # the same password again: both sessions live
    assert elsewhere.get("/cases").status_code == 200

    answer = _change(here, "correct horse battery", NEW)
    assert answer.status_code == 302
    assert here.get("/cases").status_code == 200  # this session stays signed in
    gone = elsewhere.get("/cases")
    assert gone.status_code == 302 and gone.headers["Location"].startswith("/login")
    assert _sign_in(app.test_client(), email, "correct horse battery") == 401
    assert _sign_in(app.test_client(), email, NEW) == 302
    with app.app_context():
        [event] = db.session.execute(
            db.select(AuditEvent).filter_by(action="user.password_changed")
        ).scalars()
        assert event.actor == email and event.details["other_sessions_ended"] is True
        assert NEW not in str(event.details)
        user = db.session.execute(db.select(User).filter_by(email=email)).scalar_one()
        rows = db.session.execute(db.select(WebSession).filter_by(user_id=user.id)).scalars()
        assert len(list(rows)) == 2  # this one and the new sign-in: the other row is gone


@pytest.mark.parametrize(
    ("current", "new", "status", "message"),
    [
        ("wrong password here", NEW, 401, "your current password is wrong"),
        ("correct horse battery", "1234567890", 422, "at least 12 characters"),
        ("correct horse battery", "123456789012", 422, "too weak"),
        ("correct horse battery", "password1234", 422, "too weak"),
        ("correct horse battery", "legal@example.org", 422, "too weak"),  # the user's email
        ("correct horse battery", "correct horse battery", 422, "must differ"),
        ("correct horse battery", "x" * 1001, 422, "too long"),
    ],
)
def test_a_refused_change_says_why_and_changes_nothing(
    app, client, people, current, new, status, message
):  # noqa: E501
    web_login(client, app, people["legal"].email)
    with app.app_context():
        before = db.session.execute(
            db.select(User.password_hash).filter_by(email=people["legal"].email)
        ).scalar_one()
    answer = _change(client, current, new)
    assert answer.status_code == status
    assert message in answer.get_data(as_text=True)
    with app.app_context():
        after = db.session.execute(
            db.select(User.password_hash).filter_by(email=people["legal"].email)
        ).scalar_one()
    assert after == before
    assert client.get("/cases").status_code == 200  # still signed in


def test_a_wrong_current_password_is_audited(app, client, people):
    web_login(client, app, people["legal"].email)
    _change(client, "not my password at all", NEW)
    with app.app_context():
        denied = db.session.execute(
            db.select(AuditEvent).filter_by(action="user.password", outcome="denied")
        ).scalar_one()
        assert denied.actor == people["legal"].email


def test_an_sso_account_has_no_password_to_change(app, client, people):
    web_login(client, app, people["rights"].email)
    with app.app_context():
        user = db.session.execute(db.select(User).filter_by(email=people["rights"].email)).scalar()
        user.password_hash = None
        db.session.commit()
    assert "single sign-on" in client.get("/account/password").get_data(as_text=True)
    answer = _change(client, "", NEW)
    assert answer.status_code == 409 and "single sign-on" in answer.get_data(as_text=True)


def test_the_cli_sets_a_password_only_when_it_is_strong(app, runner, people):
    email = people["exec"].email
    output = refused(runner.invoke(["users", "password", email], input="1234567890\n"))
    assert "at least 12 characters" in output
    refused(runner.invoke(["users", "password", email], input="qwertyuiop12\n"), "too weak")
    ok(runner.invoke(["users", "password", email], input=NEW + "\n"))
    assert _sign_in(app.test_client(), email, NEW) == 302


def test_the_strength_rule(app):
    assert check_strength("correct horse battery") == "correct horse battery"  # conftest's
    for weak in ("1234567890", "123456789012", "aaaaaaaaaaaaaaaa", "passwordpassword"):
        with pytest.raises(Invalid):
            check_strength(weak)
    with pytest.raises(Invalid, match="too weak"):
        check_strength("ada.lovelace1", hints=["ada.lovelace@example.org", "Ada Lovelace"])
