"""The [EMAIL] section's checks, and where the SMTP password comes from (config.py validates
every section at start-up; this one is here to keep that module to one screenful per job)."""

from __future__ import annotations

import os
from typing import Any

from .config import ConfigError

SMTP_PASSWORD_ENV = "INCIDENT_HUB_SMTP_PASSWORD"  # noqa: S105 (a variable's name)


def validate_email(mail: dict[str, Any]) -> None:
    """E-mail settings are checked whether or not ENABLED, except what only sending needs."""
    from email.utils import parseaddr

    if not 1 <= mail["SMTP_PORT"] <= 65535:
        raise ConfigError(f"EMAIL.SMTP_PORT must be a port (1-65535), got {mail['SMTP_PORT']!r}")
    if not 0 < mail["TIMEOUT_S"] <= 300:
        raise ConfigError("EMAIL.TIMEOUT_S must be more than 0 and at most 300 seconds")
    if not 1 <= mail["MAX_ATTEMPTS"] <= 100:
        raise ConfigError("EMAIL.MAX_ATTEMPTS must be between 1 and 100")
    if mail["SSL"] and mail["STARTTLS"]:
        raise ConfigError("EMAIL.SSL and EMAIL.STARTTLS: choose one (SSL: TLS from the start)")
    if mail["FROM"] and "@" not in parseaddr(mail["FROM"])[1]:
        raise ConfigError(f"EMAIL.FROM: not an e-mail address: {mail['FROM']!r}")
    for address in mail["ANNOUNCE_TO"]:
        if not isinstance(address, str) or "@" not in parseaddr(address)[1]:
            raise ConfigError(f"EMAIL.ANNOUNCE_TO: not an e-mail address: {address!r}")
    if not mail["ENABLED"]:
        return
    if not mail["SMTP_HOST"].strip():
        raise ConfigError("EMAIL.SMTP_HOST: e-mail is ENABLED but no SMTP server is set")
    if not mail["FROM"]:
        raise ConfigError("EMAIL.FROM: e-mail is ENABLED but no sender address is set")
    if mail["USERNAME"] and not (mail["PASSWORD"] or os.environ.get(SMTP_PASSWORD_ENV)):
        raise ConfigError(
            "EMAIL.PASSWORD: EMAIL.USERNAME is set but no password "
            f"(set it, or ${SMTP_PASSWORD_ENV})"
        )


def smtp_password(mail: dict[str, Any]) -> str:
    """EMAIL.PASSWORD, else the environment's $INCIDENT_HUB_SMTP_PASSWORD."""
    return mail["PASSWORD"] or os.environ.get(SMTP_PASSWORD_ENV, "")
