"""What the token API answers: the documented shapes of :mod:`.serialize`'s dictionaries."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field, RootModel

from ..schemas import Shape


class Token(Shape):
    id: int
    name: str
    user: str = Field(description="The owner's email")
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None = Field(description="Noted at most once a minute")
    revoked_at: datetime | None
    live: bool = Field(description="Neither revoked nor expired")


class TokenList(RootModel[list[Token]]):
    pass


class IssuedToken(Token):
    token: str = Field(description="The token itself: shown this once, only its hash is stored")


class Me(Shape):
    email: str
    name: str
    roles: list[str]
    functions: list[str] = Field(description="The functions you lead")
    timezone: str | None = Field(
        description="Your own IANA time zone for reminders; null: [REMINDERS] TIMEZONE"
    )
    reminder_timezone: str = Field(
        description="The time zone your reminders keep working hours in (yours, or the default)"
    )
    notify_by: str = Field(
        description="How your notices reach you: slack, email or both (e-mail only when the "
        "server has [EMAIL] ENABLED; without a Slack id you get e-mail)"
    )
    notified_by: list[str] = Field(
        description="Where your notices go now, all things considered: slack and/or email "
        "(empty: nowhere, you have no Slack id and e-mail is off)"
    )
