"""Opening a case from Slack: ``/incident open [TITLE]`` and the message shortcut open the
form (:mod:`.case_form`) with ``views.open``; its submission calls the same ``open_case``
service as the web, API and CLI, as the Incident Hub user linked to the Slack user, so the
same people may do it and a refusal is audited the same way.

The reply links the new case: a direct message to the person who opened it, and, for a case
that is not restricted and was opened from a message, a reply in that message's thread. A
restricted case is never mentioned in a channel (the direct message carries only its
reference and a link). Replies are outbox notices like every other (delivered, paced and
retried by the scheduler): the only Slack calls made while Slack waits are ``views.open``,
whose trigger id is good for 3 seconds, and ``chat.getPermalink``.
"""

from __future__ import annotations

from typing import Any

from flask import current_app

from ..actor import Actor
from ..audit import service as audit
from ..auth.models import User
from ..cases.models import Case
from ..cases.service import authorize_open_case, open_case
from ..errors import Forbidden, ServiceError
from ..extensions import db
from ..notify.events import notify_user
from ..notify.messages import case_message, secret
from ..notify.outbox import enqueue
from ..vocabulary import NoticeKind
from . import case_form, replies, web_api
from .actors import slack_actor

NOT_LINKED = "Your Slack account is not linked to Incident Hub; ask an admin to add your Slack id."


def _refuse_unlinked(slack_user_id: str) -> None:
    """Audit an attempt by a Slack user who is linked to no (active) Incident Hub user."""
    actor = Actor(user=None, via="slack", address=slack_user_id[:64])
    audit.record_denied(actor, "case.open", "case", "-", "Slack user not linked to Incident Hub")


def open_command(slack_user_id: str, fields: dict[str, str], title: str) -> dict[str, Any]:
    """``/incident open [TITLE]``: the form, or an ephemeral refusal."""
    actor = slack_actor(slack_user_id)
    if actor is None:
        _refuse_unlinked(slack_user_id)
        return replies.not_linked(slack_user_id)
    authorize_open_case(actor)  # Forbidden (audited) becomes the polite refusal
    origin = case_form.Origin(slack_user_id, fields.get("channel_id", "")[:40])
    view = case_form.form(origin, title=case_form.prefill(title)["title"])
    try:
        web_api.open_view(fields.get("trigger_id", ""), view)
    except web_api.SlackRefused as exc:
        return replies.problem(f"Slack did not open the form ({exc.error}); please try again.")
    return {}  # an empty 200: the form is the answer


def open_from_message(slack_user_id: str, trigger_id: str, message: dict[str, Any], channel: str):  # noqa: ANN201
    """The message shortcut: the form prefilled from the message (title from its first line,
    summary from its text), or a modal saying why not. Slack shows nothing we answer here."""
    actor = slack_actor(slack_user_id)
    refused = ""
    if actor is None:
        _refuse_unlinked(slack_user_id)
        refused = NOT_LINKED
    else:
        try:
            authorize_open_case(actor)
        except Forbidden as exc:
            refused = f"You cannot open a case: {exc.message}."
    if refused:
        view = case_form.refusal(refused)
    else:
        text, ts = (
            str(v) if isinstance(v, str) else "" for v in (message.get("text"), message.get("ts"))
        )
        origin = case_form.Origin(slack_user_id, channel[:40], ts[:40])
        view = case_form.form(origin, **case_form.prefill(text))
    try:
        web_api.open_view(trigger_id, view)
    except web_api.SlackRefused as exc:
        current_app.logger.warning("views.open for a message shortcut failed: %s", exc.error)
    return {}


def submit(slack_user_id: str, view: dict[str, Any]) -> dict[str, Any]:
    """The form's submission: open the case, or show the problem under its field."""
    actor = slack_actor(slack_user_id)
    if actor is None:
        _refuse_unlinked(slack_user_id)
        return case_form.errors(None, NOT_LINKED)
    raw = case_form.submitted(view)
    origin = case_form.read_origin(view.get("private_metadata"), slack_user_id)
    if origin is not None and origin.message_ts:
        link = web_api.permalink(origin.channel, origin.message_ts)
        summary = str(raw.get("summary") or "")
        if link and link not in summary:
            raw["summary"] = f"{summary}\n\nFrom Slack: {link}".strip()
    try:
        case = open_case(actor, raw)
    except ServiceError as exc:
        db.session.rollback()
        return case_form.errors(exc.field, exc.message)
    _reply(case, actor.require_user(), origin)
    return {"response_action": "clear"}


def _reply(case: Case, opener: User, origin: case_form.Origin | None) -> None:
    """Tell the opener (a direct message, or e-mail as they chose); a case anyone may know of
    is also answered in the thread of the message it came from. Committed right after the case
    (its own commit: the service commits the case itself); lost only if the process dies in
    between."""
    message = {**case_message(case, "Case opened from Slack"), "action": "message"}
    key = f"slack-open:{case.ref}"
    notify_user(NoticeKind.CASE_OPENED, opener, message, f"{key}:opener", case_id=case.id)
    if origin is not None and origin.channel and origin.message_ts and not secret(case):
        thread = {**message, "thread_ts": origin.message_ts}
        enqueue(NoticeKind.CASE_OPENED, origin.channel, thread, f"{key}:thread", case_id=case.id)
    db.session.commit()
