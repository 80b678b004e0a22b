"""Shared fixtures: a real database (SQLite, and PostgreSQL when configured), the app, people.

Every test that takes ``app`` runs once per backend: SQLite always, PostgreSQL as well when
``INCIDENT_HUB_TEST_DATABASE_URL`` is set (CI sets it). The schema comes from the migrations,
run once per backend; each test then gets a clean database (a copy of the migrated SQLite
file, or TRUNCATE on PostgreSQL).

The app is built with its configuration, never changed after start-up
-------------------------------------------------------------------
``create_app`` validates the configuration (unknown key, wrong type, bad value: ConfigError), so
a test that needs other settings asks for an app built with them; writing ``app.config`` after
start-up skips that validation and is refused (``test_no_config_writes.py`` reads tests/, and the
``make_app`` fixture fails a test whose app's configuration changed while it ran). Three ways,
all merged over the test defaults (``_base_config``) one [SECTION] key at a time:

* values known when the test is written: the ``config`` marker, on a test, a class, a module
  (``pytestmark``) or a ``pytest.param``; the closest one wins::

      @pytest.mark.config(SLACK={"CASE_CHANNELS": True}, BASE_URL="https://hub.example.org")
      def test_x(app, api): ...

* values known only at run time (a loopback server's URL): override the ``config_overrides``
  fixture in the module (markers still apply over it)::

      @pytest.fixture
      def config_overrides(slack):
          return {"SLACK": {"BOT_TOKEN": TOKEN, "API_BASE_URL": f"{slack.url}/api/"}}

* a second app on the same clean database, i.e. a restart with other settings (or another
  worker): ``make_app(**overrides)`` returns one built from the same layers plus ``overrides``::

      def test_y(app, api, make_app):
          restarted = make_app(FEEDS={"SAME_STORY_DAYS": 7})
          Runner(restarted).invoke(["poll"])

A mistyped or invalid override fails the test loudly at set-up, with config validation's message.
Reading ``app.config`` in a test is fine. A write a test truly needs at run time (none does
today) says why on its line with ``# config-write-ok: <reason>`` and puts the value back.
"""

from __future__ import annotations

import copy
import os
import re
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import holidays
import pytest
from sqlalchemy import create_engine, inspect, text

from incident_hub import create_app
from incident_hub.actor import Actor
from incident_hub.auth.service import create_user, issue_token
from incident_hub.config import SCHEMA
from incident_hub.database import upgrade_database
from incident_hub.extensions import db

# The browser tests' fixtures (chromium, live_server, page) live in tests/browser_kit.py.
pytest_plugins = ["browser_kit"]

PG_URL = os.environ.get("INCIDENT_HUB_TEST_DATABASE_URL", "")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])
ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CLI = Actor(user=None, via="cli")


def normalise_pg(url: str) -> str:
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _base_config(url: str) -> dict:
    # Generous rate limits: tests fire many requests; test_rate_limits sets its own.
    limits = {
        "LOGIN": "10000 per minute",
        "LOGIN_ACCOUNT": "10000 per minute",
        "API": "100000 per minute",
        "SLACK": "100000 per minute",
    }
    return {
        "TESTING": True,
        "DATABASE_URL": url,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "LIMITS": limits,
    }


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch, tmp_path):
    """No developer config file or DATABASE_URL leaks into a test; instance folder is temporary."""
    monkeypatch.delenv("INCIDENT_HUB_CONFIG", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("INCIDENT_HUB_INSTANCE_PATH", str(tmp_path / "instance"))


def _admin_engine(url: str):
    from sqlalchemy.engine import make_url

    return create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")


def _private_pg_database(url: str) -> str:
    """A database of this test process's own, so parallel runs never share tables."""
    from sqlalchemy.engine import make_url

    base = make_url(url)
    name = f"{base.database}_{os.getpid()}"
    engine = _admin_engine(url)
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def _drop_pg_database(url: str) -> None:
    from sqlalchemy.engine import make_url

    engine = _admin_engine(url)
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    engine.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request, tmp_path_factory):
    """A migrated database per backend, created once per session."""
    if request.param == "sqlite":
        template = tmp_path_factory.mktemp("sqlite") / "template.sqlite3"
        url = f"sqlite:///{template}"
    else:
        url = _private_pg_database(normalise_pg(PG_URL))
        request.addfinalizer(lambda: _drop_pg_database(url))
    app = create_app(_base_config(url))
    with app.app_context():
        upgrade_database()
        tables = [t for t in inspect(db.engine).get_table_names() if t != "alembic_version"]
        db.engine.dispose()
    return {"name": request.param, "url": url, "tables": tables}


@pytest.fixture
def db_url(backend, tmp_path):
    """A clean, migrated database for one test."""
    if backend["name"] == "sqlite":
        copy = tmp_path / "test.sqlite3"
        shutil.copy(backend["url"].removeprefix("sqlite:///"), copy)
        return f"sqlite:///{copy}"
    engine = create_engine(backend["url"])
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {', '.join(backend['tables'])} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return backend["url"]


def pytest_configure(config) -> None:  # noqa: ANN001
    config.addinivalue_line(
        "markers", "config(**overrides): build the test's app with these settings (conftest.py)"
    )


def merged_config(base: dict, *layers: dict) -> dict:
    """``base`` with each layer over it; a [SECTION] table merges key by key, as in the file."""
    out = copy.deepcopy(base)
    for layer in layers:
        for key, value in copy.deepcopy(layer).items():  # no app shares a marker's dict
            section = isinstance(SCHEMA.get(key), dict)
            if section and isinstance(value, dict) and isinstance(out.get(key), dict):
                out[key] = {**out[key], **value}
            else:
                out[key] = value
    return out


def marker_overrides(node) -> list[dict]:  # noqa: ANN001
    """The ``config`` markers' settings, farthest (module) first, closest (test) last."""
    layers = []
    for mark in reversed(list(node.iter_markers("config"))):
        if mark.args:
            raise TypeError(f"@pytest.mark.config takes keyword arguments only, got {mark.args!r}")
        layers.append(mark.kwargs)
    return layers


def config_snapshot(app) -> dict:  # noqa: ANN001
    return copy.deepcopy(dict(app.config))


def config_changes(app, snapshot: dict) -> list[str]:  # noqa: ANN001
    """The keys (``SECTION.KEY`` inside a table) whose value differs from ``snapshot``."""
    now = dict(app.config)
    changed = []
    for key in sorted(set(now) | set(snapshot)):
        before, after = snapshot.get(key, "<unset>"), now.get(key, "<unset>")
        if before == after:
            continue
        if isinstance(before, dict) and isinstance(after, dict):
            subs = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
            changed += [f"{key}.{sub}" for sub in subs] or [key]
        else:
            changed.append(key)
    return changed


@pytest.fixture
def config_overrides() -> dict:
    """Settings for the test's app known only at run time; override it in a module."""
    return {}


@pytest.fixture
def make_app(request, db_url, tmp_path, config_overrides):
    """``make_app(**overrides)``: an app on this test's clean database, built with the test
    defaults, ``config_overrides``, the ``config`` markers and then ``overrides``.

    FEEDS_DIR is an empty folder (bundled rules, no shipped sources), so no test ever polls a
    real feed address; feeds come from the loopback ``feeds`` server, hence private networks on.
    At teardown each app's configuration must be what ``create_app`` made of it.
    """
    feeds_dir = tmp_path / "feeds"
    feeds_dir.mkdir(exist_ok=True)
    base = _base_config(db_url)
    base.update(FEEDS_DIR=str(feeds_dir), FEEDS={"ALLOW_PRIVATE_NETWORKS": True, "TIMEOUT_S": 5})
    layers = [config_overrides, *marker_overrides(request.node)]
    built: list[tuple] = []

    def make(**overrides):  # noqa: ANN202
        made = create_app(merged_config(base, *layers, overrides))
        built.append((made, config_snapshot(made)))
        return made

    yield make
    for made, _snapshot in built:
        with made.app_context():
            db.engine.dispose()
    for made, snapshot in built:
        changed = config_changes(made, snapshot)
        assert not changed, (
            f"the test changed app.config after start-up ({', '.join(changed)}), which skips "
            "config validation: build the app with @pytest.mark.config(...), the "
            "config_overrides fixture or make_app(...) instead (see conftest.py)"
        )


@pytest.fixture
def app(make_app):
    """The app on a clean database. No app context stays pushed: each request gets its own
    (as in production), so nothing leaks between requests through ``g`` or the session."""
    return make_app()


@pytest.fixture
def ctx(app):
    """An app context for tests that read the database directly."""
    with app.app_context():
        yield app


@pytest.fixture
def feeds():
    """A loopback feed server (see tests/feedserver.py)."""
    from feedserver import FeedServer, start

    state = FeedServer()
    httpd, _thread = start(state)
    yield state
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def client(app):
    return app.test_client()


class Runner:
    """Invokes the real ``incident-hub`` command group against the test app."""

    def __init__(self, app):
        self._runner = app.test_cli_runner()

    def invoke(self, args: list[str], **kwargs):
        from incident_hub.cli import cli

        return self._runner.invoke(cli, args, **kwargs)


@pytest.fixture
def runner(app):
    return Runner(app)


@dataclass
class Person:
    email: str
    token: str
    password: str | None = None

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


# name -> (roles, functions); the leads between them cover every function of every playbook.
PEOPLE = {
    "admin": (["admin"], []),
    "triager": (["triager"], []),
    "legal": (["lead"], ["legal"]),
    "rights": (["lead"], ["human-rights"]),
    "policy": (["lead"], ["public-policy", "communications", "investor-relations"]),
    "tech": (["lead"], ["engineering", "security", "privacy", "trust-safety", "export-control"]),
    "exec": (["executive"], []),
    "outsider": (["lead"], ["export-control"]),  # leads a function no takedown case uses
}


@pytest.fixture
def people(app) -> dict[str, Person]:
    """One user per role (and leads for every function), each with an API token."""
    out = {}
    with app.app_context():
        for name, (roles, functions) in PEOPLE.items():
            user = create_user(
                CLI,
                email=f"{name}@example.org",
                name=name.title(),
                roles=roles,
                functions=functions,
            )
            out[name] = Person(user.email, issue_token(CLI, user, "test"))
    return out


class Api:
    """Calls the JSON API as one person, through the Flask test client (real HTTP handling)."""

    def __init__(self, client, person: Person | None):
        self.client, self.person = client, person

    def _headers(self) -> dict[str, str]:
        return self.person.headers if self.person else {}

    def get(self, path: str, **kw):
        return self.client.get(f"/api/v1{path}", headers=self._headers(), **kw)

    def post(self, path: str, json=None, **kw):  # noqa: ANN001
        return self.client.post(f"/api/v1{path}", json=json, headers=self._headers(), **kw)

    def delete(self, path: str, **kw):
        return self.client.delete(f"/api/v1{path}", headers=self._headers(), **kw)


@pytest.fixture
def api(client, people):
    """``api('legal').post(...)`` calls the API as that person; ``api(None)`` with no token."""
    return lambda name: Api(client, people[name] if name else None)


def open_case(api, playbook: str = "content-takedown", **extra) -> dict:
    body = {"title": "Order to remove 40 posts", "playbook": playbook, "jurisdiction": "TR"}
    body.update(extra)
    response = api("triager").post("/cases", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def working(after: datetime, hour: int = 10) -> datetime:
    """The first business day at ``hour``:00 UTC at or after ``after``, as the default config
    counts them: Monday to Friday, and not a public holiday in Turkey (``open_case``'s
    jurisdiction), so reminder tests do not depend on the day they run."""
    moment = after.astimezone(UTC).replace(hour=hour, minute=0, second=0, microsecond=0)
    if moment < after:
        moment += timedelta(days=1)
    while moment.weekday() >= 5 or moment.date() in holidays.country_holidays("TR"):
        moment += timedelta(days=1)
    return moment


def lead_for(function: str) -> str:
    return next(n for n, (_, fns) in PEOPLE.items() if function in fns and n != "outsider")


def analysis_body(app, case: dict, function: str, option: str | None = None) -> dict:
    playbook = app.extensions["incident_hub.playbooks"].get(case["playbook"])
    spec = playbook.function(function)
    return {
        "function": function,
        "analysis": f"{function} analysis of {case['ref']}",
        "recommendation": option or playbook.options[0].key,
        "answers": {q.key: f"answer to {q.key}" for q in spec.questions},
    }


CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


def set_password(app, email: str, password: str = "correct horse battery") -> str:
    from werkzeug.security import generate_password_hash

    from incident_hub.auth.models import User

    with app.app_context():
        user = db.session.execute(db.select(User).where(User.email == email)).scalar_one()
        user.password_hash = generate_password_hash(password, method="pbkdf2:sha256:1000")
        db.session.commit()
    return password


def web_login(client, app, email: str) -> None:
    """Sign in through the real login form (CSRF token and all)."""
    password = set_password(app, email)
    page = client.get("/login")
    response = client.post(
        "/login",
        data={
            "email": email,
            "password": password,
            "csrf_token": csrf_from(page.get_data(as_text=True)),
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


SLACK_IDS = {name: f"U{index:03d}TEST" for index, name in enumerate(PEOPLE)}


@pytest.fixture
def slack_ids(app, people) -> dict[str, str]:
    """Give everyone but the outsider a Slack id (the outsider stays unreachable)."""
    from incident_hub.auth.models import User

    with app.app_context():
        for name, person in people.items():
            if name != "outsider":
                user = db.session.execute(db.select(User).filter_by(email=person.email)).scalar()
                user.slack_user_id = SLACK_IDS[name]
        db.session.commit()
    return SLACK_IDS


def notices(app, **where) -> list:
    """Outbox rows matching ``where``, oldest first (detached, safe to read after)."""
    from incident_hub.notify.models import Notice

    with app.app_context():
        rows = db.session.execute(db.select(Notice).filter_by(**where).order_by(Notice.id))
        found = list(rows.scalars())
        db.session.expunge_all()
        return found


@pytest.fixture(scope="session")
def clf():
    """The shipped flagging rules (feeds/rules.toml and feeds/rules/*.toml), compiled once."""
    from incident_hub.watch.classify import load_rules

    return load_rules(ROOT / "feeds" / "rules.toml")


@pytest.fixture
def provider():
    """The loopback OpenID provider of tests/oidcprovider.py, fresh for one test (the SSO
    tests' own app fixtures point the app at it)."""
    from oidcprovider import Provider, start

    state = Provider()
    httpd, _thread = start(state)
    yield state
    httpd.shutdown()
    httpd.server_close()
