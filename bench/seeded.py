"""What the scale benches share: an app on a given database, a large seeded history, bench users
with a known password, a signed-in cookie, and a gunicorn entry point.

    gunicorn 'seeded:wsgi()'   (from bench/, with DATABASE_URL set) — the app as deployed, plus
                               GET /_bench/constant: a constant answer through the same stack
"""

from __future__ import annotations

import os
import re
import socket
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench password 2026"  # noqa: S105  (bench users on a throwaway database)
PEOPLE = {  # email local part -> roles, functions
    "admin": (["admin"], []),
    "triager": (["triager"], []),
    "exec": (["executive"], []),
    "legal": (["lead"], ["legal"]),
    "rights": (["lead"], ["human-rights"]),
}


def _config(url: str, **slack: str) -> dict:
    feeds = Path(tempfile.mkdtemp(prefix="bench-feeds-"))
    config = {
        "SECRET_KEY": os.environ.get("INCIDENT_HUB_BENCH_SECRET", "bench"),
        "DATABASE_URL": url,
        "FEEDS_DIR": str(feeds),
        "FEEDS": {"ALLOW_PRIVATE_NETWORKS": True, "TIMEOUT_S": 5},
        "LIMITS": {"LOGIN": "100000/minute", "API": "10000000/minute", "SLACK": "100000/minute"},
    }
    if slack:
        config["SLACK"] = {
            "BOT_TOKEN": slack["slack_token"],
            "API_BASE_URL": f"{slack['slack_url']}/api/",
            "MAX_PER_CHANNEL_PER_S": 1000.0,
        }
    return config


def make_app(url: str, **slack: str):  # noqa: ANN201
    """The app on ``url`` (migrated), with the bench people (password ``PASSWORD``)."""
    from werkzeug.security import generate_password_hash

    from incident_hub import create_app
    from incident_hub.actor import Actor
    from incident_hub.auth.models import User
    from incident_hub.auth.service import create_user
    from incident_hub.database import upgrade_database
    from incident_hub.extensions import db

    app = create_app(_config(url, **slack))
    with app.app_context():
        upgrade_database()
        for local, (roles, functions) in PEOPLE.items():
            email = f"{local}@bench.invalid"
            user = db.session.execute(db.select(User).filter_by(email=email)).scalar()
            if user is None:
                user = create_user(
                    Actor(user=None, via="cli"),
                    email=email,
                    name=local.title(),
                    roles=roles,
                    functions=functions,
                    slack_user_id=f"UBENCH{local.upper()}",
                )
            user.password_hash = generate_password_hash(PASSWORD)
        db.session.commit()
    return app


def seeded_database(url: str, *, cases: int, alerts: int) -> None:
    """Migrate ``url`` and seed ``cases`` cases and ``alerts`` alerts, printing progress."""
    from incident_hub.extensions import db
    from incident_hub.scale import seed_cases
    from incident_hub.scale.alerts import seed_alerts

    app = make_app(url)
    with app.app_context():
        started = time.perf_counter()
        seed_cases(cases, progress=_progress("cases"))
        seed_alerts(alerts, progress=_progress("alerts"))
        print(f"seeded {cases} cases and {alerts} alerts in {time.perf_counter() - started:.1f} s")
        if db.engine.dialect.name == "postgresql":  # what autovacuum does soon after bulk loads
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
        db.engine.dispose()


def _progress(what: str):  # noqa: ANN202
    def show(done: int, total: int) -> None:
        sys.stdout.write(f"\r  {what}: {done}/{total}")
        sys.stdout.flush()
        if done >= total:
            sys.stdout.write("\n")

    return show


def sign_in_cookie(base: str, local: str = "admin") -> dict[str, str]:
    """Sign in over HTTP as a bench person; the session cookie to send with later requests."""
    with httpx.Client(base_url=base, trust_env=False, timeout=30) as client:
        page = client.get("/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        form = {"email": f"{local}@bench.invalid", "password": PASSWORD, "csrf_token": token}
        response = client.post("/login", data=form)
        assert response.status_code in (200, 302), response.status_code
        client.get("/")  # a browser shows the "signed in" message once: the cookie drops it
        return dict(client.cookies)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(base: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{base}/login", trust_env=False, timeout=2)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError(f"{base} did not come up")


def wsgi():  # noqa: ANN201
    """gunicorn entry point: the app on $DATABASE_URL, plus a constant route for comparison."""
    from incident_hub import create_app

    config = _config(os.environ["DATABASE_URL"])
    app = create_app(config)

    @app.get("/_bench/constant")
    def constant() -> str:
        return "constant"

    return app
