"""Who hears about what: turn a case or alert event into outbox notices, in the same transaction.

Service functions call these right after writing their audit event; each notice's dedup key is
tied to that event, so a notice exists exactly when its cause was committed.
"""

from __future__ import annotations

import re

from flask import current_app
from sqlalchemy import select, update

from ..audit.models import AuditEvent
from ..auth.models import User, UserRole
from ..auth.permissions import leads_of
from ..cases.models import Analysis, Case, Decision, Follow
from ..extensions import db
from ..playbooks import registry
from .messages import alert_message, case_message
from .models import Notice
from .outbox import enqueue

REMINDER_KINDS = ("assignment_overdue", "decision_reminder", "decision_escalation")


def audience_of(user: User) -> str:
    """A user's Slack DM target, or a marker that they cannot be reached (no Slack id)."""
    return user.slack_user_id or f"user:{user.email}"


def _slack() -> dict:
    return current_app.config["SLACK"]


def _send(
    kind: str, case: Case, event: AuditEvent, audience: str, payload: dict, tag: str = ""
) -> None:
    key = f"{kind}:{case.ref}:{event.id}:{tag}:{audience}"
    enqueue(kind, audience, payload, key, case_id=case.id)


def _to_users(
    kind: str,
    case: Case,
    event: AuditEvent,
    users: list[User],
    payload: dict,
    *,
    exclude: set[int] | None = None,
    tag: str = "",
) -> set[int]:
    """One direct message per active user (each once); returns the ids messaged."""
    sent: set[int] = set()
    for user in users:
        if user.id in sent or not user.active or (exclude and user.id in exclude):
            continue
        sent.add(user.id)
        _send(kind, case, event, audience_of(user), payload, tag)
    return sent


def _to_case_room(kind: str, case: Case, event: AuditEvent, payload: dict) -> None:
    """The case's own channel when SLACK.CASE_CHANNELS is on, else the announce channel."""
    room = f"case:{case.ref}" if _slack()["CASE_CHANNELS"] else _slack()["ANNOUNCE_CHANNEL"]
    _send(kind, case, event, room, payload)


def followers(case: Case) -> list[User]:
    return list(
        db.session.execute(
            select(User).join(Follow, Follow.user_id == User.id).where(Follow.case_id == case.id)
        ).scalars()
    )


def executives() -> list[User]:
    return list(
        db.session.execute(
            select(User).join(UserRole).where(UserRole.role == "executive", User.active.is_(True))
        ).scalars()
    )


def involved(case: Case) -> list[User]:
    """Opener, the leads asked to file, and whoever filed or decided on the case."""
    people = [case.opened_by]
    for assignment in case.assignments:
        people.extend(leads_of(assignment.function_key))
    authors = select(Analysis.author_id).where(Analysis.case_id == case.id)
    deciders = select(Decision.executive_id).where(Decision.case_id == case.id)
    people.extend(
        db.session.execute(
            select(User).where(User.id.in_(authors) | User.id.in_(deciders))
        ).scalars()
    )
    return people


def channel_name(case: Case) -> str:
    """inc-2026-0007-<slug of the title>; restricted cases get no title in the name."""
    slug = "" if case.restricted else re.sub(r"[^a-z0-9]+", "-", case.title.lower()).strip("-")
    return f"{case.ref.lower()}-{slug}"[:80].rstrip("-")


def _create_case_channel(case: Case, event: AuditEvent, suffix: str = "") -> None:
    invite = [u.slack_user_id for u in involved(case) if u.slack_user_id and u.active]
    payload = {
        "action": "create_channel",
        "name": channel_name(case)[: 80 - len(suffix)] + suffix,
        "topic": case.ref if case.restricted else f"{case.ref}: {case.title}"[:250],
        "invite": sorted(set(invite)),
        "private": case.restricted,
    }
    key = f"case_channel:{case.ref}:{event.id}"
    enqueue("case_channel", f"case:{case.ref}", payload, key, case_id=case.id)


def case_opened(case: Case, event: AuditEvent) -> None:
    """Announce the case, create its channel if configured, and ask each lead for their part."""
    if _slack()["CASE_CHANNELS"]:
        _create_case_channel(case, event)
    _send(
        "case_opened",
        case,
        event,
        _slack()["ANNOUNCE_CHANNEL"],
        case_message(case, "Case opened", due=case.decision_due_at),
    )
    playbook = registry().get(case.playbook_key)
    for assignment in case.assignments:
        spec = playbook.function(assignment.function_key) if playbook else None
        asked = (
            f"You are asked for the {registry().function_title(assignment.function_key)} "
            f"analysis ({len(spec.questions) if spec else 0} questions) and a recommendation."
        )
        payload = case_message(case, "Your analysis is needed", due=assignment.due_at, detail=asked)
        _to_users(
            "assignment",
            case,
            event,
            leads_of(assignment.function_key),
            payload,
            tag=assignment.function_key,
        )


def analysis_filed(case: Case, analysis: Analysis, event: AuditEvent) -> None:
    title = registry().function_title(analysis.function_key)
    payload = case_message(case, f"{title} analysis filed", due=case.decision_due_at)
    _to_case_room("analysis_filed", case, event, payload)
    _to_users("analysis_filed", case, event, followers(case), payload, exclude={analysis.author_id})


def awaiting_decision(case: Case, event: AuditEvent) -> None:
    payload = case_message(
        case,
        "Decision needed",
        due=case.decision_due_at,
        detail="Every function's recommendation is in.",
    )
    told = _to_users("awaiting_decision", case, event, executives(), payload)
    _to_users(  # an executive who follows the case is told once (one dedup key per audience)
        "awaiting_decision",
        case,
        event,
        followers(case),
        case_message(case, "Awaiting decision", due=case.decision_due_at),
        exclude=told,
    )


def decision_recorded(case: Case, decision: Decision, event: AuditEvent) -> None:
    playbook = registry().get(case.playbook_key)
    option = playbook.option(decision.option_key) if playbook else None
    payload = case_message(
        case,
        "Decision recorded",
        detail=f"Decision: {option.title if option else decision.option_key}",
    )
    _to_case_room("decision_recorded", case, event, payload)
    _to_users("decision_recorded", case, event, involved(case) + followers(case), payload)
    cancel_reminders(case)


def status_changed(case: Case, status: str, event: AuditEvent) -> None:
    """Reopened or closed: tell everyone involved and every follower; archive the case channel."""
    headline = {"open": "Case reopened", "closed": "Case closed"}[status]
    if status == "open" and _slack()["CASE_CHANNELS"] and case.slack_channel_id:
        # The old channel was archived on close: a new round gets a fresh channel.
        case.slack_channel_id = ""
        _create_case_channel(case, event, f"-r{case.round}")
    payload = case_message(case, headline, due=case.decision_due_at if status == "open" else None)
    _to_case_room(f"case_{'reopened' if status == 'open' else 'closed'}", case, event, payload)
    _to_users(f"case_{status}", case, event, involved(case) + followers(case), payload)
    if status == "closed":
        cancel_reminders(case)
        if _slack()["CASE_CHANNELS"]:
            enqueue(
                "case_channel",
                f"case:{case.ref}",
                {"action": "archive_channel"},
                f"case_channel_archive:{case.ref}:{event.id}",
                case_id=case.id,
            )


def cancel_reminders(case: Case) -> None:
    """A decision (or closing) stops every reminder still waiting to go out for the case."""
    db.session.execute(
        update(Notice)
        .where(
            Notice.case_id == case.id, Notice.status == "pending", Notice.kind.in_(REMINDER_KINDS)
        )
        .values(status="cancelled", last_error="the case was decided or closed")
    )


def alerts_flagged(alerts: list[dict]) -> None:
    """Alerts at or above SLACK.ALERT_MIN_SCORE go to the triage channel (see alert_message)."""
    threshold = _slack()["ALERT_MIN_SCORE"]
    for alert in alerts:
        if alert["score"] >= threshold:
            enqueue(
                "alert_flagged",
                _slack()["TRIAGE_CHANNEL"],
                alert_message(alert),
                f"alert_flagged:{alert['id']}",
                alert_id=alert["id"],
            )
