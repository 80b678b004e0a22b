"""Authorization matrix generated from the app's URL map: every route × method × role × case
membership gets exactly the outcome ``authz_rules.RULES`` gives it, and nothing refused ever
carries case data.

For each cell the case (and alert) the request works on is fresh when the request changes
state. Every response is searched for the secrets of every case the role may not see: title and
summary must never appear, the reference only where the request itself carried it, and then the
answer must be the very answer a case that does not exist gets (existence is not leaked). A
refused request changes nothing. Web POSTs are sent with a CSRF token taken from a page, and
once more without one (400). Slack requests are sent unsigned (401) and signed as the role's
Slack user (answered, but only with what that user may see).
"""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass, replace
from urllib.parse import urlencode, urlsplit

import pytest
from authz_rules import (
    MEMBERSHIPS,
    NAMED_EMAIL,
    ROLE_PEOPLE,
    ROLES,
    RULES,
    Ctx,
    Rule,
    can_see,
    cells,
    expected,
)
from conftest import CLI, SLACK_IDS, Person, csrf_from, web_login
from flask import url_for
from slack_sdk.signature import SignatureVerifier

from incident_hub.auth.models import User
from incident_hub.auth.service import create_user, issue_token
from incident_hub.cases.models import Analysis, Assignment, Case, CaseMember, Decision, Follow
from incident_hub.evidence.models import Attachment
from incident_hub.extensions import db
from incident_hub.watch.models import Alert, FeedItem, Source

SLACK_SECRET = "matrix-signing-secret"
MATRIX_LIMITS = dict.fromkeys(("LOGIN", "API", "SLACK"), "100000 per minute")
UNKNOWN_SLACK_USER = "U0NOBODY"
MATRIX_SLACK_IDS = SLACK_IDS | {"counsel": "U0COUNSEL"}
NO_SUCH_REF = "INC-2999-9999"
REFUSED = {400, 401, 403, 404}
CSRF_VALUE = re.compile(r'(name="csrf_token" value=")[^"]+"')
FORM = "application/x-www-form-urlencoded"


def _route_methods(app) -> dict[tuple[str, str], str]:
    """(endpoint, method) -> rule, for every route but static files."""
    return {
        (rule.endpoint, method): rule.rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
    }


def test_every_route_has_an_authorization_rule(app):
    routes = _route_methods(app)
    missing = sorted(set(routes) - set(cells()))
    stale = sorted(set(cells()) - set(routes))
    assert not missing, "new route without an authorization rule: " + ", ".join(
        f"{method} {routes[(endpoint, method)]} ({endpoint})" for endpoint, method in missing
    )
    assert not stale, "authorization rule for a route that no longer exists: " + ", ".join(
        f"{method} {endpoint}" for endpoint, method in stale
    )


def test_matrix_figures(app, capsys):
    """How much the matrix covers; it covers exactly the URL map."""
    routes = _route_methods(app)
    assert set(routes) == set(cells())
    rules = {rule for rule in routes.values()}
    by_door: dict[str, int] = {}
    for endpoint, method in cells():
        door = RULES[endpoint][method].door
        by_door[door] = by_door.get(door, 0) + 1
    total = len(cells()) * len(ROLES) * len(MEMBERSHIPS)
    assert total == len(routes) * 7 * 2
    with capsys.disabled():
        print(
            f"\nauthz matrix: {len(rules)} routes, {len(cells())} route×method pairs "
            f"({', '.join(f'{n} {door}' for door, n in sorted(by_door.items()))}) "
            f"× {len(ROLES)} roles × {len(MEMBERSHIPS)} memberships = {total} cells "
            f"(+ one CSRF-less attempt per web POST cell, + Slack unsigned and signed)"
        )


@dataclass
class Registered:
    membership: str
    ref: str
    title: str
    summary: str


class World:
    """The app, its people, the cases and alerts the matrix works on, one browser per role."""

    def __init__(self, app, people):
        self.app, self.people = app, dict(people)
        self.api_client = app.test_client()
        self.browsers: dict[str, object] = {}
        self.cases: list[Registered] = []
        self.n = 0
        with app.app_context():
            counsel = create_user(  # every account has a role: a lead of an unassigned function
                CLI, email=NAMED_EMAIL, name="Counsel", roles=["lead"], functions=["export-control"]
            )
            self.people["counsel"] = Person(NAMED_EMAIL, issue_token(CLI, counsel, "matrix"))
            for person in ROLE_PEOPLE.values():
                user = db.session.execute(
                    db.select(User).filter_by(email=self.people[person].email)
                ).scalar_one()
                user.slack_user_id = MATRIX_SLACK_IDS[person]
            source = Source(key="matrix", title="Matrix feed", url="https://feeds.example.org/")
            db.session.add(source)
            db.session.commit()
            self.source_id = source.id
        # Shared state for read-only cells: a public and a restricted case, and alerts that
        # opened and were linked to them (their triage notes name the cases).
        opener, linked = self.new_alert(), self.new_alert()
        self.shared = {
            "public": self.new_case("public"),
            "restricted": self.new_case("restricted", alert_ids=[opener]),
        }
        self.call("admin", "POST", f"/api/v1/alerts/{linked}/link", {"case": self.shared_ref})
        self.shared_alert = linked

    @property
    def shared_ref(self) -> str:
        return self.shared["restricted"]["ref"]

    # --- state ---------------------------------------------------------------------------
    def call(self, role: str, method: str, path: str, json=None):  # noqa: ANN001, ANN201
        headers = {"Authorization": f"Bearer {self.people[ROLE_PEOPLE[role]].token}"}
        response = self.api_client.open(path, method=method, json=json, headers=headers)
        assert response.status_code < 300, (path, response.get_json())
        return response.get_json()

    def new_case(self, membership: str, **extra) -> dict:
        """A case opened by the admin, with secrets only it holds."""
        token = secrets.token_hex(6)
        body = {
            "title": f"Secret {membership} strategy {token}",
            "summary": f"Confidential demand summary {token}",
            "playbook": "content-takedown",
            "jurisdiction": "TR",
            "restricted": membership == "restricted",
            **extra,
        }
        case = self.call("admin", "POST", "/api/v1/cases", body)
        self.call("admin", "POST", f"/api/v1/cases/{case['ref']}/members", {"user": NAMED_EMAIL})
        self.cases.append(Registered(membership, case["ref"], body["title"], body["summary"]))
        return case

    def new_alert(self) -> int:
        self.n += 1
        with self.app.app_context():
            item = FeedItem(
                source_id=self.source_id,
                guid=f"item-{self.n}",
                link=f"https://feeds.example.org/{self.n}",
                content_hash=f"{self.n:064d}",
                title=f"Public law change {self.n}",
                flagged=True,
            )
            alert = Alert(item=item, source_id=self.source_id, score=1.0, topics=["takedown"])
            db.session.add_all([item, alert])
            db.session.commit()
            return alert.id

    def snapshot(self) -> dict:
        """Everything a refused request must leave as it was."""
        with self.app.app_context():
            rows = {
                "cases": db.select(Case.ref, Case.status, Case.round, Case.restricted, Case.title),
                "assignments": db.select(Assignment.id, Assignment.status),
                "analyses": db.select(Analysis.id, Analysis.current),
                "decisions": db.select(Decision.id),
                "follows": db.select(Follow.case_id, Follow.user_id),
                "members": db.select(CaseMember.case_id, CaseMember.user_id, CaseMember.kind),
                "sources": db.select(Source.key),
                "alerts": db.select(Alert.id, Alert.status, Alert.case_id),
                # attachment 1 is the matrix's own, put in place by the cell (authz_evidence)
                "attachments": db.select(Attachment.id).where(Attachment.id != 1),
            }
            return {k: sorted(map(tuple, db.session.execute(q))) for k, q in rows.items()}

    def context(self, rule: Rule, membership: str, role: str) -> Ctx:
        self.n += 1
        if not rule.fresh:
            case, alert = self.shared[membership], self.shared_alert
        else:
            case, alert = self.new_case(membership), self.new_alert()
            if rule.setup in ("decided", "monitoring", "closed"):
                self.call(
                    "exec",
                    "POST",
                    f"/api/v1/cases/{case['ref']}/decision",
                    {"option": "comply-narrowly", "rationale": "r", "override": True},
                )
            if rule.setup == "monitoring":  # re-reviewed by the legal lead
                self.call(
                    "exec",
                    "POST",
                    f"/api/v1/cases/{case['ref']}/monitoring",
                    {"every_days": 90, "owner": "legal@example.org"},
                )
            if rule.setup == "closed":
                self.call("admin", "POST", f"/api/v1/cases/{case['ref']}/close", {"note": "done"})
            if rule.setup == "dismissed":
                self.call("admin", "POST", f"/api/v1/alerts/{alert}/dismiss", {"reason": "r"})
        slack_user = (
            MATRIX_SLACK_IDS[ROLE_PEOPLE[role]] if role in ROLE_PEOPLE else UNKNOWN_SLACK_USER
        )
        return Ctx(self.app, case, alert, self.n, slack_user)

    # --- doors ---------------------------------------------------------------------------
    def browser(self, role: str, *, fresh: bool = False):  # noqa: ANN201
        if fresh or role not in self.browsers:
            browser = self.app.test_client()
            if role != "anonymous":
                web_login(browser, self.app, self.people[ROLE_PEOPLE[role]].email)
            if fresh:
                return browser
            self.browsers[role] = browser
        return self.browsers[role]

    @staticmethod
    def csrf_token(browser, role: str) -> str:  # noqa: ANN001
        """The browser's CSRF token, taken from a page once (it lasts as long as the session)."""
        if not hasattr(browser, "matrix_csrf"):
            page = browser.get("/login" if role == "anonymous" else "/")
            browser.matrix_csrf = csrf_from(page.get_data(as_text=True))
        return browser.matrix_csrf

    def send(self, endpoint: str, method: str, role: str, ctx: Ctx, *, mode: str = "ok"):  # noqa: ANN201
        """Send the cell's request; mode: ok · no-csrf (web) · unsigned (slack).
        Returns (response, what the request itself carried)."""
        rule = RULES[endpoint][method]
        fixed = {k: v(ctx) if callable(v) else v for k, v in rule.path.items()}
        values = {"ref": ctx.ref, "alert_id": ctx.alert_id, **fixed}
        with self.app.test_request_context():
            arguments = next(self.app.url_map.iter_rules(endpoint)).arguments
            unknown = set(arguments) - set(values)
            assert not unknown, f"{endpoint}: no value for URL argument(s) {unknown}"
            url = url_for(endpoint, **{k: values[k] for k in arguments})
        url += f"?{rule.query}" if rule.query else ""
        body = rule.body(ctx) if rule.body else None
        carried = f"{url} {body}"
        if rule.door == "api":
            headers = {}
            if role != "anonymous":
                headers["Authorization"] = f"Bearer {self.people[ROLE_PEOPLE[role]].token}"
            if isinstance(body, dict) and isinstance(body.get("file"), tuple):  # an upload
                sent = self.api_client.open(url, method=method, data=body, headers=headers)
                return sent, carried
            return self.api_client.open(url, method=method, json=body, headers=headers), carried
        if rule.door == "slack":
            raw = urlencode(body)
            headers = {} if mode == "unsigned" else _slack_signature(raw)
            return self.api_client.post(url, data=raw, headers=headers, content_type=FORM), carried
        browser = self.browser(role, fresh=rule.own_session)
        if method == "GET":
            return browser.get(url), carried
        form = dict(body or {})
        if mode != "no-csrf":
            form["csrf_token"] = self.csrf_token(browser, role)
        return browser.open(url, method=method, data=form), carried


def _slack_signature(raw: str) -> dict[str, str]:
    stamp = str(int(time.time()))
    signature = SignatureVerifier(SLACK_SECRET).generate_signature(timestamp=stamp, body=raw)
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature}


def _text(response) -> str:  # noqa: ANN001
    return response.get_data(as_text=True) + "\n" + response.headers.get("Location", "")


def _normalised(response, ref: str) -> tuple[int, str]:  # noqa: ANN001
    return response.status_code, CSRF_VALUE.sub(r"\1-", _text(response)).replace(ref, "<REF>")


def _assert_leaks_nothing(world: World, role: str, response, carried: str, refused: bool, where):  # noqa: ANN001
    """No case the role may not see shows through; a refusal shows no case at all. A reference
    may only come back where the request itself carried it (``no case INC-…``, the sign-in
    redirect's ``next=/cases/INC-…``); for a case the role may not see, the caller then checks
    that the answer is the one a case that does not exist gets."""
    text = _text(response)
    for case in world.cases:
        hidden = not can_see(role, case.membership)
        if hidden or refused:
            for secret in (case.title, case.summary):
                assert secret not in text, f"{where}: {secret!r} leaked"
        if (hidden or refused) and case.ref not in carried:
            assert not re.search(re.escape(case.ref) + r"(?!\d)", text), (
                f"{where}: the reference {case.ref} leaked (refused, or {role} may not see it)"
            )


def _check_cell(world: World, endpoint: str, method: str, role: str, membership: str) -> None:
    rule = RULES[endpoint][method]
    where = f"{method} {endpoint} as {role} on the {membership} case"
    ctx = world.context(rule, membership, role)
    want = expected(rule, role, membership)
    visible = can_see(role, membership)

    if rule.door == "web" and method != "GET":  # without a CSRF token: refused, no change
        before = world.snapshot()
        response, carried = world.send(endpoint, method, role, ctx, mode="no-csrf")
        assert response.status_code == 400, f"{where} without CSRF token: {response.status}"
        _assert_leaks_nothing(world, role, response, carried, True, where + " (no CSRF)")
        assert world.snapshot() == before, f"{where}: a request without CSRF token changed state"
    if rule.door == "slack":  # unsigned: 401, whoever sends it
        before = world.snapshot()
        response, carried = world.send(endpoint, method, role, ctx, mode="unsigned")
        assert response.status_code == 401, f"{where} unsigned: {response.status}"
        _assert_leaks_nothing(world, role, response, carried, True, where + " (unsigned)")
        assert world.snapshot() == before, f"{where}: an unsigned Slack request changed state"

    before = world.snapshot()
    response, carried = world.send(endpoint, method, role, ctx)
    status = response.status_code
    assert status == want, f"{where}: got {status}, want {want}: {_text(response)[:300]}"
    to_login = urlsplit(response.headers.get("Location", "")).path == "/login"
    refused = status in REFUSED or (role == "anonymous" and status == 302 and to_login)
    if rule.door == "web" and role == "anonymous" and "anonymous" not in rule.allow:
        assert to_login, f"{where}: anonymous sent to {response.headers.get('Location')}"
    if rule.door == "slack":
        refused = not visible
    _assert_leaks_nothing(world, role, response, carried, refused, where)
    if refused:
        assert world.snapshot() == before, f"{where}: the refused request changed state"
    elif rule.door == "web" and status == 302:  # the action worked: no error waits on the page
        page = world.browser(role).get(response.headers["Location"])
        assert page.status_code < 400 and "flash-error" not in page.get_data(as_text=True), (
            f"{where}: allowed, but the action failed: {page.get_data(as_text=True)[:500]}"
        )

    if rule.scope and not visible and ctx.ref in carried:
        # The case it may not see is answered exactly like a case that does not exist.
        ghost = replace(ctx, case={**ctx.case, "ref": NO_SUCH_REF})
        other, _ = world.send(endpoint, method, role, ghost)
        assert _normalised(response, ctx.ref) == _normalised(other, NO_SUCH_REF), (
            f"{where}: the answer differs from the answer for a case that does not exist"
        )


# Slack signs its calls with SLACK_SECRET; the matrix tests permissions, not rate limits.
@pytest.mark.config(SLACK={"SIGNING_SECRET": SLACK_SECRET}, LIMITS=MATRIX_LIMITS)
@pytest.mark.parametrize(("endpoint", "method"), cells(), ids=[f"{m} {e}" for e, m in cells()])
def test_authorization_matrix(app, people, endpoint, method):
    if (endpoint, method) not in _route_methods(app):
        pytest.fail(f"authorization rule for a route that no longer exists: {method} {endpoint}")
    world = World(app, people)
    for membership in MEMBERSHIPS:
        for role in ROLES:
            _check_cell(world, endpoint, method, role, membership)
