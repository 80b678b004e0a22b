"""``incident-hub playbooks check``: the shipped playbooks are valid; each kind of breakage is
reported as ``file:line: field: message`` with exit code 1, and the app refuses to start on it.

Each broken case copies the shipped ``playbooks/`` to a temporary folder and breaks one thing.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import ROOT, Runner, open_case, web_login

from incident_hub import create_app
from incident_hub.config import ConfigError
from incident_hub.playbooks import PlaybookError, load_dir

SHIPPED = ROOT / "playbooks"
INCIDENT_HUB = shutil.which("incident-hub", path=str(Path(sys.executable).parent)) or shutil.which(
    "incident-hub"
)
TAKEDOWN = "content-takedown.toml"


@pytest.fixture
def check(tmp_path):
    """Run ``incident-hub playbooks check [DIR]`` through the real command group.

    Checking files needs no database, so this runs once (not once per backend) against an app
    on a throwaway SQLite file.
    """
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret",
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}"})  # fmt: skip
    runner = Runner(app)
    return lambda *args: runner.invoke(["playbooks", "check", *map(str, args)])


@pytest.fixture
def copy(tmp_path) -> Path:
    target = tmp_path / "playbooks"
    shutil.copytree(SHIPPED, target)
    return target


def line_of(path: Path, needle: str, occurrence: int = 1) -> int:
    """1-based line number of the ``occurrence``-th line equal to ``needle`` (stripped)."""
    hits = [n for n, line in enumerate(path.read_text().splitlines(), 1) if line.strip() == needle]
    assert len(hits) >= occurrence, f"{needle!r} not found {occurrence} times in {path}"
    return hits[occurrence - 1]


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text()
    assert text.count(old) >= count, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count))


def problems(result) -> list[str]:
    """The problem lines printed (``file:line: field: message``), without the summary line."""
    return [line for line in result.output.splitlines() if not line.endswith("problem(s) found.")]


# --- the shipped playbooks ----------------------------------------------------------------


def test_shipped_playbooks_pass_the_check(check):
    result = check()
    assert result.exit_code == 0, result.output
    keys = sorted(load_dir(SHIPPED).playbooks)
    assert len(keys) >= 6
    for key in keys:
        assert re.search(rf"^ok  {re.escape(key)}: \d+ functions, \d+ options", result.output, re.M)
    assert f"{len(keys)} playbooks, " in result.output and "valid" in result.output


def test_shipped_playbooks_pass_when_named_explicitly(check):
    result = check(SHIPPED)
    assert result.exit_code == 0, result.output
    assert str(SHIPPED / TAKEDOWN) in result.output


# --- one broken thing at a time ------------------------------------------------------------


@dataclass
class Breakage:
    """Break one thing in ``dir``; return (file, field, acceptable lines, words in the message)."""

    name: str
    apply: Callable[[Path], tuple[str, str, set[int], tuple[str, ...]]]


def _bad_toml(d: Path):
    path = d / TAKEDOWN
    edit(path, "decision_due_days = 3", "decision_due_days = = 3")
    return TAKEDOWN, "decision_due_days", {line_of(path, "decision_due_days = = 3")}, ("TOML",)


def _unknown_function(d: Path):
    path = d / TAKEDOWN
    edit(path, 'key = "trust-safety"', 'key = "astrology"')
    line = line_of(path, 'key = "astrology"')
    return TAKEDOWN, "functions[2].key", {line}, ("unknown function", "astrology")


def _duplicate_function(d: Path):
    path = d / TAKEDOWN
    edit(path, 'key = "security"', 'key = "legal"')
    line = line_of(path, 'key = "legal"', occurrence=2)
    return TAKEDOWN, "functions[4].key", {line}, ("duplicate function", "legal")


def _unknown_field_in_function(d: Path):
    path = d / TAKEDOWN
    edit(path, "required = false", "requird = false")
    line = line_of(path, "requird = false")
    return TAKEDOWN, "functions[5].requird", {line}, ("unknown field",)


def _duplicate_playbook_key(d: Path):
    path = d / "network-shutdown.toml"
    edit(path, 'key = "network-shutdown"', 'key = "content-takedown"')
    line = line_of(path, 'key = "content-takedown"')
    return "network-shutdown.toml", "key", {line}, ("duplicate playbook key", TAKEDOWN)


def _duplicate_option(d: Path):
    path = d / TAKEDOWN
    edit(path, 'key = "seek-clarification"', 'key = "comply-narrowly"')
    line = line_of(path, 'key = "comply-narrowly"', occurrence=2)
    return TAKEDOWN, "options[1].key", {line}, ("duplicate option", "comply-narrowly")


def _one_option(d: Path):
    path = d / TAKEDOWN
    text = path.read_text()
    first = text.index("[[options]]")
    path.write_text(text[: text.index("[[options]]", first + 1)])
    return TAKEDOWN, "options", {line_of(path, "[[options]]")}, ("at least two",)


def _no_questions(d: Path):
    path = d / TAKEDOWN
    text = path.read_text()
    start = text.index('key = "security"')
    end = text.index("[[functions]]", start)
    path.write_text(text[:start] + 'key = "security"\ndue_days = 1\n\n' + text[end:])
    key_line = line_of(path, 'key = "security"')
    return TAKEDOWN, "functions[4].questions", {key_line - 1, key_line}, ("at least one",)


def _unknown_right(d: Path):
    path = d / TAKEDOWN
    edit(path, 'rights = ["expression", "privacy"]', 'rights = ["expression", "telepathy"]')
    line = line_of(path, 'rights = ["expression", "telepathy"]')
    return TAKEDOWN, "rights", {line}, ("unknown right", "telepathy")


def _urgent_not_a_flag(d: Path):
    path = d / TAKEDOWN  # a normal playbook, so its due_days stay right whatever urgent reads
    edit(
        path,
        'escalate_to = "#exec-escalations"',
        'escalate_to = "#exec-escalations"\nurgent = "yes"',
    )
    return TAKEDOWN, "urgent", {line_of(path, 'urgent = "yes"')}, ("true or false",)


def _required_question_not_a_flag(d: Path):
    path = d / TAKEDOWN  # the fourth question of legal (challenge-routes) is optional
    edit(path, 'key = "challenge-routes"', 'key = "challenge-routes"\nrequired = "yes"')
    line = line_of(path, 'required = "yes"')
    return TAKEDOWN, "functions[0].questions[3].required", {line}, ("true or false",)


def _no_functions_file(d: Path):
    (d / "functions.toml").unlink()
    return "functions.toml", "functions", {1}, ("functions.toml",)


BREAKAGES = [
    Breakage("bad-toml-syntax", _bad_toml),
    Breakage("unknown-function-key", _unknown_function),
    Breakage("duplicate-function", _duplicate_function),
    Breakage("unknown-field-in-function", _unknown_field_in_function),
    Breakage("duplicate-playbook-key", _duplicate_playbook_key),
    Breakage("duplicate-option-key", _duplicate_option),
    Breakage("fewer-than-two-options", _one_option),
    Breakage("missing-questions", _no_questions),
    Breakage("unknown-right", _unknown_right),
    Breakage("functions-toml-missing", _no_functions_file),
    Breakage("urgent-not-true-or-false", _urgent_not_a_flag),
    Breakage("required-question-not-true-or-false", _required_question_not_a_flag),
]


@pytest.mark.parametrize("breakage", BREAKAGES, ids=[b.name for b in BREAKAGES])
def test_broken_playbooks_fail_the_check_with_file_line_field_messages(check, copy, breakage):
    filename, field, lines, words = breakage.apply(copy)
    result = check(copy)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    found = problems(result)
    # Exactly the one thing broken is reported: no knock-on noise from it.
    assert len(found) == 1, "\n".join(found)
    assert result.output.rstrip().endswith("1 problem(s) found.")
    match = re.match(rf"^{re.escape(str(copy / filename))}:(\d+): (\S+): (.+)$", found[0])
    assert match, found[0]
    line, reported_field, message = int(match[1]), match[2], match[3]
    assert reported_field == field, found[0]
    assert line in lines, f"line {line} not in {sorted(lines)}: {found[0]}"
    for word in words:
        assert word in message, found[0]


def _assessment_form_rights(app, api, client) -> list[str]:
    """The rights the human-rights assessment form offers, read off the rendered page."""
    case = open_case(api)
    web_login(client, app, "rights@example.org")
    page = client.get(f"/cases/{case['ref']}/assessment")
    assert page.status_code == 200, page.status_code
    return re.findall(r'name="rights" value="([^"]+)"', page.get_data(as_text=True))


def test_every_right_the_assessment_form_offers_passes_the_playbook_check(
    app, api, client, check, copy
):
    """One list of rights: a playbook may name each right the assessment form accepts (it once
    refused ``due-process`` and ``access-to-information``), and nothing else."""
    offered = _assessment_form_rights(app, api, client)
    assert "due-process" in offered and "access-to-information" in offered, offered
    listed = ", ".join(f'"{right}"' for right in offered)
    edit(copy / TAKEDOWN, 'rights = ["expression", "privacy"]', f"rights = [{listed}]")
    result = check(copy)
    assert result.exit_code == 0, result.output
    assert re.search(r"^ok  content-takedown: ", result.output, re.M), result.output
    edit(copy / TAKEDOWN, '"due-process"', '"due-processes"')
    result = check(copy)
    assert result.exit_code == 1 and "unknown right 'due-processes'" in result.output
    # The same words are what the rules' [extra_rights] and the assessment API accept.
    assert "due-process" in result.output.split("known: ", 1)[1]


def test_a_question_may_be_marked_required(check, copy):
    """``required = true`` on a question is accepted (the shipped playbooks use it) and read;
    an unmarked question is optional."""
    shipped = load_dir(SHIPPED).get("content-takedown")
    assert shipped is not None
    legal = shipped.function("legal")
    assert legal is not None
    assert [q.key for q in legal.questions if q.required] == [
        "legal-basis",
        "scope",
        "penalties-deadline",
    ]
    edit(copy / TAKEDOWN, 'key = "challenge-routes"', 'key = "challenge-routes"\nrequired = true')
    result = check(copy)
    assert result.exit_code == 0, result.output
    function = load_dir(copy).get("content-takedown").function("legal")  # type: ignore[union-attr]
    assert function is not None
    assert [q.key for q in function.questions if q.required][-1] == "challenge-routes"


def test_every_problem_in_every_file_is_reported_in_one_pass(check, copy):
    edit(copy / TAKEDOWN, 'rights = ["expression", "privacy"]', 'rights = ["telepathy"]')
    edit(copy / "network-shutdown.toml", "[[options]]", "[[option]]")
    edit(copy / "data-localisation.toml", "decision_due_days = ", "decision_due_days = -")
    result = check(copy)
    assert result.exit_code == 1
    found = problems(result)
    for name in (TAKEDOWN, "network-shutdown.toml", "data-localisation.toml"):
        assert any(p.startswith(str(copy / name) + ":") for p in found), (name, found)
    assert any(": decision_due_days: " in p for p in found)
    assert any(": option: unknown field" in p for p in found)
    assert f"{len(found)} problem(s) found." in result.output


def test_a_directory_without_playbooks_fails_the_check(check, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    shutil.copy(SHIPPED / "functions.toml", empty)
    result = check(empty)
    assert result.exit_code == 1 and "no playbooks" in result.output


# --- the app refuses to start on broken playbooks -------------------------------------------


def test_create_app_refuses_a_broken_playbooks_dir_naming_the_file(copy, tmp_path):
    edit(copy / TAKEDOWN, 'key = "trust-safety"', 'key = "astrology"')
    with pytest.raises(ConfigError) as info:
        create_app({"SECRET_KEY": "k", "PLAYBOOKS_DIR": str(copy),
                    "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}"})  # fmt: skip
    message = str(info.value)
    assert "PLAYBOOKS_DIR" in message
    line = line_of(copy / TAKEDOWN, 'key = "astrology"')
    assert f"{copy / TAKEDOWN}:{line}: functions[2].key: unknown function" in message


def test_load_dir_lists_problems_for_callers(copy):
    (copy / "functions.toml").unlink()
    with pytest.raises(PlaybookError) as info:
        load_dir(copy)
    assert info.value.problems == [str(info.value)]
    assert info.value.problems[0].startswith(f"{copy / 'functions.toml'}:1: functions: ")


def _console(*args: str, config: Path) -> subprocess.CompletedProcess:
    """Run the installed console script with INCIDENT_HUB_CONFIG=config."""
    assert INCIDENT_HUB, "the incident-hub console script is not installed in this venv"
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLASK_")}
    env["INCIDENT_HUB_CONFIG"] = str(config)
    return subprocess.run([INCIDENT_HUB, *args], capture_output=True, text=True, env=env,
                          timeout=120, check=False)  # fmt: skip


def test_console_script_refuses_to_start_on_broken_playbooks(copy, tmp_path):
    edit(copy / TAKEDOWN, "[[options]]", "[[option]]")
    config = tmp_path / "hub.toml"
    config.write_text(f'SECRET_KEY = "k"\nPLAYBOOKS_DIR = "{copy}"\n')
    result = _console("init-db", config=config)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "PLAYBOOKS_DIR" in result.stderr and f"{copy / TAKEDOWN}:" in result.stderr


def test_check_without_a_directory_checks_the_configured_playbooks_dir(copy, tmp_path):
    for extra in copy.glob("*.toml"):
        if extra.name not in ("functions.toml", TAKEDOWN):
            extra.unlink()
    config = tmp_path / "hub.toml"
    config.write_text(f'SECRET_KEY = "k"\nPLAYBOOKS_DIR = "{copy}"\n')
    result = _console("playbooks", "check", config=config)
    assert result.returncode == 0, result.stderr
    assert str(copy / TAKEDOWN) in result.stdout and "1 playbooks" in result.stdout


def test_check_of_a_named_directory_runs_while_the_configured_playbooks_are_broken(copy, tmp_path):
    edit(copy / TAKEDOWN, "[[options]]", "[[option]]")
    config = tmp_path / "hub.toml"
    config.write_text(f'SECRET_KEY = "k"\nPLAYBOOKS_DIR = "{copy}"\n')
    result = _console("playbooks", "check", str(SHIPPED), config=config)
    assert result.returncode == 0, result.stderr
    assert "valid" in result.stdout
