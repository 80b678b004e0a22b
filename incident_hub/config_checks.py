"""Checks of configuration values that are well-typed but still unusable: config.load runs
``validate`` on the merged configuration, and the app refuses to start with one message naming
the key (the [EMAIL] section's checks are in config_email.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .config import ConfigError


def validate(cfg: dict[str, Any]) -> None:
    """Check values that are well-typed but still unusable."""
    for key in ("PLAYBOOKS_DIR", "FEEDS_DIR"):
        if not Path(cfg[key]).is_dir():
            raise ConfigError(f"{key}: directory not found: {cfg[key]}")
    feeds = cfg["FEEDS"]
    if feeds["MIN_INTERVAL_MIN"] < 1 or feeds["MAX_INTERVAL_MIN"] < feeds["MIN_INTERVAL_MIN"]:
        raise ConfigError("FEEDS.MIN_INTERVAL_MIN/MAX_INTERVAL_MIN: need 1 <= MIN <= MAX")
    for name in ("TIMEOUT_S", "MAX_BYTES"):
        if feeds[name] <= 0:
            raise ConfigError(f"FEEDS.{name} must be positive, got {feeds[name]!r}")
    if not 0 <= feeds["SAME_STORY_DAYS"] <= 30:
        raise ConfigError(
            f"FEEDS.SAME_STORY_DAYS must be between 0 (titles never join) and 30 days, "
            f"got {feeds['SAME_STORY_DAYS']!r}"
        )
    if cfg["SLACK"]["MAX_PER_CHANNEL_PER_S"] <= 0:
        raise ConfigError("SLACK.MAX_PER_CHANNEL_PER_S must be positive")
    days = cfg["REMINDERS"]["BUSINESS_DAYS"]
    if not days or any(
        not isinstance(d, int) or isinstance(d, bool) or not 0 <= d <= 6 for d in days
    ):
        raise ConfigError("REMINDERS.BUSINESS_DAYS must list weekdays 0 (Monday) to 6 (Sunday)")
    for name in ("WORKDAY_START", "WORKDAY_END"):
        _parse_hhmm(f"REMINDERS.{name}", cfg["REMINDERS"][name])
    _validate_holiday_countries(cfg["REMINDERS"]["HOLIDAY_COUNTRIES"])
    try:
        from zoneinfo import ZoneInfo

        ZoneInfo(cfg["REMINDERS"]["TIMEZONE"])
    except Exception:
        raise ConfigError(
            f"REMINDERS.TIMEZONE: unknown time zone {cfg['REMINDERS']['TIMEZONE']!r}"
        ) from None
    _validate_ops(cfg["OPS"])
    _validate_attachments(cfg["ATTACHMENTS"])
    from .config_email import validate_email

    validate_email(cfg["EMAIL"])
    _validate_auth_and_limits(cfg["AUTH"], cfg["LIMITS"])
    if not 0 <= cfg["CASES"]["COMMENT_EDIT_MINUTES"] <= 1440:
        raise ConfigError("CASES.COMMENT_EDIT_MINUTES must be between 0 and 1440 minutes")


def _validate_holiday_countries(codes: list[Any]) -> None:
    import holidays

    supported = holidays.list_supported_countries()
    for code in codes:
        if not isinstance(code, str) or code.upper() not in supported:
            raise ConfigError(
                f"REMINDERS.HOLIDAY_COUNTRIES: {code!r} is not a country whose public holidays "
                'are known (ISO 3166-1 alpha-2 codes such as "DE" or "US")'
            )


def _validate_auth_and_limits(auth: dict[str, Any], limits: dict[str, Any]) -> None:
    if not 1 <= auth["API_TOKEN_MAX_DAYS"] <= 3650:
        raise ConfigError("AUTH.API_TOKEN_MAX_DAYS must be between 1 and 3650 days")
    if not 1 <= auth["API_TOKEN_DAYS"] <= auth["API_TOKEN_MAX_DAYS"]:
        raise ConfigError(
            f"AUTH.API_TOKEN_DAYS must be between 1 and AUTH.API_TOKEN_MAX_DAYS "
            f"({auth['API_TOKEN_MAX_DAYS']}), got {auth['API_TOKEN_DAYS']!r}"
        )
    if not 1 <= limits["REFILE_PER_HOUR"] <= 1000:
        raise ConfigError("LIMITS.REFILE_PER_HOUR must be between 1 and 1000")
    from limits import parse_many

    for name in ("AUTH_FAILURES", "LOGIN", "LOGIN_ACCOUNT"):
        try:
            parse_many(limits[name])
        except ValueError:
            raise ConfigError(
                f'LIMITS.{name}: not a rate limit like "30 per minute": {limits[name]!r}'
            ) from None


def _validate_attachments(att: dict[str, Any]) -> None:
    from .evidence.kinds import KINDS

    if not 1 <= att["MAX_BYTES"] <= 2_000_000_000:
        raise ConfigError("ATTACHMENTS.MAX_BYTES must be between 1 and 2000000000 bytes")
    kinds = att["ALLOWED_TYPES"]
    unknown = [k for k in kinds if not isinstance(k, str) or k.lower() not in KINDS]
    if not kinds or unknown:
        raise ConfigError(
            f"ATTACHMENTS.ALLOWED_TYPES must list file extensions among {', '.join(KINDS)}"
            + (f"; unknown: {', '.join(repr(k) for k in unknown)}" if unknown else "")
        )
    att["ALLOWED_TYPES"] = [k.lower() for k in kinds]
    if att["STORE"] not in ("local", "s3"):
        raise ConfigError(f'ATTACHMENTS.STORE must be "local" or "s3", got {att["STORE"]!r}')
    if att["STORE"] == "s3" and not att["BUCKET"]:
        raise ConfigError('ATTACHMENTS.BUCKET must name the bucket when STORE = "s3"')
    if att["ENDPOINT_URL"] and not att["ENDPOINT_URL"].startswith(("http://", "https://")):
        raise ConfigError("ATTACHMENTS.ENDPOINT_URL must be an http:// or https:// address")


def _validate_ops(ops: dict[str, Any]) -> None:
    if ops["LOG_FORMAT"] not in ("text", "json"):
        raise ConfigError(f'OPS.LOG_FORMAT must be "text" or "json", got {ops["LOG_FORMAT"]!r}')
    if ops["LOG_LEVEL"].upper() not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
        raise ConfigError(f"OPS.LOG_LEVEL: unknown level {ops['LOG_LEVEL']!r}")
    if not 0 <= ops["PROXY_HOPS"] <= 5:
        raise ConfigError("OPS.PROXY_HOPS must be between 0 and 5 (reverse proxies in front)")
    if not 1 <= ops["HEARTBEAT_STALE_S"] <= 86_400:
        raise ConfigError("OPS.HEARTBEAT_STALE_S must be between 1 and 86400 seconds")


def _parse_hhmm(name: str, value: str) -> tuple[int, int]:
    try:
        hours, minutes = (int(part) for part in value.split(":"))
    except ValueError:
        raise ConfigError(f"{name} must look like 09:00, got {value!r}") from None
    if not (0 <= hours <= 23 and 0 <= minutes <= 59):
        raise ConfigError(f"{name} must look like 09:00, got {value!r}")
    return hours, minutes
