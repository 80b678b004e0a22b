"""The two Slack Web API calls an inbound request makes while Slack waits for our answer:
``views.open`` (a ``trigger_id`` is good for 3 seconds, and once: it cannot wait for the
outbox) and ``chat.getPermalink``. Same client as the outbox's deliveries (``SLACK.BOT_TOKEN``,
``SLACK.API_BASE_URL``), with short timeouts and no retries: Slack wants our answer within 3
seconds. Everything else we say in Slack goes through the outbox."""

from __future__ import annotations

from typing import Any

from flask import current_app
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

TIMEOUT_S = 2


class SlackRefused(Exception):
    """Slack did not open the view; ``error`` is Slack's code (``expired_trigger_id``…)."""

    def __init__(self, error: str):
        super().__init__(error)
        self.error = error


def _client() -> WebClient | None:
    cfg = current_app.config["SLACK"]
    if not cfg["BOT_TOKEN"]:
        return None
    return WebClient(
        token=cfg["BOT_TOKEN"], base_url=cfg["API_BASE_URL"], timeout=TIMEOUT_S, retry_handlers=[]
    )


def _error_of(exc: Exception) -> str:
    if isinstance(exc, SlackApiError) and isinstance(exc.response.data, dict):
        return str(exc.response.data.get("error") or "error")[:100]
    return type(exc).__name__


def open_view(trigger_id: str, view: dict[str, Any]) -> None:
    """Open ``view`` for the person whose action gave ``trigger_id``, or SlackRefused."""
    client = _client()
    if client is None:
        raise SlackRefused("not_configured")
    try:
        client.views_open(trigger_id=trigger_id, view=view)
    except Exception as exc:  # Slack's refusal, or the network's
        raise SlackRefused(_error_of(exc)) from None


def permalink(channel: str, message_ts: str) -> str:
    """The message's permalink, or ``""`` when Slack cannot say."""
    client = _client()
    if client is None or not channel or not message_ts:
        return ""
    try:
        answer = client.chat_getPermalink(channel=channel, message_ts=message_ts)
    except Exception as exc:
        current_app.logger.warning("chat.getPermalink failed: %s", _error_of(exc))
        return ""
    link = answer.get("permalink")
    return link if isinstance(link, str) and link.startswith("https://") else ""
