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
