"""What each sign-in action takes: the typed inputs the web views build (see :mod:`..schemas`)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, ConfigDict

from ..schemas import Input


def _clipped(max_len: int) -> Any:
    """Text cut to ``max_len`` rather than refused: a sign-in with an over-long value is a wrong
    credential (401, the same answer as any other), never a validation error that would tell
    an attacker which field failed."""

    def clip(value: Any) -> str:
        return value[:max_len] if isinstance(value, str) else ""

    return Annotated[str, BeforeValidator(clip)]


class PasswordSignIn(Input):
    """Sign in with an email address and a password."""

    # A password is taken as typed: spaces at either end are part of it.
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=False, frozen=True)

    email: _clipped(254) = ""  # type: ignore[valid-type]
    password: _clipped(1000) = ""  # type: ignore[valid-type]


class PasswordReauth(Input):
    """Confirm the signed-in user's password before a sensitive action."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=False, frozen=True)

    password: _clipped(1000) = ""  # type: ignore[valid-type]


class SsoSignIn(Input):
    """An identity the single sign-on provider vouched for (ID token validated, UserInfo
    merged, email verified), with the provider's groups already mapped to roles and led
    functions. ``issuer`` and ``subject`` name the account at the provider."""

    email: str
    name: str = ""
    issuer: str
    subject: str
    roles: list[str]
    functions: list[str] = []
    reauth: bool = False
