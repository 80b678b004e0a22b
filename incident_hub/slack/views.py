"""``POST /slack/commands`` and ``POST /slack/interactions``: thin doors onto the services.

Each request is signature-checked first (:mod:`.verify`), then the Slack user is mapped to an
Incident Hub user by Slack user id. The handlers call the very service functions the web and
API call (``follow_case``, ``get_case``, ``list_cases``, ``open_case``), so permissions and
visibility are the same: a restricted case a user may not see is answered exactly like a case
that does not exist, and an unmapped user gets help and nothing else. Every answer is
immediate and inline (no ``response_url`` call), well inside Slack's 3-second limit; opening
a case from Slack also calls ``views.open`` and posts the reply while Slack waits
(:mod:`.open_case`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, current_app, jsonify

from ..actor import Actor
from ..cases import following, queries
from ..errors import NotFound, ServiceError
from ..extensions import db
from ..vocabulary import UNDECIDED
from . import case_form, open_case, replies, verify
from .actors import slack_actor

bp = Blueprint("slack", __name__, url_prefix="/slack")

MAX_REF = 40
LIST_LIMIT = 10
LIST_STATUSES = UNDECIDED
_COMMAND_RE = re.compile(r"/[a-z0-9_-]{1,32}")


def _answer(handle: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run a handler; a service refusal (conflict, validation, permission) is rolled back and
    becomes a polite ephemeral answer carrying the service's message."""
    try:
        return handle()
    except ServiceError as exc:
        db.session.rollback()
        return replies.problem(exc.message)


def _guarded(signed: verify.SignedRequest, handle: Callable[[], dict[str, Any]]) -> Response:
    """Answer a verified request once (replays get the stored answer), never with a 500: an
    unexpected error is rolled back, logged, answered with an apology and not stored, so
    Slack's retry may try again."""
    try:
        reply = verify.run_once(signed.signature, lambda: _answer(handle))
    except Exception:
        db.session.rollback()
        current_app.logger.exception("Slack request failed")
        reply = replies.oops()
    if not reply:  # e.g. a form was opened instead: Slack wants an empty 200
        return Response("", status=200)
    return jsonify(reply)


@bp.post("/commands")
def commands() -> Response:
    """The ``/incident`` slash command."""
    try:
        signed = verify.verified_request()
    except verify.SignatureRejected as exc:
        return verify.unauthorized(exc)
    except verify.MalformedRequest as exc:
        return verify.bad_request(exc)
    fields = signed.fields
    return _guarded(
        signed,
        lambda: run_command(fields.get("user_id", ""), fields.get("text", ""), fields),
    )


def run_command(slack_user_id: str, text: str, fields: dict[str, str]) -> dict[str, Any]:
    """Dispatch ``/incident <subcommand> [REF]`` for this Slack user."""
    command = fields.get("command", "")
    command = command if _COMMAND_RE.fullmatch(command) else replies.DEFAULT_COMMAND
    words = text.split()
    sub = words[0].lower() if words else "help"
    if sub == "help":
        return replies.help_reply(command)
    if sub == "open":  # audits an unlinked user's attempt itself
        title = text.strip().split(None, 1)[1] if len(words) > 1 else ""
        return open_case.open_command(slack_user_id, fields, title)
    actor = slack_actor(slack_user_id)
    if actor is None:
        return replies.not_linked(slack_user_id)
    if sub == "list":
        return _list(actor)

    handler = _CASE_COMMANDS.get(sub)
    if handler is None:
        return replies.help_reply(command, f"Unknown command `{replies.echo(sub)}`.")
    if len(words) != 2:
        return replies.help_reply(command, f"Usage: `{command} {sub} REF`.")
    ref = words[1].strip().upper()
    if len(ref) > MAX_REF:
        return replies.no_case(ref)
    try:
        return handler(actor, ref)
    except NotFound:
        return replies.no_case(ref)


def _follow(actor: Actor, ref: str) -> dict[str, Any]:
    return replies.followed(ref, following.follow_case(actor, ref))


def _unfollow(actor: Actor, ref: str) -> dict[str, Any]:
    return replies.unfollowed(ref, following.unfollow_case(actor, ref))


def _status(actor: Actor, ref: str) -> dict[str, Any]:
    case = queries.view_case(actor, ref)
    return replies.status_reply(case, queries.is_following(actor.require_user().id, case.id))


def _list(actor: Actor) -> dict[str, Any]:
    """Newest visible cases that are open or awaiting a decision, at most ``LIST_LIMIT``."""
    found, total = [], 0
    for status in LIST_STATUSES:
        rows, count = queries.list_cases(actor, {"status": status, "limit": LIST_LIMIT})
        found.extend(rows)
        total += count
    found.sort(key=lambda c: (c.opened_at, c.id), reverse=True)
    return replies.list_reply(found[:LIST_LIMIT], total)


_CASE_COMMANDS: dict[str, Callable[[Actor, str], dict[str, Any]]] = {
    "follow": _follow,
    "unfollow": _unfollow,
    "status": _status,
}


class MalformedPayload(ValueError):
    """A signed interaction whose ``payload`` is not what Slack sends."""


def _parse_payload(fields: dict[str, str]) -> dict[str, Any]:
    """The interaction payload as a dict with a string ``type``, or :class:`MalformedPayload`."""
    raw = fields.get("payload")
    if not raw:
        raise MalformedPayload("no payload")
    try:
        payload = json.loads(raw)
    except (ValueError, RecursionError):  # RecursionError: "[[[[…" nested too deep
        raise MalformedPayload("payload is not JSON") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("type"), str):
        raise MalformedPayload("payload is not an interaction")
    return payload


def _first_action(payload: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """(Slack user id, first action) of a ``block_actions`` payload, or MalformedPayload."""
    user = payload.get("user")
    actions = payload.get("actions")
    if not isinstance(user, dict) or not isinstance(user.get("id"), str):
        raise MalformedPayload("block_actions without a user")
    if not isinstance(actions, list) or not actions or not isinstance(actions[0], dict):
        raise MalformedPayload("block_actions without actions")
    action = actions[0]
    if not isinstance(action.get("action_id"), str):
        raise MalformedPayload("action without action_id")
    return user["id"], action


@bp.post("/interactions")
def interactions() -> Response:
    """Buttons on notices: ``follow`` follows the case; URL buttons (``open``, ``open_triage``)
    need no answer beyond 200. The message shortcut ``open_case_from_message`` opens the
    new-case form, whose submission (``view_submission``) opens the case. Slack's
    ``response_url`` is not called: we answer inline."""
    try:
        signed = verify.verified_request()
    except verify.SignatureRejected as exc:
        return verify.unauthorized(exc)
    except verify.MalformedRequest as exc:
        return verify.bad_request(exc)
    try:
        payload = _parse_payload(signed.fields)
        if payload["type"] in ("message_action", "view_submission"):
            handle = _case_form_step(payload)
            if handle is None:
                return Response("", status=200)
            return _guarded(signed, handle)
        if payload["type"] != "block_actions":
            return Response("", status=200)
        slack_user_id, action = _first_action(payload)
        if action["action_id"] != "follow":
            return Response("", status=200)
        ref = action.get("value")
        if not isinstance(ref, str) or not ref.strip():
            raise MalformedPayload("follow without a case reference")
    except MalformedPayload as exc:
        return verify.bad_request(exc)
    return _guarded(signed, lambda: _follow_button(slack_user_id, ref.strip().upper()))


def _user_id(payload: dict[str, Any]) -> str:
    user = payload.get("user")
    if not isinstance(user, dict) or not isinstance(user.get("id"), str):
        raise MalformedPayload(f"{payload['type']} without a user")
    return user["id"]


def _case_form_step(payload: dict[str, Any]) -> Callable[[], dict[str, Any]] | None:
    """The handler for the new-case form's two steps (None: not ours, answer 200), or
    MalformedPayload."""
    slack_user_id = _user_id(payload)
    if payload["type"] == "message_action":
        if payload.get("callback_id") != case_form.SHORTCUT_ID:
            return None
        trigger, message = payload.get("trigger_id"), payload.get("message")
        channel = payload.get("channel")
        if not isinstance(trigger, str) or not trigger or not isinstance(message, dict):
            raise MalformedPayload("message_action without trigger_id or message")
        channel_id = channel.get("id") if isinstance(channel, dict) else ""
        channel_id = channel_id if isinstance(channel_id, str) else ""
        return lambda: open_case.open_from_message(slack_user_id, trigger, message, channel_id)
    view = payload.get("view")
    if not isinstance(view, dict):
        raise MalformedPayload("view_submission without a view")
    if view.get("callback_id") != case_form.CALLBACK_ID:
        return None
    return lambda: open_case.submit(slack_user_id, view)


def _follow_button(slack_user_id: str, ref: str) -> dict[str, Any]:
    """The Follow button: the same ``follow_case`` as ``/incident follow``."""
    actor = slack_actor(slack_user_id)
    if actor is None:
        return replies.interaction_reply(replies.not_linked(slack_user_id)["text"])
    if len(ref) > MAX_REF:
        return replies.interaction_reply(replies.no_case(ref)["text"])
    try:
        reply = _follow(actor, ref)
    except NotFound:
        reply = replies.no_case(ref)
    except ServiceError as exc:
        db.session.rollback()
        reply = replies.problem(exc.message)
    return replies.interaction_reply(reply["text"])
