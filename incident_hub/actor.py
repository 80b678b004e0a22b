"""Who is acting and through which door; every service call receives one."""

from __future__ import annotations

from dataclasses import dataclass

from .auth.models import User


@dataclass(frozen=True)
class Actor:
    user: User | None
    via: str  # web | api | cli | slack | scheduler
    address: str = ""  # IP address, Slack user id, …

    @property
    def origin(self) -> str:
        return f"{self.via} {self.address}".strip()

    @property
    def label(self) -> str:
        return self.user.email if self.user else self.via

    @classmethod
    def system(cls, via: str = "scheduler") -> Actor:
        return cls(user=None, via=via)
