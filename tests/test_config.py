"""Configuration: the app refuses to start on a bad config, naming the key, and starts with none.

Config reaches the app through ``create_app`` (as the web server does) and through the installed
``incident-hub`` console script (as an operator does); both are exercised here. The autouse
fixture in conftest points INCIDENT_HUB_INSTANCE_PATH at ``tmp_path / "instance"`` and clears
INCIDENT_HUB_CONFIG and DATABASE_URL, so each test starts with no configuration at all.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT

from incident_hub import create_app
from incident_hub.config import ConfigError

BIN = Path(sys.executable).parent
INCIDENT_HUB = shutil.which("incident-hub", path=str(BIN)) or shutil.which("incident-hub")


def instance() -> Path:
    """The instance folder conftest gives each test (it does not exist yet)."""
    return Path(os.environ["INCIDENT_HUB_INSTANCE_PATH"])


@pytest.fixture
def config_file(tmp_path, monkeypatch):
    """Write a TOML config file and point INCIDENT_HUB_CONFIG at it."""

    def write(text: str, name: str = "incident-hub.toml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        monkeypatch.setenv("INCIDENT_HUB_CONFIG", str(path))
        return path

    return write


def refused(match: str | None = None) -> str:
    """create_app() with the current environment must raise ConfigError; return its message."""
    with pytest.raises(ConfigError) as info:
        create_app()
    message = str(info.value)
    if match is not None:
        assert re.search(match, message), message
    return message


def run_cli(*args: str, input: str | None = None) -> subprocess.CompletedProcess:
    """Run the installed console script with the test's environment (as an operator would)."""
    assert INCIDENT_HUB, "the incident-hub console script is not installed in this venv"
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLASK_")}
    return subprocess.run(
        [INCIDENT_HUB, *args],
        capture_output=True,
        text=True,
        input=input,
        env=env,
        timeout=120,
        check=False,
    )


# --- create_app: every bad key is named -------------------------------------------------------


def test_unknown_top_level_key_is_refused_naming_key_and_file(config_file):
    path = config_file('SECRET_KEY = "s3cret-for-tests"\nTIMEZONE = "UTC"\n')
    message = refused()
    assert "TIMEZONE" in message and str(path) in message and "unknown" in message


def test_lowercase_key_is_unknown_and_the_uppercase_one_is_suggested(config_file):
    config_file('secret_key = "s3cret-for-tests"\n')
    message = refused("secret_key")
    assert "did you mean SECRET_KEY" in message


def test_unknown_key_in_a_section_is_named_with_its_section(config_file):
    path = config_file("[FEEDS]\nTIMEOUT_S = 5\nTIMEOUT = 5\n")
    message = refused(r"FEEDS\.TIMEOUT\b")
    assert str(path) in message and "TIMEOUT_S" in message  # suggests the real key


def test_unknown_section_is_refused(config_file):
    config_file("[SLAKC]\nBOT_TOKEN = 'xoxb-1'\n")
    refused("SLAKC")


@pytest.mark.parametrize(
    ("toml", "key", "wanted"),
    [
        ('[FEEDS]\nTIMEOUT_S = "ten"\n', "FEEDS.TIMEOUT_S", "number"),
        ("[FEEDS]\nALLOW_PRIVATE_NETWORKS = 1\n", "FEEDS.ALLOW_PRIVATE_NETWORKS", "true/false"),
        ('[FEEDS]\nALLOW_PRIVATE_NETWORKS = "yes"\n', "FEEDS.ALLOW_PRIVATE_NETWORKS", "true"),
        ("[FEEDS]\nMAX_BYTES = true\n", "FEEDS.MAX_BYTES", "integer"),
        ("[FEEDS]\nMIN_INTERVAL_MIN = 1.5\n", "FEEDS.MIN_INTERVAL_MIN", "integer"),
        ("BASE_URL = 5000\n", "BASE_URL", "string"),
        ("DATABASE_URL = ['sqlite://']\n", "DATABASE_URL", "string"),
        ('SLACK = "on"\n', "SLACK", "table"),
        ("[SLACK]\nCASE_CHANNELS = 0\n", "SLACK.CASE_CHANNELS", "true/false"),
        ('[SLACK]\nCASE_CHANNELS_PRIVATE = "no"\n', "SLACK.CASE_CHANNELS_PRIVATE", "true/false"),
        ('[REMINDERS]\nBUSINESS_DAYS = "weekdays"\n', "REMINDERS.BUSINESS_DAYS", "list"),
    ],
    ids=[
        "timeout-str",
        "flag-int",
        "flag-str",
        "int-bool",
        "int-float",
        "base-url-int",
        "db-url-list",
        "section-str",
        "slack-flag-int",
        "slack-private-str",
        "days-str",
    ],  # fmt: skip
)
def test_wrong_type_is_refused_naming_the_key(config_file, toml, key, wanted):
    path = config_file(toml)
    message = refused(re.escape(key))
    assert wanted in message and str(path) in message


@pytest.mark.parametrize(
    ("toml", "key"),
    [
        ("[FEEDS]\nTIMEOUT_S = 0\n", "FEEDS.TIMEOUT_S"),
        ("[FEEDS]\nMAX_BYTES = 0\n", "FEEDS.MAX_BYTES"),
        ("[FEEDS]\nMIN_INTERVAL_MIN = 60\nMAX_INTERVAL_MIN = 30\n", "MAX_INTERVAL_MIN"),
        ("[FEEDS]\nSAME_STORY_DAYS = -1\n", "FEEDS.SAME_STORY_DAYS"),
        ("[FEEDS]\nSAME_STORY_DAYS = 365\n", "FEEDS.SAME_STORY_DAYS"),
        ("[SLACK]\nMAX_PER_CHANNEL_PER_S = -1\n", "SLACK.MAX_PER_CHANNEL_PER_S"),
        ("[REMINDERS]\nBUSINESS_DAYS = [0, 1, 7]\n", "REMINDERS.BUSINESS_DAYS"),
        ("[REMINDERS]\nBUSINESS_DAYS = []\n", "REMINDERS.BUSINESS_DAYS"),
        ('[REMINDERS]\nWORKDAY_START = "9am"\n', "REMINDERS.WORKDAY_START"),
        ('[REMINDERS]\nWORKDAY_END = "25:00"\n', "REMINDERS.WORKDAY_END"),
        ('[REMINDERS]\nTIMEZONE = "Mars/Olympus_Mons"\n', "REMINDERS.TIMEZONE"),
        ("[EMAIL]\nENABLED = true\n", "EMAIL.SMTP_HOST"),
        ('[EMAIL]\nENABLED = true\nSMTP_HOST = "mail.example.org"\n', "EMAIL.FROM"),
        ('[EMAIL]\nFROM = "not an address"\n', "EMAIL.FROM"),
        ("[EMAIL]\nSSL = true\nSTARTTLS = true\n", "EMAIL.SSL"),
        ("[EMAIL]\nSMTP_PORT = 0\n", "EMAIL.SMTP_PORT"),
        ("[EMAIL]\nTIMEOUT_S = 0\n", "EMAIL.TIMEOUT_S"),
        ("[EMAIL]\nMAX_ATTEMPTS = 0\n", "EMAIL.MAX_ATTEMPTS"),
        ('[EMAIL]\nANNOUNCE_TO = ["board"]\n', "EMAIL.ANNOUNCE_TO"),
        (
            '[EMAIL]\nENABLED = true\nSMTP_HOST = "mail.example.org"\nFROM = "hub@example.org"\n'
            'USERNAME = "hub"\n',
            "EMAIL.PASSWORD",
        ),
    ],
)
def test_well_typed_but_unusable_value_is_refused_naming_the_key(config_file, toml, key):
    path = config_file(toml)
    assert str(path) in refused(re.escape(key))


def test_missing_playbooks_dir_is_refused_naming_key_and_path(config_file, tmp_path):
    missing = tmp_path / "no-such-playbooks"
    config_file(f'PLAYBOOKS_DIR = "{missing}"\n')
    message = refused("PLAYBOOKS_DIR")
    assert str(missing) in message


def test_invalid_toml_names_the_file_and_the_line(config_file):
    path = config_file('BASE_URL = "https://hub.example.org"\nSECRET_KEY = \n[FEEDS]\n')
    message = refused()
    assert str(path) in message
    assert re.search(r":2:|line 2\b", message), message


def test_config_path_in_env_that_does_not_exist_is_refused(tmp_path, monkeypatch):
    missing = tmp_path / "nowhere" / "config.toml"
    monkeypatch.setenv("INCIDENT_HUB_CONFIG", str(missing))
    message = refused("INCIDENT_HUB_CONFIG")
    assert str(missing) in message


def test_unknown_key_passed_to_create_app_is_refused():
    with pytest.raises(ConfigError, match="NOT_A_SETTING"):
        create_app({"SECRET_KEY": "s3cret-for-tests", "NOT_A_SETTING": 1})


# --- create_app: what a good config does -------------------------------------------------------


def test_values_from_the_file_reach_the_app_and_other_keys_keep_their_defaults(config_file):
    path = config_file(
        'SECRET_KEY = "from-the-file"\nBASE_URL = "https://hub.example.org"\n'
        "[FEEDS]\nTIMEOUT_S = 3\nALLOW_PRIVATE_NETWORKS = true\n"
        '[REMINDERS]\nBUSINESS_DAYS = [0, 1, 2, 3]\nTIMEZONE = "Europe/Berlin"\n'
    )
    app = create_app()
    assert app.config["CONFIG_SOURCE"] == str(path)
    assert app.config["SECRET_KEY"] == "from-the-file"
    assert app.config["BASE_URL"] == "https://hub.example.org"
    feeds = app.config["FEEDS"]
    assert feeds["TIMEOUT_S"] == 3.0 and isinstance(feeds["TIMEOUT_S"], float)
    assert feeds["ALLOW_PRIVATE_NETWORKS"] is True
    assert feeds["MAX_BYTES"] == 5_000_000  # untouched key of a touched section
    assert app.config["REMINDERS"]["BUSINESS_DAYS"] == [0, 1, 2, 3]
    assert app.config["SLACK"]["API_BASE_URL"] == "https://slack.com/api/"
    assert not (instance() / "secret_key").exists()  # configured secret: none generated


def test_https_base_url_makes_the_session_cookie_secure(config_file):
    config_file('SECRET_KEY = "k"\nBASE_URL = "https://hub.example.org"\n')
    app = create_app()
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_instance_config_toml_is_used_when_no_env_var_names_a_file(tmp_path):
    folder = instance()
    folder.mkdir()
    (folder / "config.toml").write_text('SECRET_KEY = "instance-secret"\nFEEDS_DIR = "/srv"\n')
    app = create_app()
    assert app.config["CONFIG_SOURCE"] == str(folder / "config.toml")
    assert app.config["SECRET_KEY"] == "instance-secret" and app.config["FEEDS_DIR"] == "/srv"
    (folder / "config.toml").write_text("SECRET = 1\n")
    message = refused("SECRET")
    assert str(folder / "config.toml") in message


def test_database_url_env_var_overrides_the_file(config_file, tmp_path, monkeypatch):
    config_file(f'SECRET_KEY = "k"\nDATABASE_URL = "sqlite:///{tmp_path / "from-file.db"}"\n')
    assert create_app().config["SQLALCHEMY_DATABASE_URI"].endswith("from-file.db")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'from-env.db'}")
    assert create_app().config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/from-env.db"


def test_heroku_style_postgres_url_is_normalised_to_psycopg(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://hub@db.internal:5432/hub")
    uri = create_app({"SECRET_KEY": "k"}).config["SQLALCHEMY_DATABASE_URI"]
    assert uri == "postgresql+psycopg://hub@db.internal:5432/hub"


def test_without_any_config_the_app_uses_sqlite_and_a_persisted_secret_in_the_instance():
    folder = instance()
    assert not folder.exists()
    app = create_app()
    assert app.config["CONFIG_SOURCE"] == "defaults"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{folder / 'incident_hub.sqlite3'}"
    assert app.config["PLAYBOOKS_DIR"] == str(ROOT / "playbooks")
    assert app.config["SLACK"]["BOT_TOKEN"] == ""  # Slack disabled
    secret = folder / "secret_key"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    key = app.config["SECRET_KEY"]
    assert len(key) >= 32 and secret.read_text().strip() == key
    assert create_app().config["SECRET_KEY"] == key  # reused on the next start


STARTER = """
import os, sys, time
from pathlib import Path
from incident_hub.config import secret_key
go = Path(sys.argv[2])
(go.parent / f"ready.{os.getpid()}").touch()
while not go.exists():  # every process is up and waiting: start them together
    time.sleep(0.002)
print(secret_key(sys.argv[1]))
"""


def test_every_process_starting_at_once_gets_the_same_complete_secret(tmp_path):
    """Web workers are processes that often start together on first boot; none may crash or
    sign with ''. Eight real processes race for the key (threads in one interpreter would test
    the GIL, not the file system)."""
    go = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", STARTER, str(instance()), str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(8)
    ]
    deadline = time.monotonic() + 120
    while len(list(tmp_path.glob("ready.*"))) < 8 and time.monotonic() < deadline:
        time.sleep(0.01)
    go.touch()
    results = [proc.communicate(timeout=120) for proc in procs]
    assert [err for _, err in results if err] == []
    keys = [out.strip() for out, _ in results]
    assert len(set(keys)) == 1 and keys[0]
    assert (instance() / "secret_key").read_text().strip() == keys[0]
    assert [p.name for p in instance().iterdir()] == ["secret_key"]  # no temp files left


def test_an_empty_secret_file_is_refused_rather_than_signing_with_an_empty_key(tmp_path):
    folder = instance()
    folder.mkdir()
    (folder / "secret_key").write_text("\n")
    message = refused("secret_key")
    assert str(folder) in message


# --- the installed console script ------------------------------------------------------------


@pytest.mark.parametrize(
    ("toml", "named"),
    [
        ("FOO = 1\n", "'FOO'"),
        ("[FEEDS]\nTIMEOUT_S = 5\nTIMOUT = 5\n", r"FEEDS\.TIMOUT\b"),
        ('[FEEDS]\nTIMEOUT_S = "ten"\n', r"FEEDS\.TIMEOUT_S"),
        ("[FEEDS]\nALLOW_PRIVATE_NETWORKS = 1\n", r"FEEDS\.ALLOW_PRIVATE_NETWORKS"),
        ('PLAYBOOKS_DIR = "/nonexistent/playbooks"\n', "PLAYBOOKS_DIR"),
        ('SECRET_KEY = "k"\nBASE_URL = \n', r"(:2:|line 2\b)"),
    ],
    ids=["unknown-key", "unknown-section-key", "timeout-str", "bool-as-int", "dir", "toml"],
)
def test_console_script_reports_a_bad_config_in_one_line_without_traceback(
    config_file, toml, named
):
    path = config_file(toml)
    result = run_cli("init-db")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert re.search(named, lines[0]) and "config" in lines[0].lower(), lines[0]
    if named != "PLAYBOOKS_DIR":
        assert str(path) in lines[0]
    assert not (Path(os.environ["INCIDENT_HUB_INSTANCE_PATH"]) / "incident_hub.sqlite3").exists()


def test_console_script_reports_a_missing_config_file(tmp_path, monkeypatch):
    monkeypatch.setenv("INCIDENT_HUB_CONFIG", str(tmp_path / "missing.toml"))
    result = run_cli("users", "token", "someone@example.org")
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "INCIDENT_HUB_CONFIG" in result.stderr and "missing.toml" in result.stderr


def test_console_script_without_config_initialises_sqlite_in_the_instance_folder(tmp_path):
    folder = instance()
    first = run_cli("init-db")
    assert first.returncode == 0, first.stderr
    database, secret = folder / "incident_hub.sqlite3", folder / "secret_key"
    assert database.is_file() and stat.S_IMODE(secret.stat().st_mode) == 0o600
    key = secret.read_text()
    with sqlite3.connect(database) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    assert {"users", "cases", "audit_events", "api_tokens", "alembic_version"} <= tables

    second = run_cli("init-db")  # idempotent, and the same secret is reused
    assert second.returncode == 0, second.stderr
    assert secret.read_text() == key

    created = run_cli(
        "users", "create", "--email", "ops@example.org", "--name", "Ops", "--role", "admin"
    )
    assert created.returncode == 0, created.stderr
    with sqlite3.connect(database) as conn:
        assert conn.execute("SELECT email FROM users").fetchall() == [("ops@example.org",)]


def test_console_script_creates_the_instance_folder_when_only_the_secret_is_configured(
    config_file, tmp_path
):
    config_file('SECRET_KEY = "configured-secret"\n')
    folder = instance()
    assert not folder.exists()
    result = run_cli("init-db")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert (folder / "incident_hub.sqlite3").is_file()
    assert not (folder / "secret_key").exists()


def test_console_script_uses_database_url_from_env_over_the_file(config_file, tmp_path,
                                                                 monkeypatch):  # fmt: skip
    config_file(f'SECRET_KEY = "k"\nDATABASE_URL = "sqlite:///{tmp_path / "from-file.db"}"\n')
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'from-env.db'}")
    result = run_cli("init-db")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "from-env.db").is_file()
    assert not (tmp_path / "from-file.db").exists()
