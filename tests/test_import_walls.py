"""The walls between the package's layers, checked over its imports (issue 13).

Every ``import`` in ``incident_hub/`` is read with ``ast`` (including imports inside functions
and under ``TYPE_CHECKING``: a lazy import is still a dependency), resolved to the module it
names, and checked against these rules:

- services never import a door: web views, the JSON API, Slack handlers, the CLI or
  ``incident_hub.web``;
- watch does not import cases or triage, not even through another module (an alert becomes a
  case only through triage);
- cases and triage do not import each other in a circle (triage calls cases; cases hears about
  alerts only through the hook triage registers);
- notify knows cases only through outbox rows and event payloads: nothing in notify imports
  cases, directly or through another module;
- models import no service: only other models and the leaf modules below.

An AST test rather than import-linter contracts: it needs no new dependency (import-linter
pulls in grimp, a compiled package, for a rule set this small), it sees lazy imports inside
functions exactly as import-linter does, and each rule is a few lines of Python that say what
they mean; a violation is reported as ``module:line imports target``.
"""

from __future__ import annotations

import ast
import textwrap
from functools import cache
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "incident_hub"
ROOT = "incident_hub"

# Modules that anything may import: no state, no service, no door.
LEAVES = {
    f"{ROOT}.{name}"
    for name in ("clock", "errors", "extensions", "types", "vocabulary", "actor", "transaction")
}


def module_name(path: Path, package: Path = PACKAGE) -> str:
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(
    source: str, module: str, is_package: bool, known: set[str]
) -> list[tuple[int, str]]:
    """(line, imported module) for every import in ``source``, relative ones resolved; ``from
    x import y`` names ``x.y`` when that is a module of the package, else ``x``."""
    out: list[tuple[int, str]] = []
    here = module.split(".") if is_package else module.split(".")[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                full = f"{target}.{alias.name}"
                out.append((node.lineno, full if full in known else target))
    return [(line, name) for line, name in out if name == ROOT or name.startswith(ROOT + ".")]


@cache
def graph() -> dict[str, list[tuple[int, str]]]:
    """Module -> its imports of the package, for every module in ``incident_hub/``."""
    files = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    known = set(files)
    return {
        name: imports_of(path.read_text(), name, path.name == "__init__.py", known)
        for name, path in files.items()
    }


def in_package(module: str, *packages: str) -> bool:
    return any(module == f"{ROOT}.{p}" or module.startswith(f"{ROOT}.{p}.") for p in packages)


def is_door(module: str) -> bool:
    """A way in from outside: a web view, the JSON API, a Slack handler, a CLI, app assembly."""
    last = module.rsplit(".", 1)[-1]
    return (
        module in (ROOT, f"{ROOT}.web", f"{ROOT}.demo", f"{ROOT}.doors")
        or in_package(module, "api", "slack", "scale")
        or last in ("views", "api", "cli", "sections")  # cases.sections assembles case pages
        or last.startswith(("cli_", "openapi", "views_"))  # views_account: more auth pages
        or module == f"{ROOT}.cli"
    )


def is_model(module: str) -> bool:
    return module.rsplit(".", 1)[-1] == "models"


def reaches(start: str, forbidden, edges) -> list[str] | None:  # noqa: ANN001
    """The shortest import chain from ``start`` to a module for which ``forbidden`` holds.

    The walk does not go on through ``incident_hub.auth``: who may see or change a case is
    asked of auth by every layer, and auth.permissions reads case membership (cases.models) to
    answer. That answer is a yes or no, not knowledge of cases. Nor through a door (a view, the
    API, ``web``): a service that imports one already breaks ``services_import_no_door``, and a
    page that imports the web plumbing does not thereby know cases. Every other path counts.
    """
    seen, queue = {start: [start]}, [start]
    while queue:
        current = queue.pop(0)
        for _line, target in edges.get(current, []):
            if target in seen:
                continue
            seen[target] = [*seen[current], target]
            if forbidden(target):
                return seen[target]
            if not (in_package(target, "auth") or is_door(target)):
                queue.append(target)
    return None


# --- the rules: each returns the violations in a graph ------------------------------------


def services_import_no_door(edges) -> list[str]:  # noqa: ANN001
    return [
        f"{module}:{line} imports {target}"
        for module, targets in edges.items()
        if not is_door(module)
        for line, target in targets
        if is_door(target) and target != ROOT
    ]


def models_import_no_service(edges) -> list[str]:  # noqa: ANN001
    return [
        f"{module}:{line} imports {target}"
        for module, targets in edges.items()
        if is_model(module)
        for line, target in targets
        if not (is_model(target) or target in LEAVES)
    ]


def watch_reaches_no_case(edges) -> list[str]:  # noqa: ANN001
    found = []
    for module in edges:
        if in_package(module, "watch"):
            chain = reaches(module, lambda m: in_package(m, "cases", "triage"), edges)
            if chain:
                found.append(" -> ".join(chain))
    return found


def notify_reaches_no_case(edges) -> list[str]:  # noqa: ANN001
    found = []
    for module in edges:
        if in_package(module, "notify"):
            chain = reaches(module, lambda m: in_package(m, "cases"), edges)
            if chain:
                found.append(" -> ".join(chain))
    return found


def cases_and_triage_no_circle(edges) -> list[str]:  # noqa: ANN001
    def crossing(source: str, target: str) -> list[str]:
        return [
            f"{module}:{line} imports {to}"
            for module, targets in edges.items()
            if in_package(module, source)
            for line, to in targets
            if in_package(to, target)
        ]

    there, back = crossing("triage", "cases"), crossing("cases", "triage")
    return back if there and back else []


RULES = [
    services_import_no_door,
    models_import_no_service,
    watch_reaches_no_case,
    notify_reaches_no_case,
    cases_and_triage_no_circle,
]


@pytest.mark.parametrize("rule", RULES, ids=[r.__name__ for r in RULES])
def test_the_package_keeps_its_walls(rule):
    violations = rule(graph())
    assert not violations, "\n".join(violations)


def test_the_graph_sees_every_kind_of_import():
    """The reader itself: relative, absolute, lazy (inside a function) and package imports."""
    known = {f"{ROOT}.cases", f"{ROOT}.cases.models", f"{ROOT}.notify.events", f"{ROOT}.web"}
    source = textwrap.dedent(
        """
        from ..cases.models import Case
        from ..notify import events
        import incident_hub.web
        def later():
            from .. import web
        """
    )
    found = [name for _line, name in imports_of(source, f"{ROOT}.x.y", False, known)]
    assert found == [f"{ROOT}.cases.models", f"{ROOT}.notify.events", f"{ROOT}.web", f"{ROOT}.web"]


# One bad import per rule, added to a copy of the real graph: each rule must catch its own.
BAD = [
    (services_import_no_door, f"{ROOT}.cases.service", f"{ROOT}.cases.views"),
    (services_import_no_door, f"{ROOT}.notify.messages", f"{ROOT}.web"),
    (services_import_no_door, f"{ROOT}.reports.dossier", f"{ROOT}.cases.api"),
    (services_import_no_door, f"{ROOT}.triage.service", f"{ROOT}.slack.views"),
    (models_import_no_service, f"{ROOT}.cases.models", f"{ROOT}.cases.service"),
    (watch_reaches_no_case, f"{ROOT}.watch.serialize", f"{ROOT}.cases.serialize"),
    (watch_reaches_no_case, f"{ROOT}.watch.grouping", f"{ROOT}.triage.service"),
    (notify_reaches_no_case, f"{ROOT}.notify.deliver", f"{ROOT}.cases.models"),
    (notify_reaches_no_case, f"{ROOT}.notify.queries", f"{ROOT}.followthrough.queries"),
    (cases_and_triage_no_circle, f"{ROOT}.cases.service", f"{ROOT}.triage.service"),
]


@pytest.mark.parametrize(
    ("rule", "module", "target"), BAD, ids=[f"{r.__name__}:{m}->{t}" for r, m, t in BAD]
)
def test_each_rule_fails_on_a_new_violation(rule, module, target):
    assert module in graph() and target in graph(), (module, target)
    edges = {name: list(targets) for name, targets in graph().items()}
    edges[module].append((1, target))
    assert rule(edges), f"{rule.__name__} missed {module} importing {target}"
