"""The Slack Web API calls one notice's delivery makes, each sorted into one outcome.

slack-sdk's own retries are off (``retry_handlers=[]``): the outbox in ``deliver`` decides
backoff, Retry-After and giving up. Nothing here touches the database.
"""

from __future__ import annotations

import math
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from .slack_text import CHANNEL_NAME, FALLBACK_TEXT, TOPIC, cut

_GONE = {"channel_not_found", "not_in_channel", "is_archived", "user_not_found", "cannot_dm_bot"}
_AUTH = {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "missing_scope"}
_REFUSED = {"invalid_blocks", "msg_too_long", "no_text", "restricted_action"}
PERMANENT = frozenset(_GONE | _AUTH | _REFUSED)  # Slack errors that retrying cannot fix


@dataclass(frozen=True)
class Job:
    """One notice's Slack work: resolved in the calling thread, performed by a worker."""

    notice_id: int
    action: str  # message | create_channel | archive_channel
    channel: str  # where to; for create_channel, the channel an earlier attempt made (if any)
    payload: dict[str, Any]
    case_id: int | None = None


@dataclass
class Outcome:
    """ok · permanent · transient · rate_limited · deferred (no attempt spent) · cancelled."""

    notice_id: int
    result: str
    error: str = ""
    channel: str = ""
    ts: str = ""
    delay_s: float = 0.0  # rate_limited / deferred: from now
    retry_at: datetime | None = None  # deferred (or rate limited) to a known time
    created: tuple[int, str] | None = None  # (case id, channel id) a create_channel made


def call(client: WebClient, job: Job) -> Outcome:
    """Perform one job; a message carries its blocks and the plain text as their fallback."""
    try:
        if job.action == "create_channel":
            return _create_channel(client, job)
        if job.action == "archive_channel":
            _done_or_done_before(client.conversations_archive, channel=job.channel)
            return Outcome(job.notice_id, "ok", channel=job.channel)
        text, blocks = (
            cut(str(job.payload.get("text") or ""), FALLBACK_TEXT),
            job.payload.get("blocks"),
        )
        blocks = blocks or None
        thread_ts = str(job.payload.get("thread_ts") or "") or None  # a reply in a thread
        response = client.chat_postMessage(
            channel=job.channel, text=text, blocks=blocks, thread_ts=thread_ts
        )
        channel = str(response.get("channel") or job.channel)[:40]  # the column's width
        return Outcome(job.notice_id, "ok", channel=channel, ts=str(response.get("ts", "")))
    except Exception as exc:
        return failure(job.notice_id, exc)


def _create_channel(client: WebClient, job: Job) -> Outcome:
    """conversations.create (unless an earlier attempt made it), then setTopic and invite."""
    channel = job.channel
    try:
        channel = channel or _create(client, job.payload)
        if topic := cut(str(job.payload.get("topic") or ""), TOPIC):
            client.conversations_setTopic(channel=channel, topic=topic)
        if users := [str(user) for user in job.payload.get("invite") or [] if user]:
            _done_or_done_before(client.conversations_invite, channel=channel, users=users)
        outcome = Outcome(job.notice_id, "ok", channel=channel)
    except Exception as exc:
        outcome = failure(job.notice_id, exc)
    if channel and job.case_id:  # kept even if a later step failed: no second channel on retry
        outcome.created = (job.case_id, channel)
    return outcome


def _done_or_done_before(method: Any, **kwargs: Any) -> None:
    """Call a Slack method; an answer saying it was done already (a retry) is success too."""
    try:
        method(**kwargs)
    except SlackApiError as exc:
        if exc.response.get("error") not in ("already_archived", "already_in_channel"):
            raise


def _create(client: WebClient, payload: dict[str, Any]) -> str:
    """Create the channel under its name (lowercase, ≤ 80), with a suffix if it is taken."""
    base = re.sub(r"[^a-z0-9_]+", "-", str(payload.get("name", "")).lower()).strip("-")
    base = base[:CHANNEL_NAME] or "incident"
    private = bool(payload.get("private"))
    for suffix in ("", "-2", "-3", "-4", f"-{uuid.uuid4().hex[:6]}"):
        name = f"{base[: CHANNEL_NAME - len(suffix)].rstrip('-')}{suffix}"
        try:
            return str(client.conversations_create(name=name, is_private=private)["channel"]["id"])
        except SlackApiError as exc:
            if exc.response.get("error") != "name_taken":
                raise
    raise RuntimeError(f"name_taken: no free channel name like {base}")


def failure(notice_id: int, exc: Exception) -> Outcome:
    """Sort an error: rate limited, permanent (never retried) or transient (backoff)."""
    if not isinstance(exc, SlackApiError):  # network trouble, timeouts
        return Outcome(notice_id, "transient", f"{type(exc).__name__}: {exc}"[:500])
    response = exc.response
    error = str(response.get("error") or "") if isinstance(response.data, dict) else ""
    if response.status_code == 429 or error == "ratelimited":
        headers = {k.lower(): v for k, v in (response.headers or {}).items()}
        retry_after = str(headers.get("retry-after", "30")).strip("[]' ")
        delay = max(1.0, math.ceil(float(retry_after))) if retry_after.isdigit() else 30.0
        return Outcome(notice_id, "rate_limited", "ratelimited (HTTP 429)", delay_s=delay)
    if error in PERMANENT:
        return Outcome(notice_id, "permanent", error)
    return Outcome(notice_id, "transient", f"HTTP {response.status_code}: {error}"[:500])
