"""One vocabulary per concept (issue 13): rights, topics, statuses, roles, origins and notice
kinds are defined in ``incident_hub/vocabulary.py`` and imported everywhere else.

The source check reads every module with ``ast`` and refuses a collection literal (tuple, list,
set, or a dict's keys) that spells out words of a vocabulary again: two or more statuses,
notice kinds, roles or origins (a group such as "open or awaiting decision" belongs in the
vocabulary too), or the whole list of rights or topics. Sample data that names a few rights
(the demo, the scale generator) is not a definition and is not flagged.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from incident_hub import vocabulary as v
from incident_hub.auth.models import ROLES as AUTH_ROLES

PACKAGE = Path(__file__).resolve().parent.parent / "incident_hub"

# Any two or more of these, spelled out elsewhere, is a second definition.
CLOSED_SETS = {
    "CASE_STATUSES": v.CASE_STATUSES,
    "ASSIGNMENT_STATUSES": v.ASSIGNMENT_STATUSES,
    "ALERT_STATUSES": v.ALERT_STATUSES,
    "NOTICE_STATUSES": v.NOTICE_STATUSES,
    "ACTION_STATUSES": v.ACTION_STATUSES,
    "NOTICE_KINDS": v.NOTICE_KINDS,
    "ROLES": v.ROLES,
    "SOURCE_ORIGINS": v.SOURCE_ORIGINS,
}
# Only the whole list spelled out again is a second definition.
WHOLE_LISTS = {"RIGHTS": v.RIGHTS, "TOPICS": v.TOPICS}

# Files other work owns in issue 13, still listing words by hand (see the hand-over note): the
# hand-written OpenAPI documents (deleted when the document is generated) and auth (roles).
ELSEWHERE: set[str] = set()  # files allowed to spell a vocabulary again: none


def respelled(source: str) -> list[tuple[int, str, list[str]]]:
    """(line, vocabulary, words) for each collection literal that spells a vocabulary again."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            items: list[ast.expr | None] = list(node.elts)
        elif isinstance(node, ast.Dict):
            items = list(node.keys)
        else:
            continue
        words = [i.value for i in items if isinstance(i, ast.Constant) and isinstance(i.value, str)]
        if len(words) < 2 or len(words) != len(items):
            continue
        for name, vocabulary in CLOSED_SETS.items():
            if set(words) <= set(vocabulary):
                found.append((node.lineno, name, words))
                break
        else:
            for name, vocabulary in WHOLE_LISTS.items():
                if set(words) == set(vocabulary):
                    found.append((node.lineno, name, words))
    return found


def test_no_module_spells_a_vocabulary_again():
    problems = []
    for path in sorted(PACKAGE.rglob("*.py")):
        where = path.relative_to(PACKAGE).as_posix()
        if where == "vocabulary.py" or where in ELSEWHERE:
            continue
        for line, name, words in respelled(path.read_text()):
            problems.append(f"incident_hub/{where}:{line}: {words} is {name}: import it")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("source", "hits"),
    [
        ('LIVE = ("open", "awaiting_decision")', ["CASE_STATUSES"]),
        ('q.where(Notice.status.in_(["pending", "sending"]))', ["NOTICE_STATUSES"]),
        ('HEAD = {"action_due": "soon", "action_overdue": "late"}', ["NOTICE_KINDS"]),
        ("R = (" + ", ".join(f'"{r}"' for r in v.RIGHTS) + ")", ["RIGHTS"]),
        ('SAMPLE = ["privacy", "expression"]', []),  # a few rights: data, not a definition
        ('x = ("open", "the door")', []),
        ('one = ("open",)', []),
    ],
)
def test_the_check_catches_a_respelled_vocabulary(source, hits):
    assert [name for _line, name, _words in respelled(source)] == hits


def test_roles_agree_with_auth():
    """auth.models offers the vocabulary's roles under its old name."""
    assert tuple(v.Role) == AUTH_ROLES


def test_the_wire_values_are_the_strings_they_always_were():
    """The enums are the contract of the database, the JSON API, the CLI and Slack: a member is
    its string, in JSON and in text, and the lists keep their order."""
    import json

    assert v.CASE_STATUSES == ("open", "awaiting_decision", "decided", "monitoring", "closed")
    # "triaged" is shown, never stored: an alert tied to a case the viewer may not see.
    assert v.ALERT_STATUSES == ("new", "dismissed", "linked", "case-opened", "triaged")
    assert v.NOTICE_STATUSES == ("pending", "sending", "sent", "failed", "cancelled")
    assert json.dumps([v.CaseStatus.AWAITING_DECISION, v.AlertStatus.CASE_OPENED]) == (
        '["awaiting_decision", "case-opened"]'
    )
    assert f"{v.NoticeKind.CASE_OPENED}:INC-1" == "case_opened:INC-1"
    assert v.status_label(v.CaseStatus.AWAITING_DECISION) == "Awaiting decision"
    assert v.status_label("unheard-of") == "unheard-of"
    assert set(v.RIGHT_LABELS) == set(v.RIGHTS) and set(v.TOPIC_LABELS) == set(v.TOPICS)
