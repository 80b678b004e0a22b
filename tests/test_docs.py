"""The documents newcomers rely on stay true: README's commands, config.example.toml."""

from __future__ import annotations

import re

from conftest import ROOT

from incident_hub import create_app
from incident_hub.config import SCHEMA


def _readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    first_screen = text.split("\n---\n", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", first_screen)


def test_readme_first_screen_has_exactly_the_demo_and_test_commands():
    commands = _readme_commands()
    assert len(commands) == 2
    assert commands[0].endswith("incident-hub demo")
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command_exactly():
    assert _readme_commands()[1] in (ROOT / ".ci" / "run").read_text()


def test_config_example_loads_and_documents_every_key(monkeypatch):
    example = ROOT / "config.example.toml"
    monkeypatch.setenv("INCIDENT_HUB_CONFIG", str(example))
    app = create_app({"TESTING": True})
    assert app.config["FEEDS"]["ALLOW_PRIVATE_NETWORKS"] is False
    text = example.read_text()
    for key, spec in SCHEMA.items():
        keys = [f"{key}.{sub}" for sub in spec] if isinstance(spec, dict) else [key]
        for dotted in keys:
            name = dotted.split(".")[-1]
            match = re.search(rf"^(# )?{name} = ", text, re.M)
            assert match, f"{dotted} is not in config.example.toml"
            before = text[: match.start()].rstrip().splitlines()[-1]
            assert before.startswith("#"), f"{dotted} has no comment above it"
