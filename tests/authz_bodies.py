"""The request bodies and the per-cell setup the authorization matrix (``authz_rules``) uses:
what one cell works on (``Ctx``), and the rows a route needs to exist before it is called."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

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


# --- engagement: the log is for the case's participants (the legal lead is one), executives and
# admins. The matrix has no organisation or entry of its own, so ``_engagement_one`` puts
# organisation 1 and entry 1 (on the cell's case, both added by the admin) in place before the
# request is sent: /organisations/1 and …/engagements/1 then name something real.
LOG = frozenset({"admin", "lead", "exec", "named"})  # engagement.queries.can_see_log
_ORG_1, _ENTRY_1 = {"org_id": "1"}, {"engagement_id": "1"}


def _engagement_one(c: Ctx) -> None:
    from datetime import date

    from incident_hub.auth.models import User
    from incident_hub.cases.models import Case
    from incident_hub.engagement.models import Engagement, Organisation
    from incident_hub.extensions import db

    with c.app.app_context():
        admin = db.session.execute(db.select(User).filter_by(email="admin@example.org")).scalar()
        if db.session.get(Organisation, 1) is None:
            db.session.add(Organisation(id=1, name="Matrix group", kind="expert", created_by_id=1))
        db.session.get(Organisation, 1).created_by_id = admin.id
        case = db.session.execute(db.select(Case).filter_by(ref=c.ref)).scalar()
        entry = db.session.get(Engagement, 1) or Engagement(id=1, summary="Met")
        if case is not None:  # not for the reference of a case that does not exist
            entry.case_id, entry.organisation_id, entry.engaged_on = case.id, 1, date(2025, 1, 5)
            entry.recorded_by_id, entry.confidential = admin.id, False
            db.session.add(entry)
        db.session.commit()


def _with_one(body: Body | None = None) -> Body:
    return lambda c: (_engagement_one(c), body(c) if body else None)[1]


def _new_org(c: Ctx) -> dict[str, str]:
    return {"name": f"Matrix org {c.n}", "kind": "civil_society", "country": "KE"}


def _entry_json(c: Ctx) -> dict[str, Any]:
    org = {"name": f"Matrix org {c.n}", "kind": "peer"}
    return {"organisation": org, "engaged_on": "2025-02-01", "summary": "Met", "confidential": True}


def _entry_form(c: Ctx) -> dict[str, str]:
    form = {"new_org_name": f"Matrix org {c.n}", "new_org_kind": "peer", "may_name": "no"}
    return form | {"engaged_on": "2025-02-01", "summary": "Met"}


# --- followthrough: actions (add: admins, executives and the case's opener, the admin here;
# done and review: the owner, the matrix's legal lead, admins and executives; waive: admins and
# executives) and links between cases (admins, triagers). As for engagement, ``_ft`` puts action
# 1 and link 1 on the cell's case before the request is sent, so …/actions/1 and …/links/1 are
# real; a new link goes to the first public case that is not the cell's own.
OWNERS = frozenset({"admin", "lead", "exec"})  # followthrough.service.can_complete
_ACTION_1, _LINK_1 = {"action_id": "1"}, {"link_id": "1"}


def _other_public(c: Ctx) -> str:
    from incident_hub.cases.models import Case
    from incident_hub.extensions import db

    with c.app.app_context():
        query = db.select(Case.ref).where(Case.restricted.is_(False), Case.ref != c.ref)
        return db.session.execute(query.order_by(Case.id)).scalars().first()


def _followthrough_one(c: Ctx, status: str) -> None:
    from datetime import UTC, datetime, timedelta

    from incident_hub.auth.models import User
    from incident_hub.cases.models import Case
    from incident_hub.extensions import db
    from incident_hub.followthrough.models import Action, CaseLink

    with c.app.app_context():
        case = db.session.execute(db.select(Case).filter_by(ref=c.ref)).scalar()
        if case is None:  # not for the reference of a case that does not exist
            return
        other = db.session.execute(db.select(Case).filter_by(ref=_other_public(c))).scalar()
        ids = {u.email: u.id for u in db.session.execute(db.select(User)).scalars()}
        admin = ids["admin@example.org"]
        stamp = datetime.now(UTC)
        action = db.session.get(Action, 1) or Action(id=1, title="Matrix action")
        action.case_id, action.round, action.status = case.id, case.round, status
        action.owner_id, action.created_by_id = ids["legal@example.org"], admin
        action.due_at, action.review_on = stamp - timedelta(days=1), stamp.date()
        action.note = action.effectiveness = ""
        link = db.session.get(CaseLink, 1) or CaseLink(id=1, kind="related")
        link.case_id, link.other_id, link.created_by_id = case.id, other.id, admin
        db.session.add_all([action, link])
        db.session.commit()


def _ft(body: Body | None = None, status: str = "open") -> Body:
    return lambda c: (_followthrough_one(c, status), body(c) if body else None)[1]


def _action_json(c: Ctx) -> dict[str, str]:
    return {"title": f"Matrix action {c.n}", "owner": "legal@example.org", "due_at": "2030-01-01"}


def _link_json(c: Ctx) -> dict[str, str]:
    return {"other": _other_public(c), "kind": "same_law", "note": "the same law"}


_DONE = _ft(lambda c: {"status": "done", "note": "published"})


# --- tokens: everyone lists and creates their own; ``_admin_token`` puts a live token of the
# admin's, id 1000, in place before the request, so /tokens/1000 names something real: the admin
# revokes it, to anyone else it is a token that does not exist (404). Revoking one of the cell's
# own tokens would end the role's access for the rest of the matrix.
_TOKEN_1000 = {"token_id": "1000"}


def _admin_token(c: Ctx) -> None:
    from datetime import UTC, datetime, timedelta

    from incident_hub.auth.models import ApiToken, User
    from incident_hub.extensions import db

    with c.app.app_context():
        admin = db.session.execute(db.select(User).filter_by(email="admin@example.org")).scalar()
        row = db.session.get(ApiToken, 1000) or ApiToken(id=1000, token_hash="0" * 64)
        row.user_id, row.name, row.revoked_at = admin.id, "matrix", None
        row.expires_at = datetime.now(UTC) + timedelta(days=1)
        db.session.add(row)
        db.session.commit()


def _new_token(c: Ctx) -> dict[str, str]:
    return {"name": f"matrix {c.n}"}


def _with_token(body: Body | None = None) -> Body:
    return lambda c: (_admin_token(c), body(c) if body else None)[1]


NEW_PASSWORD = "a fresh passphrase for the matrix"  # noqa: S105 (a test value)


def _password_change(c: Ctx) -> dict[str, str]:
    return {"current_password": "correct horse battery", "new_password": NEW_PASSWORD}
