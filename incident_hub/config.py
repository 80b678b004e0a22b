"""Configuration: defaults, TOML loading and validation (the checks of values are in
config_checks.py).

The app refuses to start on a bad configuration rather than run half-configured, so every key is
declared here with its type; an unknown key, a wrong type or a missing directory raises
:class:`ConfigError` with one message naming the key.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import secrets
import tomllib
from pathlib import Path
from typing import Any

from .evidence.kinds import DEFAULT_ALLOWED as ATTACHMENT_KINDS

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(Exception):
    """The configuration cannot be used; the message names the offending key."""


# key -> (accepted types, default). Sections are nested dicts of the same shape.
SCHEMA: dict[str, Any] = {
    "SECRET_KEY": ((str,), None),
    "DATABASE_URL": ((str,), None),
    "BASE_URL": ((str,), "http://127.0.0.1:5000"),
    "PLAYBOOKS_DIR": ((str,), str(PROJECT_ROOT / "playbooks")),
    "FEEDS_DIR": ((str,), str(PROJECT_ROOT / "feeds")),
    "FEEDS": {
        "TIMEOUT_S": ((int, float), 10.0),
        "MAX_BYTES": ((int,), 5_000_000),
        "USER_AGENT": ((str,), "IncidentHub/0.1 (+https://github.com/incident-hub)"),
        "ALLOW_PRIVATE_NETWORKS": ((bool,), False),
        "MIN_INTERVAL_MIN": ((int,), 15),
        "MAX_INTERVAL_MIN": ((int,), 720),
        "SAME_STORY_DAYS": ((int, float), 3.0),
    },
    "SLACK": {
        "BOT_TOKEN": ((str,), ""),
        "SIGNING_SECRET": ((str,), ""),
        "API_BASE_URL": ((str,), "https://slack.com/api/"),
        "ANNOUNCE_CHANNEL": ((str,), "#incident-hub"),
        "CASE_CHANNELS": ((bool,), False),
        # Case channels are private unless this is false; a restricted or gagged case's always is.
        "CASE_CHANNELS_PRIVATE": ((bool,), True),
        "MAX_PER_CHANNEL_PER_S": ((int, float), 1.0),
        "TRIAGE_CHANNEL": ((str,), "#incident-triage"),
        "ALERT_MIN_SCORE": ((int, float), 4.5),
        "ESCALATION_CHANNEL": ((str,), ""),
        "MAX_ATTEMPTS": ((int,), 8),
    },
    # E-mail notices (notify/mail.py): off unless ENABLED; people choose Slack, e-mail or both.
    "EMAIL": {
        "ENABLED": ((bool,), False),
        "SMTP_HOST": ((str,), ""),
        "SMTP_PORT": ((int,), 587),
        "FROM": ((str,), ""),
        "USERNAME": ((str,), ""),
        # Empty: $INCIDENT_HUB_SMTP_PASSWORD (keep the secret out of the file).
        "PASSWORD": ((str,), ""),
        "STARTTLS": ((bool,), True),
        "SSL": ((bool,), False),
        "TIMEOUT_S": ((int, float), 10.0),
        "MAX_ATTEMPTS": ((int,), 8),
        # Addresses that also get, by e-mail, what SLACK.ANNOUNCE_CHANNEL is told.
        "ANNOUNCE_TO": ((list,), []),
    },
    "AUTH": {
        "LOCAL_LOGIN": ((bool,), True),
        "OIDC_ISSUER": ((str,), ""),
        "OIDC_CLIENT_ID": ((str,), ""),
        "OIDC_CLIENT_SECRET": ((str,), ""),
        "OIDC_SCOPES": ((str,), "openid email profile"),
        "OIDC_ROLES_CLAIM": ((str,), "groups"),
        "OIDC_ROLE_MAP": ((dict,), {}),
        # Accept a provider's email when it omits ``email_verified`` (never when it says false).
        "OIDC_TRUST_EMAIL_WITHOUT_VERIFIED": ((bool,), False),
        "SESSION_IDLE_MIN": ((int,), 60),
        "SESSION_MAX_HOURS": ((int,), 12),
        "REAUTH_FOR_DECISION_MIN": ((int,), 15),
        # API tokens last this many days unless created with another number (auth/tokens.py)
        "API_TOKEN_DAYS": ((int,), 90),
        # The longest a token may be created for (``--days``, the API's and web form's days).
        "API_TOKEN_MAX_DAYS": ((int,), 365),
    },
    "LIMITS": {
        "STORAGE_URL": ((str,), "memory://"),
        # Failed sign-ins (wrong email or password) per client address, and per account.
        "LOGIN": ((str,), "10 per minute"),
        "LOGIN_ACCOUNT": ((str,), "5 per 15 minutes"),
        "API": ((str,), "600 per minute"),
        "SLACK": ((str,), "120 per minute"),
        # Failed API authentications (a wrong, revoked or expired bearer token) per address.
        "AUTH_FAILURES": ((str,), "30 per minute"),
        # Re-filings of one function's analysis on one case per hour (cases/service.py).
        "REFILE_PER_HOUR": ((int,), 10),
    },
    "CASES": {
        # Minutes after posting during which a comment's author may still edit it.
        "COMMENT_EDIT_MINUTES": ((int,), 15),
    },
    "REMINDERS": {
        "BUSINESS_DAYS": ((list,), [0, 1, 2, 3, 4]),
        "WORKDAY_START": ((str,), "09:00"),
        "WORKDAY_END": ((str,), "18:00"),
        "TIMEZONE": ((str,), "UTC"),
        # The company's own countries (ISO 3166-1 codes): their public holidays are not
        # business days, besides those of each case's jurisdictions (incident_hub/workcal.py).
        "HOLIDAY_COUNTRIES": ((list,), []),
    },
    "ATTACHMENTS": {
        # Largest file accepted, in bytes; the request limit of the upload routes follows it.
        "MAX_BYTES": ((int,), 25_000_000),
        # File kinds accepted, by extension (evidence/kinds.py lists those known).
        "ALLOWED_TYPES": ((list,), list(ATTACHMENT_KINDS)),
        # Where the files are kept: "local" (DIR, else instance/attachments) or "s3".
        "STORE": ((str,), "local"),
        "DIR": ((str,), ""),
        "BUCKET": ((str,), ""),
        "PREFIX": ((str,), "attachments/"),
        "ENDPOINT_URL": ((str,), ""),
        "REGION": ((str,), ""),
    },
    "OPS": {
        "LOG_FORMAT": ((str,), "text"),
        "LOG_LEVEL": ((str,), "INFO"),
        "METRICS_TOKEN": ((str,), ""),
        "HEARTBEAT_STALE_S": ((int,), 180),
        "PROXY_HOPS": ((int,), 0),
        "PAGE_CACHE": ((bool,), True),
    },
}

# Flask's own keys that tests and deployments may set directly.
FLASK_KEYS = {
    "TESTING",
    "DEBUG",
    "SERVER_NAME",
    "WTF_CSRF_ENABLED",
    "SESSION_COOKIE_SECURE",
    "PREFERRED_URL_SCHEME",
    "SQLALCHEMY_ECHO",
    "SQLALCHEMY_ENGINE_OPTIONS",
    "MAX_CONTENT_LENGTH",
}


def defaults() -> dict[str, Any]:
    """Return a fresh copy of every default value."""
    out: dict[str, Any] = {}
    for key, spec in SCHEMA.items():
        if isinstance(spec, dict):
            out[key] = {k: _copy(v[1]) for k, v in spec.items()}
        else:
            out[key] = _copy(spec[1])
    return out


def _copy(value: Any) -> Any:
    if isinstance(value, list | dict):
        return type(value)(value)
    return value


def find_config_file(instance_path: str) -> Path | None:
    """Where the config comes from: $INCIDENT_HUB_CONFIG, else instance/config.toml, else none."""
    env = os.environ.get("INCIDENT_HUB_CONFIG")
    if env:
        path = Path(env)
        if not path.is_file():
            raise ConfigError(f"INCIDENT_HUB_CONFIG: no such file: {env}")
        return path
    candidate = Path(instance_path) / "config.toml"
    return candidate if candidate.is_file() else None


def read_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML config file, turning syntax errors into a ConfigError naming the line."""
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        line = match.group(1) if match else 1
        raise ConfigError(f"{path}:{line}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError as exc:  # tomllib decodes the bytes itself, before parsing
        raise ConfigError(f"{path}: not valid TOML: not UTF-8 (byte {exc.start})") from None


def merge(base: dict[str, Any], overrides: dict[str, Any], origin: str) -> dict[str, Any]:
    """Validate ``overrides`` against the schema and merge them into ``base``."""
    for key, value in overrides.items():
        if key in FLASK_KEYS:
            base[key] = value
            continue
        spec = SCHEMA.get(key)
        if spec is None:
            raise ConfigError(f"{origin}: unknown key {key!r}{_hint(key, SCHEMA)}")
        if isinstance(spec, dict):
            if not isinstance(value, dict):
                raise ConfigError(f"{origin}: {key} must be a table ([{key}])")
            for sub, subvalue in value.items():
                subspec = spec.get(sub)
                if subspec is None:
                    raise ConfigError(f"{origin}: unknown key {key}.{sub}{_hint(sub, spec)}")
                base[key][sub] = _checked(f"{key}.{sub}", subvalue, subspec[0], origin)
        else:
            base[key] = _checked(key, value, spec[0], origin)
    return base


def _hint(key: str, known: dict[str, Any]) -> str:
    close = [k for k in known if k.lower() == key.lower() or k.lower().startswith(key.lower()[:4])]
    return f" (did you mean {close[0]}?)" if close else ""


def _checked(name: str, value: Any, types: tuple[type, ...], origin: str) -> Any:
    # bool is an int in Python; do not let `true` pass for a number or 1 for a flag.
    if isinstance(value, bool) and bool not in types:
        ok = False
    elif float in types and isinstance(value, int) and not isinstance(value, bool):
        if abs(value) >= 2**1023:  # float() of a bigger TOML integer overflows
            raise ConfigError(f"{origin}: {name} must be a finite number, got a huge integer")
        ok, value = True, float(value)
    else:
        ok = isinstance(value, types)
    # TOML allows nan and inf, which slip past every `<= 0` check: a number must be finite.
    if ok and isinstance(value, float) and not math.isfinite(value):
        raise ConfigError(f"{origin}: {name} must be a finite number, got {value!r}")
    if not ok:
        # int is accepted wherever a float is, so "a number" says it all.
        wanted = " or ".join(_type_name(t) for t in types if not (t is int and float in types))
        raise ConfigError(f"{origin}: {name} must be {wanted}, got {type(value).__name__}")
    return value


def _type_name(t: type) -> str:
    return {
        str: "a string",
        int: "an integer",
        float: "a number",
        bool: "true/false",
        dict: "a table",
    }.get(t, "a list")


def database_url(cfg: dict[str, Any], instance_path: str, explicit: bool = False) -> str:
    """$DATABASE_URL beats the config file (not an explicit override); default: instance SQLite."""
    url = cfg.get("DATABASE_URL") if explicit else None
    url = url or os.environ.get("DATABASE_URL") or cfg.get("DATABASE_URL")
    if not url:
        # SQLite creates the file but not its folder, which need not exist yet when the secret
        # key is configured (the generated secret is what usually creates the folder).
        try:
            Path(instance_path).mkdir(mode=0o700, parents=True, exist_ok=True)  # owner only
        except OSError as exc:
            raise ConfigError(
                f"DATABASE_URL: not set, and the instance folder {instance_path} for the default "
                f"SQLite database cannot be created: {exc.strerror}"
            ) from None
        return f"sqlite:///{Path(instance_path) / 'incident_hub.sqlite3'}"
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def secret_key(instance_path: str) -> str:
    """Return the instance's generated secret, creating it (mode 0600) on first use.

    There is no default secret: a deployment either configures one or gets a random one that
    survives restarts, so sessions are never signed with a key anyone else knows. Several workers
    may start at once: the key is written to a private temporary file and linked into place, so
    every process sees either no file or the whole key, and all of them end up with the same one.
    """
    path = Path(instance_path) / "secret_key"
    try:
        if not path.is_file():
            _create_secret(path)
        key = path.read_text().strip()
    except OSError as exc:
        raise ConfigError(
            f"SECRET_KEY: not set, and {path} cannot be created or read: {exc.strerror}"
        ) from None
    if not key:
        raise ConfigError(f"SECRET_KEY: {path} is empty; delete it to generate a new secret")
    return key


def _create_secret(path: Path) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # the instance folder: owner only
    tmp = path.with_name(f".secret_key.{os.getpid()}.{secrets.token_hex(8)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48))
            fh.flush()
            os.fsync(fh.fileno())
        with contextlib.suppress(FileExistsError):  # another process made it first: use theirs
            os.link(tmp, path)  # atomic, and never replaces an existing key
    finally:
        tmp.unlink(missing_ok=True)


def configured(instance_path: str) -> dict[str, Any]:
    """Defaults merged with the config file, unvalidated and with no side effects (no secret
    is generated): for tools such as ``playbooks check`` that must run on a broken setup."""
    cfg = defaults()
    path = find_config_file(instance_path)
    if path is not None:
        merge(cfg, read_toml(path), str(path))
    return cfg


def default_instance_path() -> str:
    """The instance folder create_app uses: $INCIDENT_HUB_INSTANCE_PATH or ./instance."""
    return os.environ.get("INCIDENT_HUB_INSTANCE_PATH") or str(PROJECT_ROOT / "instance")


def load(instance_path: str, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build the effective configuration: defaults, then the TOML file, then ``overrides``."""
    cfg = defaults()
    path = find_config_file(instance_path)
    from_file = read_toml(path) if path is not None else {}
    if path is not None:
        merge(cfg, from_file, str(path))
    if overrides:
        merge(cfg, dict(overrides), "config")
    from .config_checks import validate

    try:
        validate(cfg)
    except ConfigError as exc:
        if path is None:
            raise
        raise ConfigError(f"{path}: {exc}") from None  # say which file to fix
    explicit = bool(overrides and overrides.get("DATABASE_URL"))
    cfg["SQLALCHEMY_DATABASE_URI"] = database_url(cfg, instance_path, explicit)
    if not cfg["SECRET_KEY"]:
        cfg["SECRET_KEY"] = secret_key(instance_path)
    cfg["CONFIG_SOURCE"] = str(path) if path else "defaults"
    # Whether BASE_URL was set (file or overrides): else ``demo --port N`` makes it its port.
    cfg["BASE_URL_CONFIGURED"] = "BASE_URL" in from_file or "BASE_URL" in (overrides or {})
    return cfg
