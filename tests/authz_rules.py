"""Who may call which route: the expected outcome of every (endpoint, method) of the app.

``tests/test_authz_matrix.py`` walks ``app.url_map`` and tries every rule below as every role,
on a public case and on a restricted one. A route without an entry here fails that test, and so
does an entry whose route is gone: adding a route means deciding, here, who may call it.

Roles (``ROLE_PEOPLE`` maps them to the people of ``conftest.PEOPLE``):
  anonymous  no token, no session, an unknown Slack user
  admin      admin
  triager    triager (not a participant of the admin's restricted case)
  lead       an *assigned lead*: leads ``legal``, a function every content-takedown case assigns,
             and was a lead of it when the case was opened (an assigned member)
  outsider   a *lead of an unassigned function*: leads ``export-control`` only (not a member)
  exec       executive
  named      a *named member*: like the outsider a lead of ``export-control`` only, but named on
             every case the matrix opens (``World.new_case``): sees the restricted case

Defaults, unless ``Rule.expect`` says otherwise for a role:
  anonymous           api 401 · web 302 to /login · slack 401
  role not in allow   403
  case not visible    404 (restricted case, triager and outsider): case-scoped routes look the
                      case up first (``scope="path"``); routes that take the case in the body
                      check the role first (``scope="body"``), so 403 for a role not allowed.
  allowed             ``Rule.ok``
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from authz_bodies import (  # noqa: F401  (re-exported for test_authz_matrix)
    _ACTION_1,
    _DONE,
    _ENTRY_1,
    _LINK_1,
    _ORG_1,
    _TOKEN_1000,
    DECISION,
    LOG,
    OWNERS,
    Body,
    Ctx,
    _action_json,
    _analysis_form,
    _analysis_json,
    _engagement_one,
    _entry_form,
    _entry_json,
    _followthrough_one,
    _ft,
    _link_json,
    _new_case,
    _new_case_form,
    _new_org,
    _new_source,
    _new_token,
    _note,
    _other_public,
    _password_change,
    _slack_command,
    _slack_follow,
    _with_one,
    _with_token,
)
from authz_evidence import _ATTACHMENT_1, ATTACHERS, _upload, _with_attachment
from authz_monitoring import MONITOR_KEEPERS, _change_json, _review_json, _start_json, _stop_json

ROLES = ("anonymous", "admin", "triager", "lead", "outsider", "exec", "named")
MEMBERSHIPS = ("public", "restricted")
ROLE_PEOPLE = {
    "admin": "admin",
    "triager": "triager",
    "lead": "legal",
    "outsider": "outsider",
    "exec": "exec",
    "named": "counsel",  # not in conftest.PEOPLE: test_authz_matrix.World creates the account
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
MEMBER_KEEPERS = frozenset({"admin", "exec"})  # can_manage_members (the opener is the admin)
# editing.can_edit: the opener (admin), executives, and the case's members who are leads (the
# assigned legal lead, the named counsel); not the triager, nor a lead not on the case
EDITORS = frozenset({"admin", "exec", "lead", "named"})
# can_record_stage: the opener (admin), triagers, executives, and members with the lead role
# (the assigned legal lead, the named member); not a lead who is not on the case
STAGE_KEEPERS = frozenset({"admin", "triager", "lead", "exec", "named"})
STAGE = {"stage": "adopted", "dated": "2026-03-01", "source_url": "https://gazette.example/1"}
NAMED_EMAIL = "counsel@example.org"  # the named member, on every case the matrix opens
COMMENT = lambda c: {"text": f"comment {c.n}"}  # noqa: E731
NO_COMMENT = {"comment_id": "999999"}
# assignees.may_route: the opener (admin) and triagers add functions and change playbooks;
# the legal assignment's owner (the legal lead, its one lead) also changes who it is assigned to
ROUTERS = frozenset({"admin", "triager"})
ASSIGNERS = ROUTERS | {"lead"}


@dataclass(frozen=True)
class Rule:
    door: str  # api (bearer token) · web (session cookie, CSRF) · slack (signed form)
    allow: frozenset[str]
    ok: int = 200
    scope: str = ""  # "" · "path" (case ref in the URL) · "body" (case ref in the body)
    body: Body | None = None  # JSON for api, form fields for web, form body for slack
    # "" · "decided" · "monitoring" (decided, re-reviews owned by the legal lead) · "closed"
    # (decided and closed) · "dismissed" (the last for an alert)
    setup: str = ""
    fresh: bool = False  # changes state: a fresh case and alert for every cell
    own_session: bool = False  # ends the session (logout): a fresh browser for every cell
    expect: Mapping[str, int] = field(default_factory=dict)
    path: Mapping[str, Any] = field(default_factory=dict)  # path values (or Ctx -> value)
    query: str = ""  # a query string to add


def api(allow: frozenset[str], **kw: Any) -> Rule:
    return Rule("api", allow, **kw)


def web(allow: frozenset[str], **kw: Any) -> Rule:
    return Rule("web", allow, **kw)


def _legal_draft(c: Ctx) -> str:
    return f"analysis:{c.ref}:legal"


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
    "api.edit_case": {"PATCH": api(EDITORS, body=lambda c: {"summary": f"edited {c.n}"}, **_ACT)},
    "api.case_timeline": {"GET": api(EVERYONE, **_CASE)},
    "api.case_rounds": {"GET": api(EVERYONE, **_CASE)},  # as the case; privileged withheld
    "api.file_analysis": {"POST": api(FILERS, ok=201, body=_analysis_json, **_ACT)},
    "api.record_decision": {
        "POST": api(DECIDERS, ok=201, body=lambda c: DECISION | {"override": True}, **_ACT)
    },
    "api.request_decision": {"POST": api(MOVERS, body=_note, **_ACT)},
    "api.close_case": {"POST": api(ADMIN, body=_note, **_ACT)},
    # what the government did next: admins and executives, once the round is closed
    "api.put_government_response": {
        "PUT": api(MOVERS, body=lambda c: {"government_response": "fined"}, setup="closed", **_ACT)
    },
    "api.reopen_case": {"POST": api(ADMIN, body=_note, setup="decided", **_ACT)},
    "api.waive_assignment": {
        "POST": api(ADMIN, body=_note, path={"function": "communications"}, **_ACT)
    },
    # need-to-know: everyone who sees the case sees who is on it; the opener, admins and
    # executives change it (a new named member: the human-rights lead; removed: the named one)
    "api.list_members": {"GET": api(EVERYONE, **_CASE)},
    "api.add_member": {
        "POST": api(MEMBER_KEEPERS, ok=201, body=lambda c: {"user": "rights@example.org"}, **_ACT)
    },
    "api.remove_member": {"DELETE": api(MEMBER_KEEPERS, path={"who": NAMED_EMAIL}, **_ACT)},
    # named assignees, and the functions of a running case (cases/assignees.py, case_functions)
    "api.change_assignees": {
        "PATCH": api(
            ASSIGNERS,
            body=lambda c: {"add_delegates": ["rights@example.org"]},
            path={"function": "legal"},
            **_ACT,
        )
    },
    "api.add_function": {
        "POST": api(ROUTERS, ok=201, body=lambda c: {"function": "engineering"}, **_ACT)
    },
    "api.change_playbook": {
        "PUT": api(ROUTERS, body=lambda c: {"playbook": "network-shutdown"}, **_ACT)
    },
    # lifting an unrestricted case's restriction changes nothing (200)
    "api.lift_restriction": {"POST": api(ADMIN, body=lambda c: {"reason": "order lapsed"}, **_ACT)},
    # the law's timeline: everyone who sees the case reads it; STAGE_KEEPERS add to it
    "api.list_stages": {"GET": api(EVERYONE, **_CASE)},
    "api.add_stage": {"POST": api(STAGE_KEEPERS, ok=201, body=lambda c: STAGE, **_ACT)},
    # discussion: everyone who sees the case reads and comments; only its author edits a
    # comment, and there is none to edit here (404 for all who see the case)
    "api.list_comments": {"GET": api(EVERYONE, **_CASE)},
    "api.add_comment": {"POST": api(EVERYONE, ok=201, body=COMMENT, **_ACT)},
    "api.edit_comment": {"PATCH": api(EVERYONE, ok=404, body=COMMENT, path=NO_COMMENT, **_CASE)},
    "api.follow": {"POST": api(EVERYONE, **_ACT)},
    "api.unfollow": {"DELETE": api(EVERYONE, **_ACT)},
    "api.sources": {"GET": api(EVERYONE)},
    "api.create_source": {"POST": api(ADMIN, ok=201, body=_new_source, fresh=True)},
    # sources admin: editing the matrix's own source (its title, as it is); polling is asked of
    # a key no source has, so the admin's cell is a 404 and no feed is fetched from anywhere
    "api.update_source": {
        "PATCH": api(ADMIN, body=lambda c: {"title": "Matrix feed"}, path={"key": "matrix"})
    },
    "api.poll_source": {"POST": api(ADMIN, path={"key": "no-such-source"}, expect={"admin": 404})},
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
    # reports: dashboard figures for everyone (each over the cases they may see); the
    # transparency export for the policy teams; a case's dossier for whoever may see the case
    "api.reports_summary": {"GET": api(EVERYONE)},
    "api.reports_transparency": {"GET": api(frozenset({"admin", "triager", "exec"}))},
    "api.case_dossier": {"GET": api(EVERYONE, **_CASE)},
    # assessment: anyone who sees the case reads it; admins and human-rights leads change it,
    # legal leads (the matrix's lead) Telenor's tests only, which is all these bodies send
    # drafts: your own draft of a form of a case you see; kept only for a form you may submit
    # (the legal analysis: admins and the legal lead); nobody has one to read at first
    "api.get_draft": {
        "GET": api(EVERYONE, path={"key": _legal_draft}, expect={r: 404 for r in EVERYONE}, **_CASE)
    },
    "api.put_draft": {
        "PUT": api(
            FILERS,
            body=lambda c: {"fields": {"analysis": "so far"}},
            path={"key": _legal_draft},
            **_ACT,
        )
    },
    "api.delete_draft": {"DELETE": api(EVERYONE, path={"key": _legal_draft}, **_ACT)},
    "api.get_case_assessment": {"GET": api(EVERYONE, **_CASE)},
    "api.put_case_assessment": {
        "PUT": api(FILERS, body=lambda c: {"tests": {"legal-basis": {"answer": "no"}}}, **_ACT)
    },
    # engagement: the directory is everyone's; the log is LOG's; edits are the creator's (admin)
    "api.list_organisations": {"GET": api(EVERYONE)},
    "api.create_organisation": {"POST": api(EVERYONE, ok=201, body=_new_org)},
    "api.get_organisation": {"GET": api(EVERYONE, body=_with_one(), path=_ORG_1)},
    "api.update_organisation": {
        "PATCH": api(ADMIN, body=_with_one(lambda c: {"notes": f"n{c.n}"}), path=_ORG_1)
    },
    # evidence: everyone who sees the case reads its (unprivileged) files; ATTACHERS add them
    "api.list_attachments": {"GET": api(EVERYONE, body=_with_attachment(), **_CASE)},
    "api.upload_attachment": {"POST": api(ATTACHERS, ok=201, body=_upload, **_ACT)},
    "api.get_attachment": {
        "GET": api(EVERYONE, body=_with_attachment(), path=_ATTACHMENT_1, **_CASE)
    },
    "api.list_engagements": {"GET": api(LOG, body=_with_one(), **_CASE)},
    "api.record_engagement": {"POST": api(LOG, ok=201, body=_entry_json, **_ACT)},
    "api.update_engagement": {
        "PATCH": api(ADMIN, body=_with_one(lambda c: {"advice": "wait"}), path=_ENTRY_1, **_ACT)
    },
    # followthrough (see _ft): actions on a decided case; links to the first other public case
    "api.list_actions": {"GET": api(EVERYONE, **_CASE)},
    "api.add_action": {"POST": api(MOVERS, ok=201, body=_action_json, setup="decided", **_ACT)},
    "api.update_action": {"PATCH": api(OWNERS, body=_DONE, path=_ACTION_1, **_ACT)},
    "api.list_links": {"GET": api(EVERYONE, **_CASE)},
    "api.link_case": {"POST": api(TRIAGE, ok=201, body=_link_json, **_ACT)},
    "api.unlink_case": {"DELETE": api(TRIAGE, body=_ft(), path=_LINK_1, **_ACT)},
    # monitoring (see authz_monitoring): started on a decided case by admins, executives and
    # the opener (the admin); changed and re-reviewed by the owner (legal), admins, executives
    "api.get_monitoring": {"GET": api(EVERYONE, **_CASE)},
    "api.start_monitoring": {
        "POST": api(MOVERS, ok=201, body=_start_json, setup="decided", **_ACT)
    },
    "api.change_monitoring": {
        "PATCH": api(MONITOR_KEEPERS, body=_change_json, setup="monitoring", **_ACT)
    },
    "api.list_reviews": {"GET": api(EVERYONE, **_CASE)},
    "api.record_review": {
        "POST": api(MONITOR_KEEPERS, ok=201, body=_review_json, setup="monitoring", **_ACT)
    },
    # precedent: search matches both matrix cases' titles; restricted ones are left out for
    # non-members (the matrix checks no secret leaks); similar cases of a case one may see
    "api.search_cases": {"GET": api(EVERYONE, query="q=secret+strategy")},
    # tokens: your own for everyone; someone else's (the admin's token 1000) only for admins
    "api.list_tokens": {"GET": api(EVERYONE)},
    "api.create_token": {"POST": api(EVERYONE, ok=201, body=_new_token)},
    "api.revoke_token": {
        "DELETE": api(
            ADMIN, body=_with_token(), path=_TOKEN_1000, expect={r: 404 for r in EVERYONE - ADMIN}
        )
    },
    "api.similar_cases_of": {"GET": api(EVERYONE, **_CASE)},
    # you: everyone reads and sets their own time zone (nobody else's through this route)
    "api.get_me": {"GET": api(EVERYONE)},
    "api.update_me": {"PATCH": api(EVERYONE, body=lambda c: {"timezone": "Asia/Tokyo"})},
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
    # Everyone sees their own sessions and may end them all (this one too: a fresh browser).
    "auth.session_list": {"GET": web(EVERYONE)},
    "auth.end_all_sessions": {"POST": web(EVERYONE, ok=302, own_session=True)},
    # your account: tokens (as the API above) and your password (a fresh browser per cell:
    # conftest.web_login sets the old password again)
    "auth.tokens_page": {
        "GET": web(EVERYONE),
        "POST": web(EVERYONE, body=_new_token),
    },
    "auth.revoke_token": {
        "POST": web(
            ADMIN,
            ok=302,
            body=_with_token(),
            path=_TOKEN_1000,
            expect={r: 404 for r in EVERYONE - ADMIN},
        )
    },
    "auth.timezone_page": {
        "GET": web(EVERYONE),
        "POST": web(EVERYONE, ok=302, body=lambda c: {"timezone": "Europe/Berlin"}),
    },
    "auth.notices_page": {
        "GET": web(EVERYONE),
        "POST": web(EVERYONE, ok=302, body=lambda c: {"notify_by": "both"}),
    },
    "auth.password_page": {
        "GET": web(EVERYONE),
        "POST": web(EVERYONE, ok=302, body=_password_change, own_session=True),
    },
    "assessment.edit": {
        "GET": web(FILERS, **_CASE),
        "POST": web(
            FILERS,
            ok=302,
            body=lambda c: {"assessment-form": "1", "test-legal-basis": "no", "version": "0"},
            **_ACT,
        ),
    },
    "cases.home": {"GET": web(EVERYONE)},
    "cases.case_list": {"GET": web(EVERYONE)},
    "precedent.search_page": {"GET": web(EVERYONE, query="q=secret+strategy")},  # see api
    "cases.new_case": {
        "GET": web(TRIAGE),
        "POST": web(TRIAGE, ok=302, body=_new_case_form, fresh=True),
    },
    "cases.detail": {"GET": web(EVERYONE, **_CASE)},
    "cases.edit_case": {
        "GET": web(EDITORS, **_CASE),
        "POST": web(EDITORS, ok=302, body=lambda c: {"summary": f"edited {c.n}"}, **_ACT),
    },
    "cases.analysis_form": {
        "GET": web(FILERS, path={"function": "legal"}, **_CASE),
        "POST": web(FILERS, ok=302, path={"function": "legal"}, body=_analysis_form, **_ACT),
    },
    "cases.decision_form": {
        "GET": web(DECIDERS, **_CASE),
        "POST": web(DECIDERS, ok=302, body=lambda c: DECISION | {"override": "on"}, **_ACT),
    },
    "cases.add_member": {
        "POST": web(MEMBER_KEEPERS, ok=302, body=lambda c: {"user": "rights@example.org"}, **_ACT)
    },
    "cases.remove_member": {"POST": web(MEMBER_KEEPERS, ok=302, path={"who": NAMED_EMAIL}, **_ACT)},
    "cases.change_assignees": {
        "POST": web(
            ASSIGNERS,
            ok=302,
            body=lambda c: {"delegate": "rights@example.org"},
            path={"function": "legal"},
            **_ACT,
        )
    },
    "cases.take_assignment": {"POST": web(ASSIGNERS, ok=302, path={"function": "legal"}, **_ACT)},
    "cases.add_function": {
        "POST": web(ROUTERS, ok=302, body=lambda c: {"function": "engineering"}, **_ACT)
    },
    "cases.change_playbook": {
        "POST": web(ROUTERS, ok=302, body=lambda c: {"playbook": "network-shutdown"}, **_ACT)
    },
    "cases.add_stage": {"POST": web(STAGE_KEEPERS, ok=302, body=lambda c: STAGE, **_ACT)},
    "discussion.add_comment": {"POST": web(EVERYONE, ok=302, body=COMMENT, **_ACT)},
    "discussion.edit_comment": {
        "POST": web(EVERYONE, ok=404, body=COMMENT, path=NO_COMMENT, **_CASE)
    },
    "cases.lift_restriction": {
        "POST": web(ADMIN, ok=302, body=lambda c: {"reason": "order lapsed"}, **_ACT)
    },
    "cases.save_draft": {
        "POST": web(
            FILERS, body=lambda c: {"analysis": "so far"}, path={"form": _legal_draft}, **_ACT
        )
    },
    "cases.discard_draft": {
        "POST": web(EVERYONE, ok=302, path={"form": _legal_draft}, query="next=/", **_ACT)
    },
    "cases.follow": {"POST": web(EVERYONE, ok=302, **_ACT)},
    "cases.unfollow": {"POST": web(EVERYONE, ok=302, **_ACT)},
    "cases.request_decision": {"POST": web(MOVERS, ok=302, body=_note, **_ACT)},
    "cases.close": {"POST": web(ADMIN, ok=302, body=_note, **_ACT)},
    "precedent.record_government_response": {
        "POST": web(
            MOVERS, ok=302, body=lambda c: {"government_response": "fined"}, setup="closed", **_ACT
        )
    },
    "cases.reopen": {"POST": web(ADMIN, ok=302, body=_note, setup="decided", **_ACT)},
    "cases.waive": {
        "POST": web(ADMIN, ok=302, body=_note, path={"function": "communications"}, **_ACT)
    },
    "evidence.upload": {"POST": web(ATTACHERS, ok=302, body=_upload, **_ACT)},
    "evidence.get_attachment": {
        "GET": web(EVERYONE, body=_with_attachment(), path=_ATTACHMENT_1, **_CASE)
    },
    "engagement.organisations": {"GET": web(EVERYONE)},
    "engagement.new_organisation": {
        "GET": web(EVERYONE),
        "POST": web(EVERYONE, ok=302, body=_new_org),
    },
    "engagement.organisation": {"GET": web(EVERYONE, body=_with_one(), path=_ORG_1)},
    "engagement.edit_organisation": {
        "GET": web(ADMIN, body=_with_one(), path=_ORG_1),
        "POST": web(ADMIN, ok=302, body=_with_one(_new_org), path=_ORG_1),
    },
    "engagement.new_engagement": {
        "GET": web(LOG, **_CASE),
        "POST": web(LOG, ok=302, body=_entry_form, **_ACT),
    },
    "engagement.edit_engagement": {
        "GET": web(ADMIN, body=_with_one(), path=_ENTRY_1, **_CASE),
        "POST": web(ADMIN, ok=302, body=_with_one(_entry_form), path=_ENTRY_1, **_ACT),
    },
    "followthrough.add_action": {
        "POST": web(MOVERS, ok=302, body=_action_json, setup="decided", **_ACT)
    },
    "followthrough.action_done": {
        "POST": web(OWNERS, ok=302, body=_ft(lambda c: {"note": "done"}), path=_ACTION_1, **_ACT)
    },
    "followthrough.action_waive": {
        "POST": web(MOVERS, ok=302, body=_ft(_note), path=_ACTION_1, **_ACT)
    },
    "followthrough.action_review": {
        "POST": web(
            OWNERS,
            ok=302,
            body=_ft(lambda c: {"effectiveness": "it worked"}, "done"),
            path=_ACTION_1,
            **_ACT,
        )
    },
    "monitoring.start": {"POST": web(MOVERS, ok=302, body=_start_json, setup="decided", **_ACT)},
    "monitoring.change": {
        "POST": web(MONITOR_KEEPERS, ok=302, body=_change_json, setup="monitoring", **_ACT)
    },
    "monitoring.stop": {
        "POST": web(MONITOR_KEEPERS, ok=302, body=_stop_json, setup="monitoring", **_ACT)
    },
    "monitoring.review": {
        "POST": web(MONITOR_KEEPERS, ok=302, body=_review_json, setup="monitoring", **_ACT)
    },
    "followthrough.link": {"POST": web(TRIAGE, ok=302, body=_link_json, **_ACT)},
    "followthrough.unlink": {"POST": web(TRIAGE, ok=302, body=_ft(), path=_LINK_1, **_ACT)},
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
    "watch.edit": {
        "GET": web(ADMIN, path={"key": "matrix"}),
        # the form sends every setting; without an address it is refused at the field (422),
        # after the permission check, and nothing is resolved or fetched
        "POST": web(ADMIN, ok=422, body=lambda c: {"title": "Matrix feed"}, path={"key": "matrix"}),
    },
    "watch.switch": {
        "POST": web(ADMIN, ok=302, body=lambda c: {"enabled": "true"}, path={"key": "matrix"})
    },
    "watch.poll_now": {"POST": web(ADMIN, path={"key": "no-such-source"}, expect={"admin": 404})},
    "triage.sources": {
        "GET": web(EVERYONE),
        "POST": web(ADMIN, ok=302, body=_new_source, fresh=True),
    },
    "notices.notices": {"GET": web(ADMIN)},
    "audit.events": {"GET": web(ADMIN)},  # the trail names every case, restricted ones too
    "audit.export": {"GET": web(ADMIN)},
    "audit.verify": {"POST": web(ADMIN)},
    # reports (see the API rules above); the dossier in the matrix is the Markdown one
    "reports.index": {"GET": web(EVERYONE)},
    "reports.transparency": {
        "GET": web(frozenset({"admin", "triager", "exec"}), path={"fmt": "csv"})
    },
    "reports.dossier": {"GET": web(EVERYONE, path={"fmt": "md"}, **_CASE)},
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
