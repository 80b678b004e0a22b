"""Incident Hub: coordinate a company's response when a law change threatens users' rights."""

from __future__ import annotations

import contextlib
import os
from typing import Any

from flask import Flask

from . import config as config_module
from .extensions import csrf, db, limiter, login_manager, migrate
from .playbooks import PlaybookError, load_dir

__version__ = "0.1.0"
MIGRATIONS_DIR = str(config_module.PROJECT_ROOT / "migrations")


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app: load and validate config and playbooks, bind extensions, add blueprints.

    Raises :class:`config.ConfigError` on a bad configuration or broken playbooks, so the app
    never runs half-configured.
    """
    # INCIDENT_HUB_INSTANCE_PATH moves the instance folder (SQLite file, generated secret).
    app = Flask(
        __name__,
        instance_relative_config=True,
        instance_path=os.environ.get("INCIDENT_HUB_INSTANCE_PATH") or None,
    )
    settings = config_module.load(app.instance_path, config)
    app.config.update(settings)
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": True})
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["REMEMBER_COOKIE_HTTPONLY"] = True
    if settings["BASE_URL"].startswith("https://"):
        # Flask defaults the key to False, so only an explicit setting may override this.
        app.config["SESSION_COOKIE_SECURE"] = settings.get("SESSION_COOKIE_SECURE", True)
        app.config["REMEMBER_COOKIE_SECURE"] = True
        if app.config["SESSION_COOKIE_SECURE"]:
            _host_prefixed_cookies(app)
    if app.config.get("MAX_CONTENT_LENGTH") is None:  # Flask's default is unlimited
        app.config["MAX_CONTENT_LENGTH"] = 2 * 1024 * 1024
    app.config["WTF_CSRF_TIME_LIMIT"] = None  # tied to the session instead of a clock

    try:
        app.extensions["incident_hub.playbooks"] = load_dir(settings["PLAYBOOKS_DIR"])
    except PlaybookError as exc:
        raise config_module.ConfigError(
            "PLAYBOOKS_DIR: broken playbooks, refusing to start:\n  " + "\n  ".join(exc.problems)
        ) from None

    app.extensions["incident_hub.classifier"] = _load_classifier(settings["FEEDS_DIR"])

    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR)
    csrf.init_app(app)
    app.config["RATELIMIT_STORAGE_URI"] = settings["LIMITS"]["STORAGE_URL"]
    limiter.init_app(app)
    login_manager.init_app(app)
    _init_sign_in(app)
    _register_sqlite_pragmas(app)

    from . import models  # noqa: F401  (every model registered before migrations run)
    from .api import bp as api_bp
    from .auth.views import bp as auth_bp
    from .doors import register_blueprints
    from .slack.views import bp as slack_bp
    from .web import register_web

    register_blueprints(app)  # every feature's pages and API routes (see doors.py)
    from .ops.logs import configure_logging

    configure_logging(app)
    hops = settings["OPS"]["PROXY_HOPS"]
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Wrapping wsgi_app is Flask's documented way to add WSGI middleware; mypy sees a
        # method being replaced.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops
        )
    csrf.exempt(api_bp)  # bearer tokens, not cookies: CSRF does not apply
    csrf.exempt(slack_bp)  # Slack signs its requests (slack/verify.py)
    _apply_rate_limits(auth_bp, api_bp, slack_bp)
    register_web(app)
    _connect_packages()
    return app


def _host_prefixed_cookies(app: Flask) -> None:
    """Over https the cookies carry the ``__Host-`` prefix: the browser then takes them only
    when Secure, with Path=/ and no Domain, so no sibling subdomain or plain-http page can set
    or shadow them (RFC 6265bis 4.1.3.2)."""
    app.config["SESSION_COOKIE_NAME"] = "__Host-session"
    app.config["SESSION_COOKIE_PATH"] = "/"
    app.config["SESSION_COOKIE_DOMAIN"] = None
    app.config["REMEMBER_COOKIE_NAME"] = "__Host-remember_token"
    app.config["REMEMBER_COOKIE_PATH"] = "/"
    app.config["REMEMBER_COOKIE_DOMAIN"] = None


def _connect_packages() -> None:
    """Hand each package what it may not import (tests/test_import_walls.py): notify learns
        case rooms from cases, cases learns from triage how alerts join a new case, and watch
    learns from triage what to do when an alert tied to a case changes."""
    from .cases.hooks import attach_alerts_with
    from .cases.notices import ROOMS
    from .notify.case_rooms import provide
    from .triage.alert_changes import on_linked_alert_changed
    from .triage.service import attach_to_new_case
    from .watch.hooks import linked_alert_changed_with

    provide(ROOMS)
    attach_alerts_with(attach_to_new_case)
    linked_alert_changed_with(on_linked_alert_changed)


def _apply_rate_limits(auth_bp, api_bp, slack_bp) -> None:  # noqa: ANN001
    """Failed sign-ins per address, API calls per token, Slack calls per address ([LIMITS]).

    Blueprints are module globals shared by every app built in this process, so the limits
    are attached once, and read the current app's [LIMITS] at request time.
    """
    import hashlib

    from flask import current_app, request

    if getattr(api_bp, "_incident_hub_limited", False):
        return

    def per_token() -> str:
        header = request.headers.get("Authorization", "")
        if not header:
            return request.remote_addr or "-"
        return "token:" + hashlib.sha256(header.encode()).hexdigest()

    def limit(name: str):  # noqa: ANN202
        return lambda: current_app.config["LIMITS"][name]

    from .auth.views import ADDRESS_SCOPE, failed_sign_in, signing_out

    # Failed sign-ins per address, on every POST of the sign-in blueprint but signing out
    # (successes never count); the password forms add a per-account limit (auth/views.py).
    limiter.shared_limit(
        limit("LOGIN"),
        scope=ADDRESS_SCOPE,
        methods=["POST"],
        deduct_when=failed_sign_in,
        exempt_when=signing_out,
    )(auth_bp)
    limiter.limit(limit("API"), key_func=per_token)(api_bp)
    limiter.limit(limit("SLACK"))(slack_bp)
    api_bp._incident_hub_limited = True


def _init_sign_in(app: Flask) -> None:
    """Check [AUTH]; register the OpenID Connect provider (authlib) when OIDC_ISSUER is set."""
    from .auth import oidc

    oidc.init_app(app)


def _load_classifier(feeds_dir: str):  # noqa: ANN202
    """Flagging rules: FEEDS_DIR/rules.toml, else the bundled ones; broken rules stop start-up."""
    from pathlib import Path

    from .watch.classify import RulesError, load_rules

    path = Path(feeds_dir) / "rules.toml"
    if not path.is_file():
        path = config_module.PROJECT_ROOT / "feeds" / "rules.toml"
    try:
        return load_rules(path)
    except RulesError as exc:
        raise config_module.ConfigError(
            "FEEDS_DIR: broken flagging rules, refusing to start:\n  " + "\n  ".join(exc.problems)
        ) from None


def _private_sqlite_file(url: str) -> None:
    """Create a SQLite database file that does not exist yet as mode 0600 (owner only), just
    before the first connection would let SQLite create it with the umask's mode (often 0644:
    readable by every local user). SQLite gives its journal and WAL files the database file's
    mode. An existing file is left as it is."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    path = parsed.database or ""
    if not parsed.drivername.startswith("sqlite") or path in ("", ":memory:"):
        return
    if path.startswith("file:") or parsed.query.get("mode") == "memory":
        return
    with contextlib.suppress(FileExistsError, FileNotFoundError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _register_sqlite_pragmas(app: Flask) -> None:
    """Foreign keys on, and wait for a writer instead of failing at once."""
    from sqlalchemy import event

    with app.app_context():
        engine = db.engine
        if engine.dialect.name != "sqlite":
            return

        url = engine.url.render_as_string(hide_password=False)

        @event.listens_for(engine, "do_connect")
        def _before_connect(*_args) -> None:  # noqa: ANN002
            _private_sqlite_file(url)  # then SQLite opens it as usual

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn, _record):  # noqa: ANN001
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.close()
