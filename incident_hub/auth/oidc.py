"""OpenID Connect single sign-on, through authlib's Flask client.

Flow: ``begin`` redirects to the provider's authorization endpoint with state, nonce and a PKCE
(S256) challenge, all kept in the signed session by authlib; ``finish`` exchanges the code at the
token endpoint and validates the ID token: signature against the provider's JWKS (RS256 and the
other algorithms the provider announces; never ``none``), issuer, audience, expiry, issue time
and nonce. What the user may do then comes from the groups claim through ``OIDC_ROLE_MAP``.

Each app gets its own :class:`OAuth` registry (``app.extensions["incident_hub.oidc"]``), so
several apps in one process (tests, workers) never share provider metadata or keys.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app, session
from joserfc.errors import JoseError
from werkzeug.wrappers import Response

from .. import vocabulary
from ..config import ConfigError

log = logging.getLogger(__name__)
EXTENSION = "incident_hub.oidc"
FLOW = "_ih_oidc_flow"  # session key: where to go afterwards, and whether this is a re-auth
PLAIN_ROLES = tuple(r for r in vocabulary.ROLES if r != vocabulary.Role.LEAD)  # lead: lead:<fn>
HTTP_TIMEOUT_S = 10
LEEWAY_S = 60  # clock skew allowed on exp/iat
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


class SsoError(Exception):
    """Single sign-on did not produce a trustworthy identity; ``message`` is for the user,
    ``reason`` for the audit trail."""

    def __init__(self, status: int, message: str, reason: str):
        super().__init__(message)
        self.status, self.message, self.reason = status, message, reason


@dataclass
class Identity:
    """What a validated ID token says about the user, plus where the flow was going."""

    subject: str
    email: str
    name: str
    groups: list[str]
    next_url: str
    reauth_user_id: int | None
    auth_time: float | None
    started_at: float


def _cfg(app: Flask | None = None) -> dict[str, Any]:
    return (app or current_app).config["AUTH"]


def enabled() -> bool:
    """Whether single sign-on is configured for this app."""
    return EXTENSION in current_app.extensions


def validate_config(app: Flask) -> None:
    """Refuse to start on an [AUTH] section that cannot work (raises ConfigError)."""
    cfg = _cfg(app)
    for key in ("SESSION_IDLE_MIN", "SESSION_MAX_HOURS", "REAUTH_FOR_DECISION_MIN"):
        if cfg[key] < 1:
            raise ConfigError(f"AUTH.{key} must be at least 1, got {cfg[key]!r}")
    issuer = cfg["OIDC_ISSUER"].strip()
    if not issuer:
        if not cfg["LOCAL_LOGIN"]:
            raise ConfigError(
                "AUTH.LOCAL_LOGIN is false and AUTH.OIDC_ISSUER is empty: nobody could sign in"
            )
        return
    parts = urlsplit(issuer)
    loopback = parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS
    if not (parts.scheme == "https" or loopback) or not parts.hostname:
        raise ConfigError(f"AUTH.OIDC_ISSUER must be an https:// address, got {issuer!r}")
    if not cfg["OIDC_CLIENT_ID"]:
        raise ConfigError("AUTH.OIDC_CLIENT_ID is required when AUTH.OIDC_ISSUER is set")
    if "openid" not in cfg["OIDC_SCOPES"].split():
        raise ConfigError("AUTH.OIDC_SCOPES must include openid")
    if not cfg["OIDC_ROLES_CLAIM"]:
        raise ConfigError("AUTH.OIDC_ROLES_CLAIM must name the claim that lists groups")
    functions = app.extensions["incident_hub.playbooks"].functions
    for group, target in cfg["OIDC_ROLE_MAP"].items():
        if not isinstance(target, str):
            raise ConfigError(f"AUTH.OIDC_ROLE_MAP.{group} must be a string, got {target!r}")
        role, _, function = target.partition(":")
        if target in PLAIN_ROLES or (role == "lead" and function in functions):
            continue
        raise ConfigError(
            f"AUTH.OIDC_ROLE_MAP.{group}: {target!r} is not one of "
            f"{', '.join(PLAIN_ROLES)} or lead:<function> (functions: {', '.join(functions)})"
        )


def init_app(app: Flask) -> None:
    """Validate [AUTH] and, when OIDC_ISSUER is set, register the provider with authlib."""
    validate_config(app)
    cfg = _cfg(app)
    if not cfg["OIDC_ISSUER"].strip():
        return
    oauth = OAuth(app)
    oauth.register(
        "oidc",
        client_id=cfg["OIDC_CLIENT_ID"],
        client_secret=cfg["OIDC_CLIENT_SECRET"] or None,
        server_metadata_url=cfg["OIDC_ISSUER"].strip().rstrip("/")
        + "/.well-known/openid-configuration",
        client_kwargs={
            "scope": cfg["OIDC_SCOPES"],
            "code_challenge_method": "S256",
            "default_timeout": HTTP_TIMEOUT_S,
        },
    )
    app.extensions[EXTENSION] = oauth


def _client():  # noqa: ANN202  (authlib's FlaskOAuth2App)
    return current_app.extensions[EXTENSION].create_client("oidc")


def _metadata() -> dict[str, Any]:
    """The provider's discovery document, checked to be the configured issuer's."""
    try:
        metadata = _client().load_server_metadata()
    except (requests.RequestException, ValueError, TypeError, KeyError) as exc:
        log.warning("OIDC discovery failed: %s", exc)
        raise SsoError(
            502,
            "The single sign-on provider cannot be reached right now; try again later.",
            "provider unreachable",
        ) from None
    expected = _cfg()["OIDC_ISSUER"].strip().rstrip("/")
    if not isinstance(metadata.get("issuer"), str) or metadata["issuer"].rstrip("/") != expected:
        raise SsoError(
            502,
            "Single sign-on is misconfigured (the provider names another issuer).",
            "discovery issuer mismatch",
        )
    return metadata


def redirect_uri() -> str:
    """Where the provider sends the browser back: <BASE_URL>/login/oidc/callback."""
    return current_app.config["BASE_URL"].rstrip("/") + "/login/oidc/callback"


def begin(next_url: str, reauth_user_id: int | None = None) -> Response:
    """Redirect to the provider. A re-authentication asks it to prompt for sign-in again."""
    _metadata()
    session[FLOW] = {"next": next_url, "reauth": reauth_user_id, "started": time.time()}
    extra = {"prompt": "login"} if reauth_user_id is not None else {}
    try:
        return _client().authorize_redirect(redirect_uri(), **extra)
    except (RuntimeError, ValueError) as exc:  # e.g. discovery without authorization_endpoint
        log.warning("OIDC authorization request failed: %s", exc)
        raise SsoError(
            502, "Single sign-on is misconfigured; ask an administrator.", "bad discovery"
        ) from None


def _validated_token() -> dict[str, Any]:
    """Exchange the code and validate the ID token; any fault is an SsoError, never a 500."""
    metadata = _metadata()
    cfg = _cfg()
    options = {
        "iss": {"essential": True, "value": metadata["issuer"]},
        "aud": {"essential": True, "value": cfg["OIDC_CLIENT_ID"]},
        "sub": {"essential": True},
        "exp": {"essential": True},
        "iat": {"essential": True},
    }
    failed = "Single sign-on failed: the provider's answer could not be verified."
    try:
        token = _client().authorize_access_token(claims_options=options, leeway=LEEWAY_S)
    except AuthlibBaseError as exc:  # authlib's own: state, provider errors, transport
        if exc.error == "mismatching_state":
            raise SsoError(
                401, "This sign-in link has expired or was already used; start again.", exc.error
            ) from None
        raise SsoError(
            401, "The single sign-on provider did not sign you in.", f"provider: {exc.error}"
        ) from None
    except JoseError as exc:
        raise SsoError(401, failed, f"id token: {exc.error}: {exc.description}"[:200]) from None
    except requests.RequestException as exc:
        log.warning("OIDC token request failed: %s", exc)
        raise SsoError(
            502, "The single sign-on provider cannot be reached right now.", "token request failed"
        ) from None
    except (ValueError, KeyError, TypeError, RuntimeError) as exc:
        log.warning("OIDC answer malformed: %r", exc)
        raise SsoError(401, failed, "malformed provider answer") from None
    if not isinstance(token.get("userinfo"), dict):
        raise SsoError(401, failed, "no id token")
    return token["userinfo"]


def finish() -> Identity:
    """Complete the flow started by :func:`begin`; return the validated identity."""
    flow = session.pop(FLOW, None)
    if not isinstance(flow, dict):
        raise SsoError(
            401, "This sign-in link has expired or was already used; start again.", "no flow"
        )
    claims = dict(_validated_token())
    email = claims.get("email")
    if not isinstance(email, str) or not email.strip():
        raise SsoError(403, "Your single sign-on account has no email address.", "no email")
    if claims.get("email_verified") not in (True, "true"):
        raise SsoError(
            403,
            "Your single sign-on account's email address is not verified.",
            "email not verified",
        )
    raw_groups = claims.get(_cfg()["OIDC_ROLES_CLAIM"]) or []
    if isinstance(raw_groups, str):
        raw_groups = [raw_groups]
    groups = [g for g in raw_groups if isinstance(g, str)] if isinstance(raw_groups, list) else []
    name = next(
        (
            str(claims[k]).strip()
            for k in ("name", "preferred_username")
            if isinstance(claims.get(k), str) and claims[k].strip()
        ),
        email.split("@")[0],
    )
    auth_time = claims.get("auth_time")
    return Identity(
        subject=str(claims["sub"]),
        email=email.strip().lower(),
        name=name[:200],
        groups=groups,
        next_url=str(flow.get("next") or "/"),
        reauth_user_id=flow.get("reauth") if isinstance(flow.get("reauth"), int) else None,
        auth_time=auth_time if isinstance(auth_time, int | float) else None,
        started_at=float(flow.get("started") or 0),
    )


def prompted_again(identity: Identity) -> bool:
    """For a re-authentication: the provider really asked the user again (``auth_time`` after
    the request, compared on the provider's clock with the leeway); no ``auth_time``: trusted."""
    if identity.auth_time is None:
        return True
    return identity.auth_time >= identity.started_at - LEEWAY_S


def map_groups(groups: list[str]) -> tuple[list[str], list[str]]:
    """Roles and led functions from the provider's groups through ``OIDC_ROLE_MAP``."""
    role_map = _cfg()["OIDC_ROLE_MAP"]
    roles: list[str] = []
    functions: list[str] = []
    for group in groups:
        target = role_map.get(group)
        if not isinstance(target, str):
            continue
        role, _, function = target.partition(":")
        if role == "lead" and function:
            roles.append("lead")
            functions.append(function)
        elif target in PLAIN_ROLES:
            roles.append(target)
    return list(dict.fromkeys(roles)), list(dict.fromkeys(functions))
