"""Single sign-on against panva's OpenID Certified ``oidc-provider`` (npm), on loopback, in its
default conformant mode: the ID token carries no profile claims, so email, email_verified and
groups come from the UserInfo endpoint only; PKCE is required; the authorization response
carries ``iss`` (RFC 9207); RP-initiated logout is on. tests/oidc_provider/server.mjs starts it.

The app side is the Flask test client; the browser at the provider is a ``requests`` session
that drives the provider's own development interactions (its login form, which accepts any
login name, and its consent prompt) and follows the provider's redirects by hand until the
provider sends it back to the app's callback, which the test client then opens.

Without ``node`` or ``tests/oidc_provider/node_modules`` (``npm ci --prefix tests/oidc_provider``)
the module is skipped, unless INCIDENT_HUB_REQUIRE_OIDC_PROVIDER=1 (CI), which fails it.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import pytest
import requests
from conftest import csrf_from
from sessionrows import session_row, signed_in, user

from incident_hub.audit.models import AuditEvent
from incident_hub.extensions import db

HERE = Path(__file__).resolve().parent / "oidc_provider"
CLIENT_ID, CLIENT_SECRET = "incident-hub-panva", "panva-test-secret"
APP = "http://127.0.0.1:5000"  # BASE_URL of the test app; the client's registered URIs use it
CALLBACK = f"{APP}/login/oidc/callback"
ROLE_MAP = {"ih-executives": "executive", "ih-legal": "lead:legal", "ih-triage": "triager"}
ACCOUNTS = {
    "ada": {
        "email": "ada@example.org",
        "email_verified": True,
        "name": "Ada Lovelace",
        "groups": ["ih-legal", "not-mapped"],
    },
    "grace": {"email": "grace@example.org", "name": "Grace Hopper", "groups": ["ih-triage"]},
}


def _unavailable(reason: str) -> None:
    if os.environ.get("INCIDENT_HUB_REQUIRE_OIDC_PROVIDER") == "1":
        pytest.fail(f"{reason}, and INCIDENT_HUB_REQUIRE_OIDC_PROVIDER=1 requires this test")
    pytest.skip(reason)


@dataclass
class Panva:
    issuer: str
    accounts_file: Path
    log: Path

    def set_account(self, login: str, **claims: object) -> None:
        accounts = json.loads(self.accounts_file.read_text())
        accounts[login] = {**accounts.get(login, {}), **claims}
        self.accounts_file.write_text(json.dumps(accounts))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def panva(tmp_path_factory) -> Iterator[Panva]:
    """The provider, started once for the module (node server.mjs <port> <accounts.json>)."""
    node = shutil.which("node")
    if node is None:
        _unavailable("node is not installed (Debian's nodejs package)")
    if not (HERE / "node_modules" / "oidc-provider").is_dir():
        _unavailable("oidc-provider is not installed: npm ci --prefix tests/oidc_provider")
    folder = tmp_path_factory.mktemp("panva")
    accounts, log = folder / "accounts.json", folder / "provider.log"
    accounts.write_text(json.dumps(ACCOUNTS))
    port = _free_port()
    env = {**os.environ, "APP_BASE_URL": APP, "CLIENT_ID": CLIENT_ID}
    env["CLIENT_SECRET"] = CLIENT_SECRET
    with log.open("w") as out:
        process = subprocess.Popen(  # noqa: S603
            [node, "server.mjs", str(port), str(accounts)],
            cwd=HERE,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    issuer = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                discovery = f"{issuer}/.well-known/openid-configuration"
                if requests.get(discovery, timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"oidc-provider did not start:\n{log.read_text()[-2000:]}")
            time.sleep(0.1)
        yield Panva(issuer, accounts, log)
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def settings(panva):
    def make(**extra: object) -> dict:
        return {
            "OIDC_ISSUER": panva.issuer,
            "OIDC_CLIENT_ID": CLIENT_ID,
            "OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_SCOPES": "openid email profile groups",
            "OIDC_ROLE_MAP": ROLE_MAP,
            **extra,
        }

    return make


@pytest.fixture
def app(make_app, settings):
    return make_app(AUTH=settings())


@pytest.fixture(autouse=True)
def _accounts_as_written(panva):
    """Each test starts with ACCOUNTS as written above (a test may change one)."""
    panva.accounts_file.write_text(json.dumps(ACCOUNTS))


class Forms(HTMLParser):
    """The forms of a provider page: action and fields (hidden inputs, the other inputs'
    names), and the submit buttons tied to a form by ``form="id"`` (its logout page)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self.buttons: list[dict[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append({"id": a.get("id", ""), "action": a.get("action", ""), "fields": {}})
        elif tag == "input" and self.forms and a.get("name"):
            self.forms[-1]["fields"][a["name"]] = a.get("value", "")
        elif tag == "button" and a.get("form") and a.get("name"):
            self.buttons.append(a)


def parse_forms(html: str) -> Forms:
    forms = Forms()
    forms.feed(html)
    return forms


@dataclass
class Browser:
    """The user's browser at the provider; records which provider pages it was shown."""

    http: requests.Session = field(default_factory=requests.Session)
    shown: list[str] = field(default_factory=list)  # "login", "consent", "logout"

    def __post_init__(self) -> None:
        self.http.trust_env = False  # loopback only, never a proxy

    def page(self, answer: requests.Response, login: str) -> requests.Response:
        """Fill in and submit the provider's page: its login form, consent or logout prompt."""
        forms = parse_forms(answer.text)
        assert forms.forms, f"no form on the provider's page:\n{answer.text[:1000]}"
        form = forms.forms[0]
        fields = dict(form["fields"])
        if "login" in fields:
            self.shown.append("login")
            fields.update(login=login, password="any password")  # devInteractions: any
        elif fields.get("prompt") == "consent":
            self.shown.append("consent")
        elif "xsrf" in fields:
            self.shown.append("logout")
            fields.update({b["name"]: b["value"] for b in forms.buttons if b["form"] == form["id"]})
        target = urljoin(answer.url, form["action"])
        return self.http.post(target, data=fields, allow_redirects=False, timeout=10)

    def visit(self, url: str, login: str = "ada", until: str = CALLBACK) -> str:
        """Follow the provider's redirects and pages from ``url`` until one leads to
        ``until`` (an app address); return that address."""
        for _ in range(20):
            if url.startswith(until):
                return url
            assert url.startswith("http://127.0.0.1:") and not url.startswith(APP), url
            answer = self.http.get(url, allow_redirects=False, timeout=10)
            while answer.status_code == 200:
                answer = self.page(answer, login)
            assert answer.status_code in (302, 303), (answer.status_code, answer.text[:500])
            url = urljoin(answer.url, answer.headers["Location"])
        raise AssertionError("the provider never sent the browser back")


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def sign_in(client, browser: Browser, login: str = "ada"):  # noqa: ANN001, ANN201
    """The whole round trip: the app sends the browser to the provider, the user signs in
    there, the provider sends the browser back to the app's callback."""
    start = client.get("/login/oidc")
    assert start.status_code == 302, start.get_data(as_text=True)[:300]
    return client.get(path_of(browser.visit(start.headers["Location"], login)))


def last_login(app) -> AuditEvent:
    with app.app_context():
        query = db.select(AuditEvent).filter_by(action="auth.login").order_by(AuditEvent.id.desc())
        found = db.session.execute(query).scalars().first()
        db.session.expunge_all()
        return found


def test_sign_in_takes_email_and_groups_from_userinfo(app, client, panva):
    browser = Browser()
    response = sign_in(client, browser)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert browser.shown == ["login", "consent"] and signed_in(client)
    ada = user(app, email="ada@example.org")
    assert ada.roles == {"lead"} and ada.functions == {"legal"} and ada.name == "Ada Lovelace"
    assert (ada.oidc_issuer, ada.oidc_subject) == (panva.issuer, "ada")
    row = session_row(app, client)
    assert row.method == "oidc" and row.id_token
    # The ID token really carries no email or groups (the provider's conformant default).
    payload = row.id_token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert claims["sub"] == "ada" and "email" not in claims and "groups" not in claims
    # The provider remembers the user: a second sign-in from that browser asks nothing.
    again = app.test_client()
    assert sign_in(again, browser).status_code == 302 and signed_in(again)
    assert browser.shown == ["login", "consent"]


def test_a_changed_email_at_the_provider_signs_in_the_same_user(app, panva):
    assert sign_in(app.test_client(), Browser()).status_code == 302
    first = user(app, email="ada@example.org")
    panva.set_account("ada", email="ada.byron@example.org")
    client = app.test_client()
    assert sign_in(client, Browser()).status_code == 302 and signed_in(client)
    again = user(app, oidc_subject="ada")
    assert again.id == first.id and again.email == "ada.byron@example.org"
    assert last_login(app).details["email_before"] == "ada@example.org"


def test_a_missing_email_verified_is_refused_unless_configured(app, make_app, settings):
    client = app.test_client()
    response = sign_in(client, Browser(), login="grace")  # grace's claims omit email_verified
    assert response.status_code == 403 and not signed_in(client)
    assert "not verified" in response.get_data(as_text=True)
    assert last_login(app).details["reason"] == "email not verified"
    trusting = make_app(AUTH=settings(OIDC_TRUST_EMAIL_WITHOUT_VERIFIED=True))
    client = trusting.test_client()
    assert sign_in(client, Browser(), login="grace").status_code == 302 and signed_in(client)
    assert user(trusting, email="grace@example.org").roles == {"triager"}


def test_a_wrong_iss_in_the_authorization_response_is_refused(app, client):
    start = client.get("/login/oidc")
    back = urlsplit(Browser().visit(start.headers["Location"]))
    query = {k: v[0] for k, v in parse_qs(back.query).items()}
    assert query["iss"]  # RFC 9207: the provider names itself
    query["iss"] = "http://127.0.0.1:1"  # a mix-up: the answer claims another provider
    response = client.get(f"{back.path}?{urlencode(query)}")
    assert response.status_code == 401 and not signed_in(client)
    assert last_login(app).details["reason"] == "authorization response iss mismatch"


def test_logout_ends_the_session_at_the_provider_too(app, client, panva):
    browser = Browser()
    assert sign_in(client, browser).status_code == 302
    id_token = session_row(app, client).id_token
    token = csrf_from(client.get("/").get_data(as_text=True))
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 302 and not signed_in(client)
    end_session = response.headers["Location"]
    parts = urlsplit(end_session)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{panva.issuer}/session/end"
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query["id_token_hint"] == id_token and query["client_id"] == CLIENT_ID
    assert query["post_logout_redirect_uri"] == f"{APP}/login"
    # The provider asks to confirm, signs out, and sends the browser back to the sign-in page.
    back = browser.visit(end_session, until=f"{APP}/login")
    assert browser.shown[-1] == "logout" and urlsplit(back).path == "/login"
    assert client.get(path_of(back)).status_code == 200
    # Signing in again reaches the provider's login prompt: its session has ended.
    browser.shown.clear()
    assert sign_in(client, browser).status_code == 302 and signed_in(client)
    assert browser.shown[0] == "login"
