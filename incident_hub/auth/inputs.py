"""What each sign-in, token and password action takes: the typed inputs the doors build (see
:mod:`..schemas`)."""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any, Literal
from zoneinfo import available_timezones

from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from ..schemas import Blank, Flag, Input, Page, Required, Whole


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


class NewToken(Input):
    """A new API token: its name (unique among your live tokens) and how many days it lasts
    (default [AUTH] API_TOKEN_DAYS, at most [AUTH] API_TOKEN_MAX_DAYS)."""

    name: Required(100)  # type: ignore[valid-type]
    days: Annotated[Annotated[Whole, Field(ge=1, le=3650)] | None, Blank] = None
    # Admins (or the operator at the CLI) may create a token for someone else.
    user: Annotated[Annotated[str, Field(max_length=254)] | None, Blank] = None


class PasswordChange(Input):
    """The signed-in user changes their own password: the current one, then the new one."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=False, frozen=True)

    current_password: Annotated[str, Field(max_length=1000)] = ""
    new_password: Annotated[str, Field(max_length=1000)] = ""


class TokenFilters(Page):
    """Whose tokens to list: yours (default); an admin may name a ``user`` or ask for ``all``."""

    user: Annotated[Annotated[str, Field(max_length=254)] | None, Blank] = None
    all: Flag = False


@cache
def time_zones() -> frozenset[str]:
    """The IANA time zone names a person may choose (``Europe/Berlin``, ``Asia/Tokyo``)."""
    return frozenset(available_timezones())


def _known_zone(value: str | None) -> str | None:
    if value is not None and value not in time_zones():
        raise PydanticCustomError(
            "time_zone", "is not a known IANA time zone (like Europe/Berlin or Asia/Tokyo)"
        )
    return value


class TimezoneChange(Input):
    """A person's own time zone for reminders: an IANA name (``Asia/Tokyo``); empty or null
    goes back to [REMINDERS] TIMEZONE. Reminders reach them within working hours there."""

    timezone: Annotated[
        Annotated[str, Field(max_length=64)] | None, Blank, AfterValidator(_known_zone)
    ] = None


NotifyBy = Literal["slack", "email", "both"]


class NotifyChange(Input):
    """How a person's notices reach them: ``slack`` (a direct message), ``email`` or ``both``.
    Without [EMAIL] ENABLED everything goes to Slack; a person with no Slack id gets e-mail
    whatever they chose."""

    notify_by: NotifyBy


class MeChange(Input):
    """``PATCH /api/v1/me``: the settings of your own you may change; a field not sent stays."""

    timezone: Annotated[
        Annotated[str, Field(max_length=64)] | None, Blank, AfterValidator(_known_zone)
    ] = None
    notify_by: NotifyBy | None = None
