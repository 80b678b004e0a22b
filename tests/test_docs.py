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


def _ci_pattern(script: str) -> re.Pattern[str]:
    """The grep -E pattern a CI script uses to read its command out of README."""
    text = (ROOT / ".ci" / script).read_text()
    return re.compile(re.search(r"grep -m1 -E ([\"'])(.+?)\1", text).group(2))


def test_ci_reads_both_readme_commands_and_runs_them_as_written():
    demo, tests = _readme_commands()
    readme_lines = (ROOT / "README.md").read_text().splitlines()
    for script, command in (("newcomer-demo", demo), ("run", tests)):
        matches = [line for line in readme_lines if _ci_pattern(script).search(line)]
        assert matches[:1] == [command], (script, matches)
    assert 'bash -c "$test_cmd"' in (ROOT / ".ci" / "run").read_text()
    assert 'bash -c "$demo_cmd"' in (ROOT / ".ci" / "newcomer-demo").read_text()
    assert "bash .ci/newcomer-demo" in (ROOT / ".ci" / "run").read_text()
    assert "-c constraints.txt" in demo and "-c constraints.txt" in tests


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
