"""Server-side sessions: a signed-out session is dead wherever its cookie was copied, and
signing out everywhere (the user, an admin, the operator) ends every browser at once.

Each signed-in browser is a row of ``web_sessions``; the cookie holds only a random id of it.
These tests copy a real cookie into a second browser (the thief), through the real login form,
case pages and CSRF-protected forms. Every test runs on SQLite and, when configured, PostgreSQL.
"""

from __future__ import annotations

from conftest import csrf_from, open_case, web_login
from sessionrows import rows_of, session_row

from incident_hub.audit.models import AuditEvent
from incident_hub.auth.models import User
from incident_hub.cases.models import Follow
from incident_hub.extensions import db


def events(app, action: str | None = None, after: int = 0) -> list[AuditEvent]:
    with app.app_context():
        query = db.select(AuditEvent).where(AuditEvent.id > after).order_by(AuditEvent.id)
        if action:
            query = query.filter_by(action=action)
        found = list(db.session.execute(query).scalars())
        db.session.expunge_all()
        return found


def user_id(app, email: str) -> int:
    with app.app_context():
        return db.session.execute(db.select(User.id).filter_by(email=email)).scalar_one()


def to_login(response) -> bool:  # noqa: ANN001
    return response.status_code == 302 and response.headers["Location"].startswith("/login")


def stolen(app, client) -> str:  # noqa: ANN001
    """A copy of ``client``'s session cookie."""
    return client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value


def replay(app, cookie: str):  # noqa: ANN001, ANN201
    """A second browser holding this copy of a session cookie."""
    thief = app.test_client()
    thief.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
    return thief


def test_a_cookie_copied_before_logout_is_dead_after_it(app, client, api, people):
    case = open_case(api, restricted=True)  # the legal lead's function is assigned: a member
    page = f"/cases/{case['ref']}"
    web_login(client, app, people["legal"].email)
    token = csrf_from(client.get(page).get_data(as_text=True))
    cookie = stolen(app, client)
    assert replay(app, cookie).get(page).status_code == 200  # before logout the copy works
    client.post("/logout", data={"csrf_token": token})
    logout = events(app, "auth.logout")[-1]
    assert session_row(app, replay(app, cookie)) is None

    read = replay(app, cookie).get(page)
    assert to_login(read), read.status_code
    # The copy still holds its CSRF secret, so the token passes: the session is what is refused.
    followed = replay(app, cookie).post(f"{page}/follow", data={"csrf_token": token})
    assert to_login(followed), followed.status_code
    assert to_login(replay(app, cookie).post("/logout", data={"csrf_token": token}))
    with app.app_context():
        assert db.session.execute(db.select(Follow)).first() is None
    assert events(app, after=logout.id) == []  # no read of the case, no follow, nothing
    assert "case.viewed" not in [e.action for e in events(app, after=logout.id)]


def test_signing_in_again_makes_a_new_session_the_old_copy_stays_dead(app, client, people):
    web_login(client, app, people["legal"].email)
    thief = replay(app, stolen(app, client))
    token = csrf_from(client.get("/").get_data(as_text=True))
    client.post("/logout", data={"csrf_token": token})
    web_login(client, app, people["legal"].email)
    assert client.get("/").status_code == 200
    assert to_login(thief.get("/"))


def test_sign_out_everywhere_ends_every_browser(app, people):
    email = people["legal"].email
    laptop, phone = app.test_client(), app.test_client()
    phone.environ_base["HTTP_USER_AGENT"] = "Phone/1.0"
    web_login(laptop, app, email)
    web_login(phone, app, email)
    page = phone.get("/sessions").get_data(as_text=True)
    assert page.count("<tr>") == 3 and "(this session)" in page and "Phone/1.0" in page
    assert rows_of(app, user_id(app, email)) == 2
    response = phone.post("/sessions/end-all", data={"csrf_token": csrf_from(page)})
    assert to_login(response)
    assert to_login(laptop.get("/")) and to_login(phone.get("/"))
    assert rows_of(app, user_id(app, email)) == 0
    ended = events(app, "auth.logout_everywhere")[-1]
    assert ended.actor == email and ended.details == {"sessions_ended": 2}


def test_an_admin_signs_someone_out_everywhere_and_nobody_else_may(app, people):
    legal, admin, triager = app.test_client(), app.test_client(), app.test_client()
    web_login(legal, app, people["legal"].email)
    web_login(admin, app, people["admin"].email)
    web_login(triager, app, people["triager"].email)

    page = triager.get("/sessions").get_data(as_text=True)
    assert "Sign someone else out everywhere" not in page
    data = {"csrf_token": csrf_from(page), "email": people["legal"].email}
    assert triager.post("/sessions/end-all", data=data).status_code == 403
    refused = events(app, "auth.logout_everywhere")[-1]
    assert refused.outcome == "denied" and refused.actor == people["triager"].email
    assert legal.get("/").status_code == 200

    page = admin.get("/sessions").get_data(as_text=True)
    assert "Sign someone else out everywhere" in page
    data = {"csrf_token": csrf_from(page), "email": people["legal"].email}
    response = admin.post("/sessions/end-all", data=data)
    assert response.status_code == 302 and response.headers["Location"] == "/sessions"
    assert to_login(legal.get("/")) and admin.get("/").status_code == 200
    done = events(app, "auth.logout_everywhere")[-1]
    assert done.outcome == "ok" and done.actor == people["admin"].email
    assert done.object_ref == people["legal"].email
    missing = admin.post("/sessions/end-all", data={**data, "email": "ghost@example.org"})
    assert missing.status_code == 404 and admin.get("/").status_code == 200


def test_the_operator_signs_a_user_out_everywhere(app, people, runner):
    email = people["legal"].email
    browser = app.test_client()
    web_login(browser, app, email)
    result = runner.invoke(["users", "sign-out", email])
    assert result.exit_code == 0, result.output
    assert "signed out everywhere (1 sessions ended)" in result.output
    assert to_login(browser.get("/"))
    assert events(app, "auth.logout_everywhere")[-1].actor == "cli"
    assert runner.invoke(["users", "sign-out", "ghost@example.org"]).exit_code == 1


def test_disabling_and_role_changes_delete_the_rows(app, people, runner):
    email = people["legal"].email
    browser = app.test_client()
    web_login(browser, app, email)
    assert rows_of(app, user_id(app, email)) == 1
    assert runner.invoke(["users", "roles", email, "--role", "executive"]).exit_code == 0
    assert rows_of(app, user_id(app, email)) == 0
    web_login(browser, app, email)
    assert runner.invoke(["users", "disable", email]).exit_code == 0
    assert rows_of(app, user_id(app, email)) == 0 and to_login(browser.get("/"))
