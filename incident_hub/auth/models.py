"""People, their roles and functions, their web sessions and their API tokens."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String, Text, null
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import vocabulary
from ..clock import now
from ..extensions import Model
from ..types import UTCDateTime

ROLES = vocabulary.ROLES  # one list of roles (incident_hub/vocabulary.py)


class User(UserMixin, Model):
    __tablename__ = "users"
    # Database defaults are read when asked, not returned by every INSERT (see ``timezone``).
    __mapper_args__ = {"eager_defaults": False}
    # One account per single sign-on identity: the provider (issuer) and its subject.
    # A unique index, not a constraint: SQLite adds it without rebuilding the users table.
    __table_args__ = (
        Index("uq_users_oidc_issuer_oidc_subject", "oidc_issuer", "oidc_subject", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(256))
    slack_user_id: Mapped[str | None] = mapped_column(String(32), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    # Bumped to end every session of the user at once (logout everywhere, role change).
    session_epoch: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    # Who the single sign-on provider says this is (set at the first sign-in through it, which
    # links by verified email); later sign-ins match on these, whatever the email says then.
    oidc_issuer: Mapped[str | None] = mapped_column(String(500))
    oidc_subject: Mapped[str | None] = mapped_column(String(255))
    # Their own IANA time zone ("Asia/Tokyo") for reminders; None: [REMINDERS] TIMEZONE.
    # NULL by the database's default, so an INSERT need not name it (the migration tests
    # write users at older revisions through this model).
    timezone: Mapped[str | None] = mapped_column(String(64), server_default=null())
    # How notices reach them: "slack", "email" or "both" (notify/events.py). "slack" by the
    # database's default, like ``timezone``, so an INSERT need not name it.
    notify_by: Mapped[str] = mapped_column(String(10), server_default="slack")

    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )
    function_rows: Mapped[list[UserFunction]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def roles(self) -> set[str]:
        return {r.role for r in self.role_rows}

    @property
    def functions(self) -> set[str]:
        return {f.function_key for f in self.function_rows}

    def has_role(self, role: str) -> bool:
        return role in self.roles

    @property
    def is_active(self) -> bool:  # Flask-Login: disabled users cannot sign in
        return self.active

    def get_id(self) -> str:
        # The epoch is part of the session id so bumping it ends existing sessions.
        return f"{self.id}:{self.session_epoch}"

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class WebSession(Model):
    """A signed-in browser. The session cookie holds a random id; only its SHA-256 is stored
    here. Deleting the row ends the session at once, whatever copy of the cookie exists
    (sign-out, sign out everywhere, a disabled account, changed roles)."""

    __tablename__ = "web_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 of the cookie's id
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    method: Mapped[str] = mapped_column(String(16))  # password · oidc
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    auth_at: Mapped[datetime] = mapped_column(UTCDateTime)  # last sign-in or re-authentication
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime)  # last request (to the minute)
    address: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    # The provider's ID token of an oidc session, kept for RP-initiated logout (id_token_hint).
    id_token: Mapped[str | None] = mapped_column(Text)


class UserRole(Model):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(20), primary_key=True)
    user: Mapped[User] = relationship(back_populates="role_rows")


class UserFunction(Model):
    """A function (legal, human-rights, …) that the user leads."""

    __tablename__ = "user_functions"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    function_key: Mapped[str] = mapped_column(String(50), primary_key=True, index=True)
    user: Mapped[User] = relationship(back_populates="function_rows")


class ApiToken(Model):
    """A bearer token; only its SHA-256 is stored, the token itself is shown once.

    Every token has a name (unique among its owner's live tokens, see :mod:`.tokens`), an
    expiry ([AUTH] API_TOKEN_DAYS by default) and can be revoked on its own."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    def live(self, at: datetime) -> bool:
        """Neither revoked nor expired at ``at``."""
        return self.revoked_at is None and self.expires_at > at
