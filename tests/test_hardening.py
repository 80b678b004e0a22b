"""The smaller holes of issue 14: no-store on every answer, redirects never built from Host, a
safe triage ``back``, what a refused sign-in records, failed API authentications limited per
address, private SQLite files, ``__Host-`` cookies over https, a refused case's 404 doing the
same work as a missing one's, and re-filing capped per hour."""

from __future__ import annotations

import os
import re
import stat
from datetime import timedelta

import pytest
from conftest import analysis_body, csrf_from, lead_for, open_case, web_login
from sqlalchemy import event

from incident_hub import create_app
from incident_hub.audit.models import AuditEvent
from incident_hub.clock import frozen_at, now
from incident_hub.database import upgrade_database
from incident_hub.extensions import db

EVIL = "evil.example"


def _get_routes(app) -> list[str]:
    """A path for every GET route, its arguments filled with a value that names nothing."""
    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        path = rule.rule
        for argument in rule.arguments:
            path = re.sub(rf"<(\w+:)?{argument}>", "1", path)
        paths.append(path)
    return sorted(set(paths))


def test_every_page_and_api_answer_is_no_store_and_static_files_are_not(app, client, people):
    case = open_case(lambda n: _Api(client, people[n]))
    web_login(client, app, people["admin"].email)
    seen = 0
    for path in _get_routes(app) + [f"/cases/{case['ref']}", f"/api/v1/cases/{case['ref']}"]:
        headers = people["admin"].headers if path.startswith("/api/") else {}
        response = client.get(path, headers=headers)
        assert response.headers.get("Cache-Control") == "no-store", (path, response.status_code)
        seen += 1
    assert seen > 40
    for anonymous in ("/login", "/api/v1/cases", "/no/such/page"):
        assert app.test_client().get(anonymous).headers["Cache-Control"] == "no-store"
    static = client.get("/static/style.css")
    assert static.status_code == 200 and "no-store" not in static.headers.get("Cache-Control", "")


class _Api:
    def __init__(self, client, person):  # noqa: ANN001
        self.client, self.person = client, person

    def post(self, path: str, json=None):  # noqa: ANN001, ANN201
        return self.client.post(f"/api/v1{path}", json=json, headers=self.person.headers)


def _no_evil(response) -> None:  # noqa: ANN001
    assert EVIL not in response.headers.get("Location", ""), response.headers["Location"]
    assert EVIL not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "proxied",
    [False, pytest.param(True, marks=pytest.mark.config(OPS={"PROXY_HOPS": 1}))],
    ids=["direct", "behind-a-proxy"],
)
def test_redirects_and_links_never_come_from_the_host_header(app, people, proxied):
    spoofed = {"Host": EVIL}
    if proxied:  # a proxy that passes on what the client claimed
        spoofed |= {"X-Forwarded-Host": EVIL}
    browser = app.test_client()
    # Sent to sign in (with next=…), and the form and its answers.
    to_login = browser.get("/cases", headers=spoofed)
    assert to_login.status_code == 302 and to_login.headers["Location"].startswith("/login")
    _no_evil(to_login)
    _no_evil(browser.get("/login?next=/cases", headers=spoofed))
    from conftest import set_password

    password = set_password(app, people["triager"].email)
    token = csrf_from(browser.get("/login", headers=spoofed).get_data(as_text=True))
    form = {"email": people["triager"].email, "password": password, "csrf_token": token}
    for target in ("/cases", f"http://{EVIL}/cases", f"//{EVIL}/", "/\\evil.example"):
        signed_in = browser.post(f"/login?next={target}", data=form, headers=spoofed)
        assert signed_in.status_code == 302
        _no_evil(signed_in)
        assert signed_in.headers["Location"].startswith("/")
        assert not signed_in.headers["Location"].startswith("//")
        token = csrf_from(browser.get("/", headers=spoofed).get_data(as_text=True))
        browser.post("/logout", data={"csrf_token": token}, headers=spoofed)
        token = csrf_from(browser.get("/login", headers=spoofed).get_data(as_text=True))
        form["csrf_token"] = token
    # Triage's back, signed in; and logout.
    assert browser.post("/login", data=form, headers=spoofed).status_code == 302
    token = csrf_from(browser.get("/triage", headers=spoofed).get_data(as_text=True))
    back = browser.post(
        "/triage/dismiss",
        data={"csrf_token": token, "back": "/triage?status=new"},
        headers=spoofed,
    )
    assert back.headers["Location"] == "/triage?status=new"
    _no_evil(back)
    for page in ("/", "/triage", "/cases", "/account/tokens", "/account/password"):
        _no_evil(browser.get(page, headers=spoofed))
    out = browser.post("/logout", data={"csrf_token": token}, headers=spoofed)
    assert out.status_code == 302 and out.headers["Location"] == "/login"
    # The single sign-on redirect_uri comes from BASE_URL whatever the Host says.
    from incident_hub.auth import oidc

    with app.test_request_context("/login/oidc", headers=spoofed):
        assert oidc.redirect_uri() == app.config["BASE_URL"] + "/login/oidc/callback"


HOSTILE_BACKS = [
    "/triage\nSet-Cookie: x=1",
    "/triage\r\nLocation: //evil.example",
    "/triage\x00",
    "/triage\u2028",
    "//evil.example/triage",
    "/triage/../\\evil.example",
    "https://evil.example/triage",
]


@pytest.mark.parametrize("back", HOSTILE_BACKS)
def test_a_hostile_triage_back_goes_to_the_queue_never_a_500(app, client, people, back):
    web_login(client, app, people["triager"].email)
    token = csrf_from(client.get("/triage").get_data(as_text=True))
    answer = client.post("/triage/dismiss", data={"csrf_token": token, "back": back})
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/triage"
    assert "Set-Cookie: x" not in str(answer.headers)


def test_a_refused_sign_in_records_the_email_only_when_it_is_one(app, client, people):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    typed = [
        "Legal@Example.org",
        "my secret passphrase",
        "P@ssw0rd!",
        "hunter2@x",
        "x" * 300 + "@example.org",
    ]
    for email in typed:
        answer = client.post(
            "/login", data={"email": email, "password": "wrong one", "csrf_token": token}
        )
        assert answer.status_code == 401
    with app.app_context():
        refs = db.session.execute(
            db.select(AuditEvent.object_ref)
            .where(AuditEvent.action == "auth.login", AuditEvent.outcome == "denied")
            .order_by(AuditEvent.id)
        ).scalars()
        refs = list(refs)
        everything = " ".join(
            str(e.details) + e.object_ref
            for e in db.session.execute(db.select(AuditEvent)).scalars()
        )
    assert refs[0] == "legal@example.org"
    assert all(re.fullmatch(r"hmac-sha256:[0-9a-f]{40}", ref) for ref in refs[1:]), refs
    assert len(set(refs[1:])) == 4
    for secret in ("my secret passphrase", "P@ssw0rd!", "hunter2"):
        assert secret not in everything


@pytest.mark.config(LIMITS={"AUTH_FAILURES": "5 per minute"})
def test_fresh_bogus_tokens_are_limited_per_address(app, client, people):
    answers = [
        client.get("/api/v1/cases", headers={"Authorization": f"Bearer ih_bogus{n}"}).status_code
        for n in range(30)
    ]
    assert answers[:5] == [401] * 5 and set(answers[5:]) == {429}
    limited = client.get("/api/v1/cases", headers=people["legal"].headers)
    assert limited.status_code == 429  # a good token from that address too: no oracle
    assert "too many failed authentications" in limited.get_json()["error"]["message"]
    other = client.get(
        "/api/v1/cases", headers=people["legal"].headers, environ_base={"REMOTE_ADDR": "10.0.0.9"}
    )
    assert other.status_code == 200  # another address has its own budget
    assert client.get("/api/v1/openapi.json").status_code == 200  # the document is public


def test_the_sqlite_database_and_instance_folder_are_private(tmp_path, monkeypatch):
    instance = tmp_path / "fresh" / "instance"
    monkeypatch.setenv("INCIDENT_HUB_INSTANCE_PATH", str(instance))
    old = os.umask(0o022)  # the common default, which makes files 0644
    try:
        app = create_app({"TESTING": True})
        with app.app_context():
            upgrade_database()
            db.engine.dispose()
    finally:
        os.umask(old)
    database = instance / "incident_hub.sqlite3"
    assert stat.S_IMODE(instance.stat().st_mode) == 0o700
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    assert database.stat().st_size > 0  # the real database, migrated
    assert stat.S_IMODE((instance / "secret_key").stat().st_mode) == 0o600


@pytest.mark.parametrize(
    ("base", "name", "secure"),
    [
        pytest.param("https://hub.example.org", "__Host-session", True,
                     marks=pytest.mark.config(BASE_URL="https://hub.example.org")),
        pytest.param("http://127.0.0.1:5000", "session", False,
                     marks=pytest.mark.config(BASE_URL="http://127.0.0.1:5000")),
    ],
)  # fmt: skip
def test_the_session_cookie_has_the_host_prefix_over_https(app, people, base, name, secure):
    from conftest import set_password

    password = set_password(app, people["legal"].email)
    browser = app.test_client()
    token = csrf_from(browser.get("/login", base_url=base).get_data(as_text=True))
    answer = browser.post(
        "/login",
        data={"email": people["legal"].email, "password": password, "csrf_token": token},
        base_url=base,
        headers={"Referer": f"{base}/login"},  # flask-wtf checks it over https
    )
    assert answer.status_code == 302
    [cookie] = answer.headers.getlist("Set-Cookie")
    assert cookie.startswith(f"{name}=")
    attributes = [a.strip().lower() for a in cookie.split(";")[1:]]
    assert "path=/" in attributes and not any(a.startswith("domain=") for a in attributes)
    assert ("secure" in attributes) is secure
    assert "httponly" in attributes


class _Statements:
    def __init__(self, engine) -> None:  # noqa: ANN001
        self.engine, self.sql = engine, []

    def _record(self, _conn, _cursor, statement, *_rest) -> None:  # noqa: ANN001, ANN002
        self.sql.append(re.sub(r"\s+", " ", statement).strip())

    def __enter__(self) -> _Statements:
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *_exc) -> None:  # noqa: ANN002
        event.remove(self.engine, "before_cursor_execute", self._record)


def test_a_restricted_cases_404_does_the_same_work_as_a_missing_ones(app, api, client, people):
    """Deterministic stand-in for timing: both refusals run the same SQL statements, in the
    same order (bench/refusal_bench.py measures the medians)."""
    opened = api("admin").post(
        "/cases",
        json={"title": "A secret order", "playbook": "content-takedown", "jurisdiction": "TR",
              "restricted": True},
    )  # fmt: skip
    secret = opened.get_json()["ref"]
    with app.app_context():
        engine = db.engine
    for who in ("outsider", "triager"):
        web = app.test_client()
        web_login(web, app, people[who].email)
        for path in (f"/cases/{secret}", "/cases/INC-2999-9999"):
            web.get(path)  # warm-up (and the token's last use, noted once a minute)
            api(who).get(path)
        runs = {}
        for name, ref in (("restricted", secret), ("missing", "INC-2999-9999")):
            with _Statements(engine) as api_seen:
                answer = api(who).get(f"/cases/{ref}")
            assert answer.status_code == 404
            with _Statements(engine) as web_seen:
                page = web.get(f"/cases/{ref}")
            assert page.status_code == 404
            runs[name] = (api_seen.sql, web_seen.sql, answer.get_json(), page.get_data())
        restricted, missing = runs["restricted"], runs["missing"]
        assert restricted[0] == missing[0], who  # API: the same statements
        assert restricted[1] == missing[1], who  # web page: the same statements
        assert restricted[2]["error"]["message"].replace(secret, "X") == missing[2]["error"][
            "message"
        ].replace("INC-2999-9999", "X")
    with app.app_context():
        events = db.session.execute(
            db.select(AuditEvent.action, AuditEvent.outcome).where(
                AuditEvent.action.in_(["case.viewed", "case.not_found"])
            )
        ).all()
    assert ("case.viewed", "denied") in events and ("case.not_found", "denied") in events


@pytest.mark.config(LIMITS={"REFILE_PER_HOUR": 2})
def test_refiling_is_capped_per_hour_and_history_stays_collapsed(app, api, client, people):
    case = open_case(api)
    lead = lead_for("legal")
    body = analysis_body(app, case, "legal")
    url = f"/cases/{case['ref']}/analyses"
    answers = []
    for n in range(4):
        body["analysis"] = f"version {n + 1} of the legal view"
        answers.append(api(lead).post(url, json=body))
    assert [a.status_code for a in answers] == [201, 201, 201, 429]
    refusal = answers[3].get_json()["error"]
    assert "re-filed 2 times" in refusal["message"] and "REFILE_PER_HOUR" in refusal["message"]
    # Another function is not held back by legal's re-filings.
    other = analysis_body(app, case, "human-rights")
    assert api(lead_for("human-rights")).post(url, json=other).status_code == 201

    web_login(client, app, people[lead].email)
    form_url = f"/cases/{case['ref']}/analysis/legal"
    page = client.get(form_url)
    assert page.status_code == 200, page.status_code
    form = {"analysis": "a fourth try", "csrf_token": csrf_from(page.get_data(as_text=True))}
    form["recommendation"] = body["recommendation"]
    form.update({f"answer-{k}": v for k, v in body["answers"].items()})
    refused = client.post(form_url, data=form)
    assert refused.status_code == 429 and "REFILE_PER_HOUR" in refused.get_data(as_text=True)

    detail = client.get(f"/cases/{case['ref']}").get_data(as_text=True)
    assert "version 3 of the legal view" in detail
    earlier = detail[detail.index("<details><summary>Earlier versions (2)") :]
    assert "version 1 of the legal view" in earlier.split("</details>")[0]

    with frozen_at(now() + timedelta(hours=1, minutes=1)):
        body["analysis"] = "an hour later"
        assert api(lead).post(url, json=body).status_code == 201
