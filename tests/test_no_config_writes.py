"""Tests build the app with its configuration; none writes ``app.config`` after start-up.

``create_app`` validates the configuration, so a value written into ``app.config`` later was
never checked (a typo just adds a key nobody reads). This reads every file under tests/ and
names each write; conftest's ``make_app`` also fails a test whose app's configuration changed
while it ran (which catches writes through an alias, e.g. ``limits = app.config["LIMITS"]``).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from conftest import config_changes, config_snapshot, marker_overrides, merged_config

from incident_hub import create_app
from incident_hub.config import ConfigError

TESTS = Path(__file__).resolve().parent
# A write the test really needs at run time says why on its line: ``# config-write-ok: <why>``.
ALLOWED = "# config-write-ok:"
MUTATORS = {"update", "setdefault", "pop", "popitem", "clear", "__setitem__", "__delitem__"}


def _is_config(node: ast.AST) -> bool:
    """``<anything>.config``, or a subscript of it (``app.config["SLACK"]["X"]``)."""
    while isinstance(node, ast.Subscript):
        node = node.value
    return isinstance(node, ast.Attribute) and node.attr == "config"


def config_writes(source: str, filename: str = "<test>") -> list[str]:
    """``file:line`` of every assignment to, deletion from or mutating call on ``X.config``."""
    found = []
    lines = source.splitlines()
    for node in ast.walk(ast.parse(source, filename)):
        span = lines[node.lineno - 1 : node.end_lineno] if hasattr(node, "lineno") else []
        if any(ALLOWED in line and line.split(ALLOWED, 1)[1].strip() for line in span):
            continue
        targets: list[ast.AST] = []
        if isinstance(node, ast.Assign | ast.Delete):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            func = node.func
            if func.attr in MUTATORS and _is_config(func.value):
                targets = [func.value]
            elif func.attr in {"setitem", "delitem"} and node.args:  # monkeypatch.setitem
                targets = [node.args[0]]
            elif func.attr in {"setattr", "delattr"} and len(node.args) >= 2:
                name = node.args[1]
                if isinstance(name, ast.Constant) and name.value == "config":
                    found.append(f"{filename}:{node.lineno}")
        flat = []
        for target in targets:
            flat += target.elts if isinstance(target, ast.Tuple | ast.List) else [target]
        if any(isinstance(t, ast.Subscript | ast.Attribute) and _is_config(t) for t in flat):
            found.append(f"{filename}:{node.lineno}")
    return sorted(set(found), key=lambda s: (s.split(":")[0], int(s.split(":")[1])))


def test_no_test_writes_app_config_after_start_up():
    writes = []
    for path in sorted(TESTS.rglob("*.py")):
        writes += config_writes(path.read_text(), str(path.relative_to(TESTS.parent)))
    assert not writes, (
        "these lines change app.config after create_app, skipping config validation; build "
        "the app with @pytest.mark.config(...), config_overrides or make_app(...) (conftest.py):\n"
        + "\n".join(writes)
    )


@pytest.mark.parametrize(
    "line",
    [
        'app.config["SLACK"]["SIGNING_SECRET"] = "s"',
        'hub.config["LIMITS"]["API"] = "5 per minute"',
        'app.config["BASE_URL"] = "https://x"',
        'app.config["OPS"] = dict(app.config["OPS"], LOG_FORMAT="json")',
        'app.config["SLACK"].update(BOT_TOKEN="t")',
        "app.config.update(TESTING=False)",
        'current_app.config.setdefault("X", 1)',
        'app.config["FEEDS"]["MAX_BYTES"] += 1',
        'del app.config["SLACK"]',
        'monkeypatch.setitem(app.config["SLACK"], "BOT_TOKEN", "")',
        'monkeypatch.setattr(app, "config", {})',
        "a, app.config['X'] = 1, 2",
        'app.config["X"] = 1  # config-write-ok:',  # a reason is required
    ],
)
def test_the_finder_sees_each_kind_of_write(line):
    assert config_writes(f"def test():\n    {line}\n") == ["<test>:2"]


@pytest.mark.parametrize(
    "line",
    [
        'url = app.config["SQLALCHEMY_DATABASE_URI"]',
        'assert app.config["FEEDS"]["ALLOW_PRIVATE_NETWORKS"] is False',
        'config = {k: app.config[k] for k in ("TESTING",)}',
        'config["LIMITS"] = {"SLACK": "3 per minute"}',  # a dict for create_app, not an app's
        'limits = dict(app.config.get("LIMITS"))',
        'app.config["X"] = 1  # config-write-ok: the app documents reloading X',
    ],
)
def test_the_finder_leaves_reads_alone(line):
    assert config_writes(f"def test():\n    {line}\n") == []


def test_a_write_at_run_time_is_caught_by_the_fixture_check(db_url, tmp_path):
    """What make_app checks at teardown: here on an app it does not track, so the write below
    does not fail this test (it is the point of it)."""
    (tmp_path / "feeds").mkdir()
    config = {"TESTING": True, "DATABASE_URL": db_url, "SECRET_KEY": "k"}
    built = create_app(config | {"FEEDS_DIR": str(tmp_path / "feeds")})
    snapshot = config_snapshot(built)
    assert config_changes(built, snapshot) == []
    limits = built.config["LIMITS"]  # an alias: invisible to the source check above
    limits["API"] = "1 per minute"
    built.config["TYPO_KEY"] = True  # config-write-ok: the write this check must catch
    assert config_changes(built, snapshot) == ["LIMITS.API", "TYPO_KEY"]


@pytest.mark.config(SLACK={"CASE_CHANELS": True})
def test_a_mistyped_marker_setting_fails_the_app_fixture(request, db_url):
    with pytest.raises(ConfigError, match=r"unknown key SLACK\.CASE_CHANELS"):
        request.getfixturevalue("app")


@pytest.mark.config(FEEDS={"MAX_BYTES": "a lot"})
def test_an_ill_typed_marker_setting_fails_the_app_fixture(request, db_url):
    with pytest.raises(ConfigError, match=r"FEEDS\.MAX_BYTES must be an integer, got str"):
        request.getfixturevalue("app")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"SLACK": {"MAX_PER_CHANNEL_PER_S": 0}}, "SLACK.MAX_PER_CHANNEL_PER_S must be positive"),
        ({"REMINDERS": {"TIMEZONE": "Mars/Olympus"}}, "unknown time zone 'Mars/Olympus'"),
        ({"BASEURL": "https://x"}, "unknown key 'BASEURL'"),
        ({"AUTH": {"SESSION_MAX_HOURS": True}}, "AUTH.SESSION_MAX_HOURS must be an integer"),
    ],
)
def test_make_app_refuses_invalid_settings(make_app, overrides, message):
    with pytest.raises(ConfigError, match=message.replace(".", r"\.").replace("(", r"\(")):
        make_app(**overrides)


@pytest.mark.config(SLACK={"CASE_CHANNELS": True, "ALERT_MIN_SCORE": 5.5})
class TestLayers:
    @pytest.mark.config(SLACK={"ALERT_MIN_SCORE": 6.0}, BASE_URL="https://hub.example.org")
    def test_the_closest_marker_wins_and_tables_merge_key_by_key(self, app, make_app):
        slack = app.config["SLACK"]
        assert (slack["CASE_CHANNELS"], slack["ALERT_MIN_SCORE"]) == (True, 6.0)
        assert slack["ANNOUNCE_CHANNEL"] == "#incident-hub"  # the default, still there
        assert app.config["SESSION_COOKIE_SECURE"] is True  # derived by create_app from https
        assert app.config["FEEDS"]["ALLOW_PRIVATE_NETWORKS"] is True  # the test default stays
        restarted = make_app(SLACK={"CASE_CHANNELS": False})
        assert restarted.config["SLACK"]["CASE_CHANNELS"] is False
        assert restarted.config["SLACK"]["ALERT_MIN_SCORE"] == 6.0
        assert restarted.config["SQLALCHEMY_DATABASE_URI"] == app.config["SQLALCHEMY_DATABASE_URI"]


def test_merged_config_merges_tables_key_by_key_and_keeps_its_inputs(request):
    base = {
        "SLACK": {"BOT_TOKEN": "a"},
        "AUTH": {"OIDC_ROLE_MAP": {"g": "lead"}, "LOCAL_LOGIN": True},
    }
    layers = ({"SLACK": {"CASE_CHANNELS": True}}, {"AUTH": {"OIDC_ROLE_MAP": {}}, "TESTING": True})
    out = merged_config(base, *layers)
    assert out["SLACK"] == {"BOT_TOKEN": "a", "CASE_CHANNELS": True}
    assert out["AUTH"] == {"OIDC_ROLE_MAP": {}, "LOCAL_LOGIN": True}  # a value is replaced whole
    assert out["TESTING"] is True
    assert base["SLACK"] == {"BOT_TOKEN": "a"} and base["AUTH"]["OIDC_ROLE_MAP"] == {"g": "lead"}
    assert marker_overrides(request.node) == []
