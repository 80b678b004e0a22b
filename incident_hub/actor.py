"""Who is acting and through which door; every service call receives one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .auth.models import User
from .errors import Forbidden


@dataclass(frozen=True)
class Actor:
    """The person (or system) behind a service call, and how they proved who they are.

    ``authenticated_at`` is when that proof was last given, for actions that need a recent
    sign-in (recording a decision; see :func:`incident_hub.auth.sessions.require_recent`):

    - web: the session's sign-in time (password, single sign-on or re-authentication);
      ``None`` means unknown and counts as too old.
    - cli: ``None``; the operator at the console already holds the database and the config.
    - api: ``None`` and exempt: the bearer token is itself presented with every request, so
      each call is a fresh proof of the credential. It is not ambient like a browser cookie (no
      CSRF, no unattended signed-in tab), the integrations that hold tokens cannot sign in
      interactively, and a leaked token is answered by revoking it or disabling its user.
    - slack and anything else: not exempt; with no sign-in time the action is refused.
    """

    user: User | None
    via: str  # web | api | cli | slack | scheduler
    address: str = ""  # IP address, Slack user id, …
    authenticated_at: datetime | None = None

    @property
    def origin(self) -> str:
        return f"{self.via} {self.address}".strip()

    @property
    def label(self) -> str:
        return self.user.email if self.user else self.via

    def require_user(self) -> User:
        """The user behind the call, for what only a person can do (open a case, file an
        analysis, follow). Those paths have already passed a permission check that refuses an
        actor without a user, so this raises only if such a check is ever missing."""
        if self.user is None:
            raise Forbidden(f"the {self.via} cannot do this without a user")
        return self.user

    @classmethod
    def system(cls, via: str = "scheduler") -> Actor:
        return cls(user=None, via=via)
