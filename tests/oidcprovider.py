"""A tiny OpenID Connect provider on 127.0.0.1 for tests (no internet).

It serves discovery (``/.well-known/openid-configuration``), its signing key (``/jwks``), an
``/authorize`` endpoint that approves at once for the scripted user (redirecting back with code,
state and, as RFC 9207 says, ``iss``), a ``/token`` endpoint that checks the client secret, the
code, the redirect URI and the PKCE verifier, then returns an RS256 ID token with iss, aud, sub,
email, email_verified, nonce, groups, auth_time, iat and exp, and a ``/userinfo`` endpoint that
answers the access token with the user's claims. Tests script who signs in (``user``) and how
the next answers go wrong (``tamper``: claim overrides for the ID token and the same profile
claims in UserInfo, a ``None`` value drops the claim; ``userinfo_tamper``: UserInfo only;
``sign_with_other_key``; ``iss_param``: the ``iss`` sent back, ``None`` for none). The RSA keys
are generated once per test session with ``cryptography``.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

CLIENT_ID = "incident-hub-test"
CLIENT_SECRET = "provider-test-secret"
KID = "test-key-1"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _int_b64(value: int) -> str:
    return b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))


@functools.cache
def signing_key(which: str = "provider") -> rsa.RSAPrivateKey:
    """An RSA key made once per test session (``"other"``: a key the provider never publishes)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def sign_rs256(claims: dict[str, Any], key: rsa.RSAPrivateKey, kid: str = KID) -> str:
    header = {"alg": "RS256", "typ": "JWT", "kid": kid}
    head = b64url(json.dumps(header, separators=(",", ":")).encode())
    body = b64url(json.dumps(claims, separators=(",", ":")).encode())
    signature = key.sign(f"{head}.{body}".encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{head}.{body}.{b64url(signature)}"


@dataclass
class Provider:
    """Scripted state of the provider; ``base`` is set when it starts."""

    base: str = ""
    user: dict[str, Any] = field(
        default_factory=lambda: {
            "sub": "sso-ada-0001",
            "email": "ada@example.org",
            "email_verified": True,
            "name": "Ada Lovelace",
            "groups": ["ih-executives"],
        }
    )
    tamper: dict[str, Any] = field(default_factory=dict)
    sign_with_other_key: bool = False
    deny: str | None = None  # an OAuth error to answer /authorize with (e.g. access_denied)
    auth_time_offset: int = 0  # seconds added to "now" for auth_time (negative: an old sign-in)
    userinfo_tamper: dict[str, Any] = field(default_factory=dict)
    iss_param: str | None = ""  # "": the issuer; None: no iss parameter; else this value
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    access_tokens: dict[str, dict[str, Any]] = field(default_factory=dict)
    userinfo_requests: int = 0
    end_session: bool = False  # announce an end_session_endpoint (RP-initiated logout)
    id_tokens: list[str] = field(default_factory=list)  # every ID token issued, in order
    authorize_requests: list[dict[str, str]] = field(default_factory=list)
    token_requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def issuer(self) -> str:
        return self.base

    def settings(self, role_map: dict[str, str], **extra: Any) -> dict[str, Any]:
        """The app's [AUTH] settings for signing in through this provider."""
        return {
            "OIDC_ISSUER": self.issuer,
            "OIDC_CLIENT_ID": CLIENT_ID,
            "OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_ROLE_MAP": role_map,
            **extra,
        }

    def metadata(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.base}/authorize",
            "token_endpoint": f"{self.base}/token",
            "jwks_uri": f"{self.base}/jwks",
            "userinfo_endpoint": f"{self.base}/userinfo",
            "authorization_response_iss_parameter_supported": True,
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
            "scopes_supported": ["openid", "email", "profile"],
        } | ({"end_session_endpoint": f"{self.base}/session/end"} if self.end_session else {})

    def jwks(self) -> dict[str, Any]:
        public = signing_key().public_key().public_numbers()
        jwk = {"kty": "RSA", "use": "sig", "alg": "RS256", "kid": KID}
        return {"keys": [jwk | {"n": _int_b64(public.n), "e": _int_b64(public.e)}]}

    def authorize(self, params: dict[str, str]) -> tuple[int, dict[str, str]]:
        """Approve at once: redirect back with a fresh code (or the scripted error)."""
        self.authorize_requests.append(params)
        redirect_uri = params.get("redirect_uri", "")
        if params.get("client_id") != CLIENT_ID or not redirect_uri:
            return 400, {}
        if params.get("response_type") != "code" or params.get("code_challenge_method") != "S256":
            return 400, {}
        iss = self.issuer if self.iss_param == "" else self.iss_param
        if self.deny:  # RFC 9207: error responses carry iss too
            query = {"error": self.deny, "state": params.get("state", "")}
            query |= {"iss": iss} if iss is not None else {}
            return 302, {"Location": f"{redirect_uri}?{urlencode(query)}"}
        code = secrets.token_urlsafe(16)
        with self.lock:
            self.codes[code] = {
                "redirect_uri": redirect_uri,
                "nonce": params.get("nonce"),
                "challenge": params.get("code_challenge", ""),
                "user": dict(self.user),
            }
        query = {"code": code, "state": params.get("state", "")}
        query |= {"iss": iss} if iss is not None else {}
        return 302, {"Location": f"{redirect_uri}?{urlencode(query)}"}

    def token(self, form: dict[str, str], authorization: str) -> tuple[int, dict[str, Any]]:
        """Exchange a code: client secret (basic), redirect URI and PKCE verifier must match."""
        self.token_requests += 1
        expected = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if authorization != expected:
            return 401, {"error": "invalid_client"}
        with self.lock:
            grant = self.codes.pop(form.get("code", ""), None)  # single use
        if grant is None or form.get("grant_type") != "authorization_code":
            return 400, {"error": "invalid_grant"}
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return 400, {"error": "invalid_grant", "error_description": "redirect_uri"}
        verifier = form.get("code_verifier", "")
        if b64url(hashlib.sha256(verifier.encode()).digest()) != grant["challenge"]:
            return 400, {"error": "invalid_grant", "error_description": "PKCE"}
        access_token = secrets.token_urlsafe(24)
        with self.lock:
            self.access_tokens[access_token] = grant["user"]
        return 200, {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": self.id_token(grant),
        }

    def id_token(self, grant: dict[str, Any]) -> str:
        stamp = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "iat": stamp,
            "exp": stamp + 300,
            "auth_time": stamp + self.auth_time_offset,
            "nonce": grant["nonce"],
            **grant["user"],
        }
        for name, value in self.tamper.items():
            if value is None:
                claims.pop(name, None)
            else:
                claims[name] = value
        key = signing_key("other") if self.sign_with_other_key else signing_key()
        token = sign_rs256(claims, key)
        self.id_tokens.append(token)
        return token

    def userinfo(self, authorization: str) -> tuple[int, dict[str, Any]]:
        """The claims of the access token's user: ``tamper`` changes those the user has (so a
        claim dropped from the ID token is dropped here too), then ``userinfo_tamper``."""
        self.userinfo_requests += 1
        with self.lock:
            user = self.access_tokens.get(authorization.removeprefix("Bearer "))
        if user is None:
            return 401, {"error": "invalid_token"}
        claims = dict(user)
        changes = {k: v for k, v in self.tamper.items() if k in user} | self.userinfo_tamper
        for name, value in changes.items():
            if value is None:
                claims.pop(name, None)
            else:
                claims[name] = value
        return 200, claims


def start(state: Provider) -> tuple[ThreadingHTTPServer, threading.Thread]:
    """Serve ``state`` on 127.0.0.1 (a free port) in a daemon thread."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _send(self, status: int, body: dict[str, Any], headers: dict[str, str]) -> None:
            data = json.dumps(body).encode() if body else b""
            self.send_response(status)
            if data:
                self.send_header("Content-Type", "application/json")
                self.send_header("Cache-Control", "no-store")
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # noqa: N802
            parts = urlsplit(self.path)
            params = {k: v[0] for k, v in parse_qs(parts.query).items()}
            if parts.path == "/.well-known/openid-configuration":
                self._send(200, state.metadata(), {})
            elif parts.path == "/jwks":
                self._send(200, state.jwks(), {})
            elif parts.path == "/userinfo":
                status, body = state.userinfo(self.headers.get("Authorization", ""))
                self._send(status, body, {})
            elif parts.path == "/authorize":
                status, headers = state.authorize(params)
                self._send(status, {} if status == 302 else {"error": "invalid_request"}, headers)
            else:
                self._send(404, {"error": "not_found"}, {})

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if urlsplit(self.path).path != "/token":
                self._send(404, {"error": "not_found"}, {})
                return
            status, body = state.token(form, self.headers.get("Authorization", ""))
            self._send(status, body, {})

        def log_message(self, format: str, *args) -> None:  # noqa: A002, ANN002
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    return httpd, thread


def callback_url(response, base_url: str = "http://127.0.0.1:5000") -> str:  # noqa: ANN001
    """Play the browser: follow the app's redirect to the provider's /authorize (real HTTP on
    loopback) and return the path and query the provider sends the browser back to."""
    import httpx

    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    with httpx.Client(trust_env=False, follow_redirects=False, timeout=5) as http:
        answer = http.get(response.headers["Location"])
    assert answer.status_code == 302, answer.text[:300]
    back = urlsplit(answer.headers["location"])
    assert f"{back.scheme}://{back.netloc}{back.path}" == f"{base_url}/login/oidc/callback"
    return f"{back.path}?{back.query}"


def through_provider(client, response):  # noqa: ANN001, ANN201
    """The whole round trip: to the provider and back into the Flask test client."""
    return client.get(callback_url(response))
