"""Every door of a feature lives in its folder and is registered in one place (doors.py)."""

from __future__ import annotations

import re
from pathlib import Path

from incident_hub import doors

PACKAGE = Path(doors.__file__).parent


def test_every_door_module_in_a_feature_folder_is_registered():
    found = {
        path.parent.name
        for kind in doors.KINDS
        for path in PACKAGE.glob(f"*/{kind}.py")
        if path.parent.name != "api"  # the shared API package itself
    }
    assert found - set(doors.FEATURES) == set(), "add these packages to doors.FEATURES"
    for feature in doors.FEATURES:
        assert (PACKAGE / feature / "__init__.py").is_file(), f"{feature} is not a package"


def test_nothing_registers_a_door_anywhere_else():
    wiring = re.compile(r"register_blueprint\(|\.add_command\(|@cli\.(command|group)\(")
    allowed = {PACKAGE / "doors.py", PACKAGE / "cli.py"}
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if path not in allowed
        and path.name != "cli.py"  # a feature's cli.py adds its own commands in register()
        and wiring.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
    assert not list(PACKAGE.glob("cli_*.py")), "a feature's commands belong in <feature>/cli.py"


def test_each_route_is_served_from_its_features_folder(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        module = app.view_functions[rule.endpoint].__module__
        parts = module.split(".")
        assert parts[0] == "incident_hub", (rule, module)
        if str(rule).startswith("/api/"):
            assert parts[-1] == "api" or module == "incident_hub.api.openapi", (rule, module)
            assert parts[1] in (*doors.FEATURES, "api"), (rule, module)


def test_every_feature_command_is_on_the_cli(runner):
    from incident_hub.cli import cli

    names = set(cli.commands)
    expected = {"users", "cases", "poll", "tick", "scheduler", "audit", "reports", "search"}
    assert expected <= names, expected - names
    assert runner.invoke(["cases", "--help"]).exit_code == 0


def test_each_door_module_imports_on_its_own():
    """A feature's cli.py imported first (as a module scan or a plugin loader does) must not
    find the ``incident-hub`` group half built: feature commands import console.py, never cli.py.
    """
    import subprocess
    import sys

    names = [
        f"incident_hub.{path.parent.name}.cli" for path in sorted(PACKAGE.glob("*/cli.py"))
    ] + ["incident_hub.demo", "incident_hub.doors"]
    script = "import importlib, sys\nimportlib.import_module(sys.argv[1])\n"
    for name in names:
        done = subprocess.run(
            [sys.executable, "-c", script, name], capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, f"{name}:\n{done.stderr[-2000:]}"
