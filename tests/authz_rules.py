"""Who may call which route: the expected outcome of every (endpoint, method) of the app.

``tests/test_authz_matrix.py`` walks ``app.url_map`` and tries every rule below as every role,
on a public case and on a restricted one. A route without an entry here fails that test, and so
does an entry whose route is gone: adding a route means deciding, here, who may call it.

Roles (``ROLE_PEOPLE`` maps them to the people of ``conftest.PEOPLE``):
  anonymous  no token, no session, an unknown Slack user
  admin      admin
  triager    triager (not a participant of the admin's restricted case)
  lead       lead of ``legal``, a function every content-takedown case assigns (a participant)
  outsider   lead of ``export-control`` only: not on the case (not a participant)
  exec       executive

Defaults, unless ``Rule.expect`` says otherwise for a role:
  anonymous           api 401 · web 302 to /login · slack 401
  role not in allow   403
  case not visible    404 (restricted case, triager and outsider): case-scoped routes look the
                      case up first (``scope="path"``); routes that take the case in the body
                      check the role first (``scope="body"``), so 403 for a role not allowed.
  allowed             ``Rule.ok``
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

ROLES = ("anonymous", "admin", "triager", "lead", "outsider", "exec")
MEMBERSHIPS = ("public", "restricted")
ROLE_PEOPLE = {
    "admin": "admin",
    "triager": "triager",
    "lead": "legal",
    "outsider": "outsider",
    "exec": "exec",
}
# Not participants of the restricted case the admin opens: it does not exist for them.
NOT_MEMBERS = frozenset({"triager", "outsider"})

EVERYONE = frozenset(ROLE_PEOPLE)
PUBLIC = EVERYONE | {"anonymous"}
ADMIN = frozenset({"admin"})
TRIAGE = frozenset({"admin", "triager"})  # can_open_case / can_triage
FILERS = frozenset({"admin", "lead"})  # can_file_for("legal")
DECIDERS = frozenset({"exec"})  # can_decide
MOVERS = frozenset({"admin", "exec"})  # can_move_to_decision
DECISION = {"option": "comply-narrowly", "rationale": "the order is overbroad"}


@dataclass
class Ctx:
    """What one cell of the matrix works on."""

    app: Any
    case: dict[str, Any]  # the case as the admin sees it through the API
    alert_id: int
    n: int  # unique per cell, for keys that must not repeat
    slack_user: str = ""  # the Slack user id the cell's role signs requests as

    @property
    def ref(self) -> str:
        return self.case["ref"]

    @property
    def restricted(self) -> bool:
        return self.case["restricted"]


Body = Callable[[Ctx], Any]


@dataclass(frozen=True)
class Rule:
    door: str  # api (bearer token) · web (session cookie, CSRF) · slack (signed form)
    allow: frozenset[str]
    ok: int = 200
    scope: str = ""  # "" · "path" (case ref in the URL) · "body" (case ref in the body)
    body: Body | None = None  # JSON for api, form fields for web, form body for slack
    setup: str = ""  # "" · "decided" (case) · "dismissed" (alert)
    fresh: bool = False  # changes state: a fresh case and alert for every cell
    own_session: bool = False  # ends the session (logout): a fresh browser for every cell
    expect: Mapping[str, int] = field(default_factory=dict)
    path: Mapping[str, str] = field(default_factory=dict)  # fixed path values
    query: str = ""  # a query string to add


def api(allow: frozenset[str], **kw: Any) -> Rule:
    return Rule("api", allow, **kw)


def web(allow: frozenset[str], **kw: Any) -> Rule:
    return Rule("web", allow, **kw)


def _analysis_json(c: Ctx) -> dict[str, Any]:
    from conftest import analysis_body

    return analysis_body(c.app, c.case, "legal")


def _analysis_form(c: Ctx) -> dict[str, str]:
    body = _analysis_json(c)
    answers = {f"answer-{k}": v for k, v in body["answers"].items()}
    return {"analysis": body["analysis"], "recommendation": body["recommendation"], **answers}


def _new_case(c: Ctx) -> dict[str, Any]:
    return {
        "title": f"Opened in the matrix {c.n}",
        "playbook": "content-takedown",
        "jurisdiction": "DE",
        "restricted": c.restricted,
    }


def _new_case_form(c: Ctx) -> dict[str, str]:
    form = {k: str(v) for k, v in _new_case(c).items() if k != "restricted"}
    return form | ({"restricted": "on"} if c.restricted else {})


def _new_source(c: Ctx) -> dict[str, str]:
    return {"key": f"matrix-{c.n}", "title": "A source", "url": "https://feeds.example.org/x.xml"}


def _note(c: Ctx) -> dict[str, str]:
    return {"note": "the ministry withdrew the order"}


def _slack_command(c: Ctx) -> dict[str, str]:
    return {"command": "/incident", "user_id": c.slack_user, "text": f"status {c.ref}"}


def _slack_follow(c: Ctx) -> dict[str, str]:
    action = {"action_id": "follow", "value": c.ref}
    payload = {"type": "block_actions", "user": {"id": c.slack_user}, "actions": [action]}
    return {"payload": json.dumps(payload)}


_CASE = {"scope": "path"}
_ACT = {"scope": "path", "fresh": True}  # a case action: it changes the case
_ALERT = {"fresh": True}  # an alert action: it changes the alert

RULES: dict[str, dict[str, Rule]] = {
    # --- JSON API ------------------------------------------------------------------------------
    "api.openapi": {"GET": api(PUBLIC)},  # the document is public; it holds no data
    "api.list_playbooks": {"GET": api(EVERYONE)},
    "api.list_cases": {"GET": api(EVERYONE)},  # restricted cases left out for non-members
    "api.open_case": {"POST": api(TRIAGE, ok=201, body=_new_case, fresh=True)},
    "api.get_case": {"GET": api(EVERYONE, **_CASE)},
    "api.case_timeline": {"GET": api(EVERYONE, **_CASE)},
    "api.file_analysis": {"POST": api(FILERS, ok=201, body=_analysis_json, **_ACT)},
    "api.record_decision": {
        "POST": api(DECIDERS, ok=201, body=lambda c: DECISION | {"override": True}, **_ACT)
    },
    "api.request_decision": {"POST": api(MOVERS, body=_note, **_ACT)},
    "api.close_case": {"POST": api(ADMIN, body=_note, **_ACT)},
    "api.reopen_case": {"POST": api(ADMIN, body=_note, setup="decided", **_ACT)},
    "api.waive_assignment": {
        "POST": api(ADMIN, body=_note, path={"function": "communications"}, **_ACT)
    },
    "api.follow": {"POST": api(EVERYONE, **_ACT)},
    "api.unfollow": {"DELETE": api(EVERYONE, **_ACT)},
    "api.sources": {"GET": api(EVERYONE)},
    "api.create_source": {"POST": api(ADMIN, ok=201, body=_new_source, fresh=True)},
    "api.alerts": {"GET": api(EVERYONE)},
    "api.alert": {"GET": api(EVERYONE)},
    "api.dismiss": {"POST": api(TRIAGE, body=lambda c: {"reason": "duplicate"}, **_ALERT)},
    "api.bulk_dismiss": {
        "POST": api(TRIAGE, body=lambda c: {"ids": [c.alert_id], "reason": "dup"}, **_ALERT)
    },
    "api.restore": {"POST": api(TRIAGE, setup="dismissed", **_ALERT)},
    "api.link": {"POST": api(TRIAGE, body=lambda c: {"case": c.ref}, scope="body", fresh=True)},
    "api.notices": {"GET": api(ADMIN)},  # audiences and payloads name people
    "api.audit_events": {"GET": api(ADMIN)},  # the trail names every case, restricted ones too
    "api.audit_head": {"GET": api(ADMIN)},
    # --- operations: health is public (503 here: no periodic job has run in the matrix);
    # metrics are off without [OPS] METRICS_TOKEN (tests/test_ops.py turns them on) ---------------
    "ops.healthz": {"GET": web(PUBLIC, expect={r: 503 for r in PUBLIC})},
    "ops.prometheus_metrics": {"GET": web(PUBLIC, expect={r: 404 for r in PUBLIC})},
    # --- web pages -----------------------------------------------------------------------------
    # Signing in is public; a signed-in user is sent home. The anonymous attempt uses a wrong
    # password (401: a right one would sign the anonymous browser in).
    "auth.login": {
        "GET": web(PUBLIC, expect={r: 302 for r in EVERYONE}),
        "POST": web(
            PUBLIC,
            ok=302,
            body=lambda c: {"email": "admin@example.org", "password": "not the password"},
            expect={"anonymous": 401},
        ),
    },
    # Single sign-on is off in the test configuration: both doors are closed to everyone.
    "auth.oidc_login": {"GET": web(PUBLIC, expect={r: 404 for r in PUBLIC})},
    "auth.oidc_callback": {"GET": web(PUBLIC, expect={r: 404 for r in PUBLIC})},
    # Re-authenticating is for a signed-in user (the password conftest.web_login set).
    "auth.reauth": {
        "GET": web(EVERYONE),
        "POST": web(EVERYONE, ok=302, body=lambda c: {"password": "correct horse battery"}),
    },
    "auth.logout": {"POST": web(EVERYONE, ok=302, own_session=True)},
    "cases.home": {"GET": web(EVERYONE)},
    "cases.case_list": {"GET": web(EVERYONE)},
    "cases.new_case": {
        "GET": web(TRIAGE),
        "POST": web(TRIAGE, ok=302, body=_new_case_form, fresh=True),
    },
    "cases.detail": {"GET": web(EVERYONE, **_CASE)},
    "cases.analysis_form": {
        "GET": web(FILERS, path={"function": "legal"}, **_CASE),
        "POST": web(FILERS, ok=302, path={"function": "legal"}, body=_analysis_form, **_ACT),
    },
    "cases.decision_form": {
        "GET": web(DECIDERS, **_CASE),
        "POST": web(DECIDERS, ok=302, body=lambda c: DECISION | {"override": "on"}, **_ACT),
    },
    "cases.follow": {"POST": web(EVERYONE, ok=302, **_ACT)},
    "cases.unfollow": {"POST": web(EVERYONE, ok=302, **_ACT)},
    "cases.request_decision": {"POST": web(MOVERS, ok=302, body=_note, **_ACT)},
    "cases.close": {"POST": web(ADMIN, ok=302, body=_note, **_ACT)},
    "cases.reopen": {"POST": web(ADMIN, ok=302, body=_note, setup="decided", **_ACT)},
    "cases.waive": {
        "POST": web(ADMIN, ok=302, body=_note, path={"function": "communications"}, **_ACT)
    },
    "triage.queue": {"GET": web(EVERYONE, query="status=linked")},  # notes name the cases
    "triage.dismiss": {
        "POST": web(TRIAGE, ok=302, body=lambda c: {"reason": "duplicate"}, **_ALERT)
    },
    "triage.bulk_dismiss": {
        "POST": web(TRIAGE, ok=302, body=lambda c: {"ids": c.alert_id, "reason": "x"}, **_ALERT)
    },
    "triage.restore": {"POST": web(TRIAGE, ok=302, setup="dismissed", **_ALERT)},
    "triage.link": {
        "POST": web(TRIAGE, ok=302, body=lambda c: {"case": c.ref}, scope="body", fresh=True)
    },
    "triage.sources": {
        "GET": web(EVERYONE),
        "POST": web(ADMIN, ok=302, body=_new_source, fresh=True),
    },
    "notices.notices": {"GET": web(ADMIN)},
    "audit.events": {"GET": web(ADMIN)},  # the trail names every case, restricted ones too
    "audit.export": {"GET": web(ADMIN)},
    "audit.verify": {"POST": web(ADMIN)},
    # --- Slack: an unsigned request is 401 for everyone; a signed one is answered (200) as the
    # mapped Slack user, who sees only the cases the same user sees on the web ----------------
    "slack.commands": {"POST": Rule("slack", EVERYONE, body=_slack_command, scope="body")},
    "slack.interactions": {
        "POST": Rule("slack", EVERYONE, body=_slack_follow, scope="body", fresh=True)
    },
}


def cells() -> list[tuple[str, str]]:
    """Every (endpoint, method) the rules cover, in a stable order."""
    return sorted((endpoint, method) for endpoint, rule in RULES.items() for method in rule)


def expected(rule: Rule, role: str, membership: str) -> int:
    """The status ``role`` must get from ``rule`` on a case of ``membership``."""
    if role in rule.expect:
        return rule.expect[role]
    if rule.door == "slack":  # signed: always answered; the reply carries any refusal
        return 200
    if role == "anonymous" and role not in rule.allow:
        return {"api": 401, "web": 302}[rule.door]
    hidden = bool(rule.scope) and membership == "restricted" and role in NOT_MEMBERS
    if hidden and (rule.scope == "path" or role in rule.allow):
        return 404
    if role not in rule.allow:
        return 403
    return rule.ok


def can_see(role: str, membership: str) -> bool:
    """May ``role`` see the case of ``membership`` at all?"""
    if role == "anonymous":
        return False
    return membership == "public" or role not in NOT_MEMBERS
