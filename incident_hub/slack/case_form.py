"""The "Open a case" modal: built with slack-sdk's own view and block models (which check
Slack's limits as they serialise), prefilled from a message, and read back on submission.

Block ids are the ``open_case`` service's field names, so a service refusal naming a field
(``Invalid.field``) is shown under that very field (``response_action: errors``). What travels
in ``private_metadata`` (who opened the form, and the channel and message it came from) is
signed with the app's secret key: Slack hands it back verbatim, and a forged or foreign value
is ignored. It never grants anything: permissions come from the submitting user alone.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from slack_sdk.models.blocks import (
    CheckboxesElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from ..cases.models import LIMITS
from ..notify.slack_text import cut, escape
from ..playbooks import registry

CALLBACK_ID = "open_case"  # the modal's callback_id, echoed in its view_submission
SHORTCUT_ID = "open_case_from_message"  # the message shortcut's callback_id
NOTICE_ID = "open_case_refused"  # a modal that only says why no form was opened
FIELDS = ("title", "playbook", "jurisdiction", "summary", "restricted")
ACTION = "value"  # the action_id of every input
TITLE_MAX = LIMITS["title"]
SUMMARY_MAX = 3000  # Slack's plain_text_input max_length (the service takes up to 20,000)
JURISDICTION_MAX = 20
OPTION_TEXT = 75  # Slack's option text limit
MAX_OPTIONS = 100  # static_select
METADATA_DAYS = 1  # a form left open longer than this forgets where it came from
_SALT = "slack-open-case"
_LINK = re.compile(r"<([^<>|]+)\|([^<>]*)>")
_BARE = re.compile(r"<([^<>]+)>")


@dataclass(frozen=True)
class Origin:
    """Where a form was opened: by whom, and in reply to which message (if any)."""

    slack_user_id: str
    channel: str = ""
    message_ts: str = ""


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def sign_origin(origin: Origin) -> str:
    return _serializer().dumps([origin.slack_user_id, origin.channel, origin.message_ts])


def read_origin(metadata: object, slack_user_id: str) -> Origin | None:
    """The origin the form was opened with, if the metadata is ours, fresh and this user's."""
    if not isinstance(metadata, str) or not metadata:
        return None
    try:
        user, channel, ts = _serializer().loads(metadata, max_age=METADATA_DAYS * 86_400)
    except (BadSignature, ValueError, TypeError):
        return None
    if user != slack_user_id or not all(isinstance(v, str) for v in (channel, ts)):
        return None
    return Origin(user, channel, ts)


def plain_text(message: str, *, urls: bool = True) -> str:
    """A Slack message's text as a person would read it: entities decoded, links and
    mentions shown as their label (``<https://x|label>`` → ``label (https://x)``, or only
    ``label`` without ``urls``)."""
    text = _LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})" if urls else m.group(2), message)
    text = _BARE.sub(lambda m: m.group(1).lstrip("!#@"), text)
    return html.unescape(text)


def prefill(message: str) -> dict[str, str]:
    """Title (the first non-blank line, cut to the limit) and summary (the whole text)."""
    text = plain_text(message).strip()
    lines = plain_text(message, urls=False).splitlines()
    first = next((line.strip() for line in lines if line.strip()), "")
    return {"title": cut(first, TITLE_MAX), "summary": cut(text, SUMMARY_MAX)}


def _option(value: str, label: str) -> Option:
    return Option(value=value, text=PlainTextObject(text=cut(label, OPTION_TEXT)))


def _input(block_id: str, label: str, element: Any, hint: str = "", optional: bool = False):  # noqa: ANN202
    return InputBlock(
        block_id=block_id,
        label=PlainTextObject(text=label),
        element=element,
        hint=PlainTextObject(text=hint) if hint else None,
        optional=optional,
    )


def form(origin: Origin, title: str = "", summary: str = "") -> dict[str, Any]:
    """The modal, as a dict for ``views.open`` (``View.to_dict`` raises on anything Slack
    would refuse)."""
    playbooks = sorted(registry().playbooks.values(), key=lambda p: p.title.lower())
    options = [_option(p.key, p.title) for p in playbooks[:MAX_OPTIONS]]
    blocks = [
        _input(
            "title",
            "Title",
            PlainTextInputElement(
                action_id=ACTION,
                initial_value=cut(title, TITLE_MAX) or None,
                max_length=TITLE_MAX,
                placeholder=PlainTextObject(text="What happened, in one line"),
            ),
        ),
        _input("playbook", "Playbook", StaticSelectElement(action_id=ACTION, options=options)),
        _input(
            "jurisdiction",
            "Jurisdiction",
            PlainTextInputElement(action_id=ACTION, max_length=JURISDICTION_MAX),
            hint="Two-letter ISO 3166 country code (DE, IN, BR…) or EU",
        ),
        _input(
            "summary",
            "Summary",
            PlainTextInputElement(
                action_id=ACTION,
                multiline=True,
                initial_value=cut(summary, SUMMARY_MAX) or None,
                max_length=SUMMARY_MAX,
            ),
            optional=True,
        ),
        _input(
            "restricted",
            "Need-to-know",
            CheckboxesElement(
                action_id=ACTION,
                options=[_option("yes", "Restricted: only members, executives and admins")],
            ),
            hint="A restricted case is announced to no channel; the reply goes only to you.",
            optional=True,
        ),
    ]
    view = View(
        type="modal",
        callback_id=CALLBACK_ID,
        title=PlainTextObject(text="Open a case"),
        submit=PlainTextObject(text="Open case"),
        close=PlainTextObject(text="Cancel"),
        private_metadata=sign_origin(origin),
        blocks=blocks,
    )
    return view.to_dict()


def refusal(message: str) -> dict[str, Any]:
    """A modal that only explains why no form was opened (``message`` is plain text)."""
    view = View(
        type="modal",
        callback_id=NOTICE_ID,
        title=PlainTextObject(text="Incident Hub"),
        close=PlainTextObject(text="Close"),
        blocks=[SectionBlock(text=cut(escape(message), 3000))],
    )
    return view.to_dict()


def submitted(view: dict[str, Any]) -> dict[str, Any]:
    """The submitted form as ``open_case`` input (only the fields it has; bad shapes → empty)."""
    values = ((view.get("state") or {}).get("values")) or {}
    raw: dict[str, Any] = {}
    for field in FIELDS:
        entry = (values.get(field) or {}).get(ACTION)
        if not isinstance(entry, dict):
            continue
        if field == "playbook":
            chosen = entry.get("selected_option") or {}
            raw[field] = chosen.get("value", "") if isinstance(chosen, dict) else ""
        elif field == "restricted":
            raw[field] = bool(entry.get("selected_options"))
        else:
            value = entry.get("value")
            raw[field] = value.strip() if isinstance(value, str) else ""
    if isinstance(raw.get("jurisdiction"), str):
        raw["jurisdiction"] = raw["jurisdiction"].upper()
    return raw


def errors(field: str | None, message: str) -> dict[str, Any]:
    """``response_action: errors``: the message under the field it is about (else the title)."""
    block = (field or "").split(".")[0]
    block = block if block in FIELDS else "title"
    text = cut(message[:1].upper() + message[1:], 300)
    return {"response_action": "errors", "errors": {block: text}}
