"""OpenID Connect single sign-on, through authlib's Flask client.

Flow: ``begin`` redirects to the provider's authorization endpoint with state, nonce and a PKCE
(S256) challenge, all kept in the signed session by authlib; ``finish`` checks the ``iss``
parameter of the authorization response (RFC 9207: required when the provider announces it,
checked whenever present), exchanges the code at the token endpoint and validates the ID token:
signature against the provider's JWKS (RS256 and the other algorithms the provider announces;
never ``none``), issuer, audience, expiry, issue time and nonce. It then fetches the UserInfo
endpoint (when the provider has one) with the access token and merges its claims over the ID
token's: a conformant provider puts email and groups there only. UserInfo's ``sub`` must be the
ID token's. The email must be verified (``email_verified`` true; a provider that omits the claim
is accepted only with ``OIDC_TRUST_EMAIL_WITHOUT_VERIFIED``). What the user may do then comes
from the groups claim through ``OIDC_ROLE_MAP``. Signing out of a single sign-on session also
signs out at the provider (RP-initiated logout, :func:`logout_url`).

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
from flask import Flask, current_app, request, session
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
# Claims only the ID token speaks for: UserInfo may not change them.
ID_TOKEN_ONLY = frozenset({"iss", "aud", "exp", "iat", "nbf", "nonce", "auth_time", "azp", "sid"})


class SsoError(Exception):
    """Single sign-on did not produce a trustworthy identity; ``message`` is for the user,
    ``reason`` for the audit trail."""

    def __init__(self, status: int, message: str, reason: str):
        super().__init__(message)
        self.status, self.message, self.reason = status, message, reason


@dataclass
class Identity:
    """What the validated ID token and UserInfo say about the user, plus where the flow was
    going; ``id_token`` is the raw token, kept on the session row for RP-initiated logout."""

    issuer: str
    subject: str
    email: str
    name: str
    groups: list[str]
    next_url: str
    reauth_user_id: int | None
    auth_time: float | None
    started_at: float
    id_token: str | None


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


def _check_response_issuer(metadata: dict[str, Any]) -> None:
    """RFC 9207: the authorization response's ``iss`` names the provider that answered, so an
    answer from another provider (a mix-up attack) is refused before the code is used."""
    given = request.args.get("iss")
    if given is None:
        if metadata.get("authorization_response_iss_parameter_supported") is True:
            raise SsoError(
                401,
                "Single sign-on failed: the provider's answer did not say who sent it.",
                "authorization response without iss",
            )
        return
    if given.rstrip("/") != str(metadata["issuer"]).rstrip("/"):
        raise SsoError(
            401,
            "Single sign-on failed: the answer came from another provider.",
            "authorization response iss mismatch",
        )


def _validated_token(metadata: dict[str, Any]) -> dict[str, Any]:
    """Exchange the code and validate the ID token; any fault is an SsoError, never a 500.
    Returns authlib's token: ``access_token``, ``id_token`` and the ID token's claims as
    ``userinfo``."""
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
    return token


def _userinfo(metadata: dict[str, Any], token: dict[str, Any], subject: str) -> dict[str, Any]:
    """The UserInfo endpoint's claims for ``token`` (none when the provider has no endpoint);
    they must be about the ID token's subject (OpenID Connect Core 5.3.2)."""
    if not metadata.get("userinfo_endpoint"):
        return {}
    try:
        claims = dict(_client().userinfo(token=token))
    except requests.HTTPError as exc:
        status = exc.response.status_code if exc.response is not None else "?"
        raise SsoError(
            401, "The single sign-on provider did not give your details.", f"userinfo: {status}"
        ) from None
    except requests.RequestException as exc:
        log.warning("OIDC UserInfo request failed: %s", exc)
        raise SsoError(
            502, "The single sign-on provider cannot be reached right now.", "userinfo failed"
        ) from None
    except (ValueError, TypeError, KeyError, AuthlibBaseError) as exc:
        log.warning("OIDC UserInfo answer malformed: %r", exc)
        raise SsoError(
            401, "The single sign-on provider did not give your details.", "userinfo malformed"
        ) from None
    if str(claims.get("sub")) != subject:
        raise SsoError(
            401,
            "Single sign-on failed: the provider's details are about another account.",
            "userinfo sub mismatch",
        )
    return claims


def _email_verified(claims: dict[str, Any]) -> bool:
    """``email_verified`` is true; or absent, and the config trusts such a provider's email."""
    if "email_verified" not in claims:
        return bool(_cfg()["OIDC_TRUST_EMAIL_WITHOUT_VERIFIED"])
    return claims["email_verified"] in (True, "true")


def finish() -> Identity:
    """Complete the flow started by :func:`begin`; return the validated identity."""
    flow = session.pop(FLOW, None)
    if not isinstance(flow, dict):
        raise SsoError(
            401, "This sign-in link has expired or was already used; start again.", "no flow"
        )
    metadata = _metadata()
    _check_response_issuer(metadata)
    token = _validated_token(metadata)
    claims = dict(token["userinfo"])
    subject = str(claims["sub"])
    extra = _userinfo(metadata, token, subject)
    claims |= {k: v for k, v in extra.items() if k not in ID_TOKEN_ONLY}
    email = claims.get("email")
    if not isinstance(email, str) or not email.strip():
        raise SsoError(403, "Your single sign-on account has no email address.", "no email")
    if not _email_verified(claims):
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
    id_token = token.get("id_token")
    return Identity(
        issuer=str(metadata["issuer"]),
        subject=subject,
        email=email.strip().lower(),
        name=name[:200],
        groups=groups,
        next_url=str(flow.get("next") or "/"),
        reauth_user_id=flow.get("reauth") if isinstance(flow.get("reauth"), int) else None,
        auth_time=auth_time if isinstance(auth_time, int | float) else None,
        started_at=float(flow.get("started") or 0),
        id_token=id_token if isinstance(id_token, str) else None,
    )


def logout_url(id_token: str | None) -> str | None:
    """Where to send the browser to sign out at the provider too (RP-initiated logout): its
    ``end_session_endpoint`` with ``id_token_hint``, ``client_id`` and, to come back to the
    sign-in page, ``post_logout_redirect_uri`` (from BASE_URL, never the request's Host).
    None when the provider has no such endpoint or cannot be reached."""
    try:
        metadata = _metadata()
    except SsoError:
        return None
    if not metadata.get("end_session_endpoint"):
        return None
    back = current_app.config["BASE_URL"].rstrip("/") + "/login"
    extra = {"client_id": _cfg()["OIDC_CLIENT_ID"]}
    try:
        result = _client().create_logout_url(
            post_logout_redirect_uri=back, id_token_hint=id_token, **extra
        )
    except (RuntimeError, ValueError) as exc:
        log.warning("OIDC logout URL failed: %s", exc)
        return None
    return str(result["url"])


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
