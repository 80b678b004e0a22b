"""Eight people signing in at the same moment, four times over, through a real HTTP server.

The app is served by werkzeug on 127.0.0.1 with a thread per request (as ``flask run`` does);
each person has their own httpx client, fetches the login page for its CSRF token and session
cookie, then all eight post the form together (a barrier releases them at once). On SQLite the
audit chain's head can be read by two sign-ins before either holds the write lock: a sign-in that
loses that race must be retried, not answered with a 500. Every sign-in must land in the app
(302 away from /login) with exactly one ``auth.login`` event, and the chain must verify.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
from conftest import CLI, csrf_from
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from incident_hub.audit import service as audit
from incident_hub.audit.models import AuditEvent
from incident_hub.auth.models import User
from incident_hub.auth.service import create_user
from incident_hub.extensions import db

PEOPLE, ROUNDS = 8, 4
PASSWORD = "correct horse battery"  # noqa: S105 (a test account's password)


def _accounts(app) -> list[str]:
    emails = [f"person{n}@example.org" for n in range(PEOPLE)]
    with app.app_context():
        for email in emails:
            create_user(CLI, email=email, name=email.split("@")[0], roles=["triager"])
        for user in db.session.execute(select(User)).scalars():
            user.password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
        db.session.commit()
    return emails


def _sign_in(base: str, email: str, start: threading.Barrier) -> tuple[int, str]:
    """One person's sign-in: the login page, then (with everyone else) the form post."""
    with httpx.Client(base_url=base, timeout=30) as browser:
        token = csrf_from(browser.get("/login").text)
        start.wait(timeout=30)
        answer = browser.post(
            "/login", data={"email": email, "password": PASSWORD, "csrf_token": token}
        )
        return answer.status_code, answer.headers.get("location", answer.text[:200])


def test_eight_people_signing_in_at_once_all_get_in(app, live_server):  # browser_kit's
    server = live_server  # the app on a free loopback port, one thread per request
    emails = _accounts(app)
    answers = []
    with ThreadPoolExecutor(PEOPLE) as pool:
        for _round in range(ROUNDS):
            start = threading.Barrier(PEOPLE)
            answers += list(pool.map(_sign_in, [server] * PEOPLE, emails, [start] * PEOPLE))
    failed = [a for a in answers if a[0] != 302 or "/login" in a[1]]
    assert not failed, f"{len(failed)}/{len(answers)} sign-ins failed: {failed[:3]}"
    with app.app_context():
        logins = db.session.execute(
            select(AuditEvent.object_ref, func.count())
            .where(AuditEvent.action == "auth.login", AuditEvent.outcome == "ok")
            .group_by(AuditEvent.object_ref)
        ).all()
        assert dict(logins) == dict.fromkeys(emails, ROUNDS)
        assert audit.verify().ok
