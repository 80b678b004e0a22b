"""Every third-party module the package imports is a declared dependency of the base install.

README's first command installs `pip install -e .` with no extras; a module that only the test
extra happens to bring in (as `requests` once did) would make the demo die at start-up on a
fresh machine while CI stayed green. This reads every module of `incident_hub/` — imports at
the top, inside functions and under TYPE_CHECKING alike — and maps each top-level name to the
distribution that provides it.

The one exception is an import inside a ``try:`` whose handler catches ImportError (or
ModuleNotFoundError): the code is written to run without that module (the optional Brotli
decoder), so it cannot break a base install.
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "incident_hub"


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _catches_import_error(node: ast.Try) -> bool:
    names = {"ImportError", "ModuleNotFoundError"}
    for handler in node.handlers:
        caught = handler.type
        options = caught.elts if isinstance(caught, ast.Tuple) else [caught]
        if any(isinstance(name, ast.Name) and name.id in names for name in options):
            return True
    return False


def _optional_imports(tree: ast.AST) -> set[int]:
    """ids of the import nodes written to fail softly (inside try/except ImportError)."""
    guarded: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Try) and _catches_import_error(node):
            for statement in node.body:
                guarded |= {id(inner) for inner in ast.walk(statement)}
    return guarded


def imported_modules(package: Path = PACKAGE) -> dict[str, set[str]]:
    """Top-level names of every absolute import (but optional ones) -> the files importing them."""
    found: dict[str, set[str]] = {}
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        optional = _optional_imports(tree)
        for node in ast.walk(tree):
            if id(node) in optional:
                continue
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], set()).add(
                    str(path.relative_to(package.parent))
                )
    return found


def third_party(modules: dict[str, set[str]]) -> dict[str, set[str]]:
    skip = set(sys.stdlib_module_names) | {"__future__", PACKAGE.name}
    return {name: files for name, files in modules.items() if name not in skip}


def base_dependencies() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {_normal(Requirement(spec).name) for spec in project["dependencies"]}


def undeclared(modules: dict[str, set[str]]) -> list[str]:
    """A line per third-party module that no base dependency provides."""
    provided_by = importlib.metadata.packages_distributions()
    declared = base_dependencies()
    problems = []
    for module, files in sorted(third_party(modules).items()):
        distributions = {_normal(d) for d in provided_by.get(module, [])}
        where = ", ".join(sorted(files)[:3])
        if not distributions:
            problems.append(f"{module} (imported by {where}) is not installed at all")
        elif not distributions & declared:
            problems.append(
                f"{module} (imported by {where}) comes from {', '.join(sorted(distributions))}, "
                "which is not in [project] dependencies of pyproject.toml"
            )
    return problems


def test_every_third_party_import_is_a_base_dependency():
    problems = undeclared(imported_modules())
    assert not problems, "undeclared imports:\n" + "\n".join(problems)


def test_the_check_finds_imports_anywhere_in_a_module(tmp_path):
    """A function-level or TYPE_CHECKING import of an undeclared module is found; relative
    imports, the standard library, declared dependencies and imports guarded by
    ``except ImportError`` are not reported."""
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "a.py").write_text(
        "from __future__ import annotations\nimport json, os.path\nfrom . import b\n"
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import yaml\n"
        "def f():\n    import not_a_module_anyone_ships.sub\n    from flask import Flask\n"
        "try:\n    import optional_speedup\nexcept ImportError:\n    optional_speedup = None\n"
        "try:\n    import toml\nexcept (ValueError, ModuleNotFoundError):\n    pass\n"
        "try:\n    import unguarded_missing\nexcept ValueError:\n    pass\n",
        encoding="utf-8",
    )
    assert set(third_party(imported_modules(package))) == {
        "yaml",
        "not_a_module_anyone_ships",
        "flask",
        "unguarded_missing",  # its try does not catch ImportError: still a crash if missing
    }
    problems = undeclared(imported_modules(package))
    assert len(problems) == 3, problems
    assert problems[0].startswith("not_a_module_anyone_ships (imported by pkg/a.py)")
    assert "is not installed at all" in problems[0]
    assert problems[1].startswith("unguarded_missing (imported by pkg/a.py) is not installed")
    assert problems[2].startswith("yaml (imported by pkg/a.py) comes from pyyaml")
