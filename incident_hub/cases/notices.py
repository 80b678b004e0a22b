"""Who hears about what on a case: turn a case event into outbox notices, in the same transaction.

Service functions call these right after writing their audit event; each notice's dedup key is
tied to that event, so a notice exists exactly when its cause was committed. This is the case
side of notify: it knows the case (its assignments, followers, decisions) and writes outbox
rows through ``notify.outbox``; notify itself never imports cases. ``ROOMS`` is what delivery
may ask of a case (its reference and Slack channel), handed to notify by ``create_app``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from flask import current_app
from sqlalchemy import select, update

from ..audit.models import AuditEvent
from ..auth.models import User
from ..clock import parse_iso
from ..extensions import db
from ..notify.case_rooms import CaseRoom
from ..notify.events import announce_by_email, cancel_reminders, executives, notify_user
from ..notify.messages import case_message, secret, secret_announcement
from ..notify.outbox import enqueue
from ..notify.slack_text import CHANNEL_NAME, escape, fit, topic
from ..playbooks import registry
from ..vocabulary import CaseStatus, NoticeKind, stage_label
from .members import assigned_leads, members_of
from .models import Analysis, Case, Decision, Follow, LawStage


class _Rooms:
    """notify.case_rooms.CaseRooms over the cases table."""

    @staticmethod
    def _room(case: Case | None) -> CaseRoom | None:
        return CaseRoom(case.id, case.ref, case.slack_channel_id) if case else None

    def by_id(self, case_id: int) -> CaseRoom | None:
        return self._room(db.session.get(Case, case_id))

    def by_ref(self, ref: str) -> CaseRoom | None:
        return self._room(db.session.execute(select(Case).where(Case.ref == ref)).scalar())

    def refs(self, case_ids: Iterable[int]) -> dict[int, str]:
        query = select(Case.id, Case.ref).where(Case.id.in_(list(case_ids)))
        return {case_id: ref for case_id, ref in db.session.execute(query).all()}

    def channel_created(self, case_id: int, channel_id: str) -> Any:
        return update(Case).where(Case.id == case_id).values(slack_channel_id=channel_id)


ROOMS = _Rooms()


def _slack() -> dict:
    return current_app.config["SLACK"]


def _send(
    kind: str, case: Case, event: AuditEvent, audience: str, payload: dict, tag: str = ""
) -> None:
    key = f"{kind}:{case.ref}:{event.id}:{tag}"
    enqueue(kind, audience, payload, f"{key}:{audience}", case_id=case.id)
    if audience == _slack()["ANNOUNCE_CHANNEL"]:  # and to its e-mail list, if any
        announce_by_email(kind, payload, key, case_id=case.id)


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
    """One notice per active user (each once; Slack, e-mail or both, as they chose: see
    ``notify.events.notify_user``); returns the ids notified."""
    sent: set[int] = set()
    for user in users:
        if user.id in sent or not user.active or (exclude and user.id in exclude):
            continue
        sent.add(user.id)
        notify_user(kind, user, payload, f"{kind}:{case.ref}:{event.id}:{tag}", case_id=case.id)
    return sent


def _to_case_room(kind: str, case: Case, event: AuditEvent, payload: dict) -> None:
    """The case's own channel when SLACK.CASE_CHANNELS is on, else the announce channel; a
    secret case is never posted to the announce channel (its members are told directly)."""
    if _slack()["CASE_CHANNELS"]:
        _send(kind, case, event, f"case:{case.ref}", payload)
    elif not secret(case):
        _send(kind, case, event, _slack()["ANNOUNCE_CHANNEL"], payload)


def followers(case: Case) -> list[User]:
    return list(
        db.session.execute(
            select(User).join(Follow, Follow.user_id == User.id).where(Follow.case_id == case.id)
        ).scalars()
    )


def involved(case: Case) -> list[User]:
    """Opener, the case's members (named people, the leads assigned to file), and whoever
    filed or decided on the case."""
    people = [case.opened_by]
    people.extend(m.user for m in members_of(case))
    authors = select(Analysis.author_id).where(Analysis.case_id == case.id)
    deciders = select(Decision.executive_id).where(Decision.case_id == case.id)
    people.extend(
        db.session.execute(
            select(User).where(User.id.in_(authors) | User.id.in_(deciders))
        ).scalars()
    )
    return people


def channel_name(case: Case) -> str:
    """inc-2026-0007-<slug of the title>; a secret case's is its reference alone (inc-2026-0007)."""
    slug = "" if secret(case) else re.sub(r"[^a-z0-9]+", "-", case.title.lower()).strip("-")
    return f"{case.ref.lower()}-{slug}"[:CHANNEL_NAME].rstrip("-")


def channel_topic(case: Case) -> str:
    """The reference and (not for a secret case) the title, escaped, within Slack's 250."""
    return (
        escape(case.ref) if secret(case) else topic(f"{escape(case.ref)}: {fit(case.title, 250)}")
    )


def _create_case_channel(case: Case, event: AuditEvent, suffix: str = "") -> None:
    """A secret case's channel is always private; any other's as SLACK.CASE_CHANNELS_PRIVATE."""
    invite = [u.slack_user_id for u in involved(case) if u.slack_user_id and u.active]
    payload = {
        "action": "create_channel",
        "name": channel_name(case)[: CHANNEL_NAME - len(suffix)] + suffix,
        "topic": channel_topic(case),
        "invite": sorted(set(invite)),
        "private": secret(case) or bool(_slack()["CASE_CHANNELS_PRIVATE"]),
    }
    key = f"case_channel:{case.ref}:{event.id}"
    enqueue(NoticeKind.CASE_CHANNEL, f"case:{case.ref}", payload, key, case_id=case.id)


def case_opened(case: Case, event: AuditEvent) -> None:
    """Announce the case (a secret one with a neutral text alone), create its channel if
    configured, and ask each lead for their part."""
    if _slack()["CASE_CHANNELS"]:
        _create_case_channel(case, event)
    announcement = (
        secret_announcement()
        if secret(case)
        else case_message(case, "Case opened", due=case.decision_due_at)
    )
    _send(NoticeKind.CASE_OPENED, case, event, _slack()["ANNOUNCE_CHANNEL"], announcement)
    playbook = registry().get(case.playbook_key)
    assigned = assigned_leads(case)
    for assignment in case.assignments:
        spec = playbook.function(assignment.function_key) if playbook else None
        asked = (
            f"You are asked for the {registry().function_title(assignment.function_key)} "
            f"analysis ({len(spec.questions) if spec else 0} questions) and a recommendation."
        )
        payload = case_message(case, "Your analysis is needed", due=assignment.due_at, detail=asked)
        _to_users(
            NoticeKind.ASSIGNMENT,
            case,
            event,
            assigned.get(assignment.function_key, []),
            payload,
            tag=assignment.function_key,
        )


def case_rescheduled(case: Case, event: AuditEvent, moved: list[str]) -> None:
    """New due times after a new response deadline: each assigned lead of a function whose
    analysis moved hears of theirs, the executives of all of it (a secret case: its ref)."""
    before, after = event.details["before"], event.details["after"]

    def line(key: str) -> str:
        what = "Decision" if key == "decision" else registry().function_title(key)
        return f"{what}: due {_when_iso(after[key])} (was {_when_iso(before[key])})"

    headline = "Due times changed"
    assigned = assigned_leads(case)
    told: set[int] = set()
    for key in moved:
        payload = case_message(case, headline, due=parse_iso(after[key]), detail=line(key))
        told |= _to_users(
            NoticeKind.CASE_RESCHEDULED, case, event, assigned.get(key, []), payload, tag=key
        )
    detail = "; ".join(line(key) for key in after)
    payload = case_message(case, headline, due=case.decision_due_at, detail=detail)
    _to_users(NoticeKind.CASE_RESCHEDULED, case, event, executives(), payload, exclude=told)


def _when_iso(value: str) -> str:
    return parse_iso(value).strftime("%d %b %Y %H:%M UTC")


def analysis_filed(case: Case, analysis: Analysis, event: AuditEvent) -> None:
    title = registry().function_title(analysis.function_key)
    payload = case_message(case, f"{title} analysis filed", due=case.decision_due_at)
    _to_case_room(NoticeKind.ANALYSIS_FILED, case, event, payload)
    _to_users(
        NoticeKind.ANALYSIS_FILED,
        case,
        event,
        followers(case),
        payload,
        exclude={analysis.author_id},
    )


def awaiting_decision(case: Case, event: AuditEvent) -> None:
    payload = case_message(
        case,
        "Decision needed",
        due=case.decision_due_at,
        detail="Every function's recommendation is in.",
    )
    told = _to_users(NoticeKind.AWAITING_DECISION, case, event, executives(), payload)
    _to_users(  # an executive who follows the case is told once (one dedup key per audience)
        NoticeKind.AWAITING_DECISION,
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
    _to_case_room(NoticeKind.DECISION_RECORDED, case, event, payload)
    _to_users(NoticeKind.DECISION_RECORDED, case, event, involved(case) + followers(case), payload)
    cancel_reminders(case.id)


def case_edited(case: Case, event: AuditEvent, fields: list[str], actor_id: int | None) -> None:
    """The intake changed: tell everyone involved and every follower (not the editor) which
    fields, and the new response deadline if it moved (a secret case: its reference only)."""
    from .changes import LABELS

    detail = "Changed: " + ", ".join(LABELS.get(f, f) for f in fields) + "."
    if "response_deadline" in fields:
        deadline = case.response_deadline
        detail += (
            f" Response deadline now {deadline.strftime('%d %b %Y %H:%M UTC')}."
            if deadline
            else " The response deadline was removed."
        )
    headline = "Response deadline changed" if "response_deadline" in fields else "Intake changed"
    payload = case_message(case, headline, due=case.decision_due_at, detail=detail)
    exclude = {actor_id} if actor_id is not None else set()
    people = involved(case) + followers(case)
    _to_users(NoticeKind.CASE_EDITED, case, event, people, payload, exclude=exclude)


def status_changed(case: Case, status: str, event: AuditEvent) -> None:
    """Reopened or closed: tell everyone involved and every follower; archive the case channel."""
    reopened = status == CaseStatus.OPEN
    headline = "Case reopened" if reopened else "Case closed"
    if reopened and _slack()["CASE_CHANNELS"] and case.slack_channel_id:
        # The old channel was archived on close: a new round gets a fresh channel.
        case.slack_channel_id = ""
        _create_case_channel(case, event, f"-r{case.round}")
    payload = case_message(case, headline, due=case.decision_due_at if reopened else None)
    room_kind = NoticeKind.CASE_REOPENED if reopened else NoticeKind.CASE_CLOSED
    _to_case_room(room_kind, case, event, payload)
    people_kind = NoticeKind.CASE_OPEN if reopened else NoticeKind.CASE_CLOSED
    _to_users(people_kind, case, event, involved(case) + followers(case), payload)
    if status == CaseStatus.CLOSED:
        cancel_reminders(case.id)
        if _slack()["CASE_CHANNELS"]:
            enqueue(
                NoticeKind.CASE_CHANNEL,
                f"case:{case.ref}",
                {"action": "archive_channel"},
                f"case_channel_archive:{case.ref}:{event.id}",
                case_id=case.id,
            )


def stage_added(case: Case, row: LawStage, event: AuditEvent, actor_id: int | None) -> None:
    """The case's law reached a new stage: tell its people and followers (not whoever
    recorded it). A secret case's notice carries its reference alone."""
    payload = case_message(
        case, "New stage of the law", detail=f"{stage_label(row.stage)} from {row.dated:%d %b %Y}"
    )
    people = involved(case) + followers(case)
    _to_users(
        NoticeKind.STAGE_ADDED,
        case,
        event,
        people,
        payload,
        exclude={actor_id} if actor_id else None,
    )


def linked_alert_changed(case: Case, event: AuditEvent, what: str) -> None:
    """A feed item of an alert tied to the case changed (an amended bill): tell the case's
    people and followers, once per change (the dedup key is the change's audit event)."""
    payload = case_message(case, "A linked alert changed", detail=what)
    _to_users(
        NoticeKind.LINKED_ALERT_CHANGED, case, event, involved(case) + followers(case), payload
    )
