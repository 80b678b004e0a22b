"""Text that goes to Slack: escaped, links validated, cut to Slack's limits. Every message
builder (notices, reminders, ``/incident`` replies, case-channel names and topics) uses these.

Slack reads ``&``, ``<`` and ``>`` as control characters in mrkdwn and in a message's fallback
``text`` (https://api.slack.com/reference/surfaces/formatting#escaping): ``<!channel>``,
``<@U123>`` and ``<https://x|label>`` are mentions and links. Anything that is not ours — a case
or action title, a feed item's title or link, a source's title, a playbook option's label, a
name, a note — goes through :func:`escape` (or :func:`fit`, which also cuts it), so the only
``<…>`` in a message are links we made with :func:`link`. ``plain_text`` objects are not parsed
by Slack (no mentions, no links); only our own fixed strings go there (:func:`plain`).

Cutting happens after escaping and never splits an entity (``&amp;``) or one of our links: a
cut text ends with "…" and is within the limit it was cut for. The limits are slack-sdk's block
validators' (``slack_sdk.models.blocks``) and Slack's documented ones.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any
from urllib.parse import quote, urlsplit

ELLIPSIS = "…"
SECTION_TEXT = 3000  # SectionBlock.text_max_length
CONTEXT_TEXT = 2000  # a context element's text (kept under the 3,000 of any text object)
HEADER_TEXT = 150  # HeaderBlock.text_max_length
BUTTON_TEXT = 75  # ButtonElement.text_max_length
BUTTON_URL = 3000  # ButtonElement.url_max_length
BUTTON_VALUE = 2000  # ButtonElement.value_max_length
FALLBACK_TEXT = 4000  # chat.postMessage ``text``: Slack's recommended maximum
TOPIC = 250  # conversations.setTopic / setPurpose
CHANNEL_NAME = 80  # conversations.create: lowercase letters, digits, - and _
MAX_URL = 2000  # a feed link longer than this is left out

_ENTITY = re.compile(r"&(?:amp|lt|gt);")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_SPACES = re.compile(r"\s+")
_URL_SAFE = "/?#[]@!$&'()*+,;=%:~-._"  # printable ASCII kept as is by quote(); the rest encoded


def escape(text: object) -> str:
    """Slack's three control characters as entities; control characters dropped."""
    value = _CONTROL.sub("", str(text))
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def one_line(text: object) -> str:
    """Whitespace (newlines too) collapsed: a title or a name stays on its line."""
    return _SPACES.sub(" ", _CONTROL.sub("", str(text))).strip()


def cut(text: str, limit: int) -> str:
    """``text`` (already safe for Slack) within ``limit`` characters, ending in "…" when cut;
    never inside an entity or inside a ``<…>`` link."""
    if len(text) <= limit:
        return text
    if limit <= len(ELLIPSIS):
        return ELLIPSIS[:limit]
    head = text[: limit - len(ELLIPSIS)]
    amp = head.rfind("&")
    entity = _ENTITY.match(text, amp) if amp != -1 else None
    if entity and entity.end() > len(head):  # the cut falls inside this entity
        head = head[:amp]
    opened = head.rfind("<")
    if opened > head.rfind(">"):  # cut inside one of our links: drop the whole link
        head = head[:opened]
    return head + ELLIPSIS


def fit(text: object, limit: int, *, line: bool = True) -> str:
    """Foreign text escaped and cut to ``limit``; on one line unless ``line`` is false."""
    return cut(escape(one_line(text) if line else text), limit)


def safe_url(value: object) -> str:
    """``value`` if it is an absolute http(s) URL fit to put in a Slack link, else "".

    Refused: another scheme, no host, user info (``https://bank.example@evil.example``), any
    whitespace or control character, ``|``, ``<``, ``>``, ``"``, ``\\`` or a backtick, a bad port,
    and more than MAX_URL characters. Other non-ASCII characters are percent-encoded and an
    international host name is shown in its ``xn--`` form (no look-alike letters).
    """
    if not isinstance(value, str) or not value or len(value) > MAX_URL:
        return ""
    if any(ch in '|<>"\\`' or ch.isspace() or unicodedata.category(ch)[0] == "C" for ch in value):
        return ""
    try:
        parts = urlsplit(value)
        port = parts.port
        host = parts.hostname or ""
        ascii_host = host.encode("idna").decode("ascii") if host else ""
    except (ValueError, UnicodeError):
        return ""
    if parts.scheme.lower() not in ("http", "https") or not ascii_host or "@" in parts.netloc:
        return ""
    netloc = ascii_host if ":" not in ascii_host else f"[{ascii_host}]"
    if port is not None:
        netloc += f":{port}"
    rest = parts.path + (f"?{parts.query}" if parts.query else "")
    rest += f"#{parts.fragment}" if parts.fragment else ""
    return f"{parts.scheme.lower()}://{netloc}{quote(rest, safe=_URL_SAFE)}"


def link(url: str, label: str) -> str:
    """``<url|label>`` for a URL that is ours or passed :func:`safe_url`, and a label already
    escaped; an empty ``url`` gives the label alone."""
    if not url:
        return label
    return f"<{url.replace('&', '&amp;')}|{label}>" if label else f"<{url.replace('&', '&amp;')}>"


def plain(text: str, limit: int = BUTTON_TEXT) -> dict[str, Any]:
    """A ``plain_text`` object for our own fixed strings (button labels), within ``limit``."""
    return {"type": "plain_text", "text": text if len(text) <= limit else text[: limit - 1] + "…"}


def mrkdwn(text: str, limit: int = SECTION_TEXT) -> dict[str, Any]:
    """A ``mrkdwn`` text object; ``text`` is already escaped (its foreign parts), cut here."""
    return {"type": "mrkdwn", "text": cut(text, limit)}


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": mrkdwn(text, SECTION_TEXT)}


def context(*texts: str) -> dict[str, Any]:
    return {"type": "context", "elements": [mrkdwn(t, CONTEXT_TEXT) for t in texts]}


def fallback(text: str) -> str:
    """A message's ``text`` (the notification and fallback), already escaped, cut to fit."""
    return cut(text, FALLBACK_TEXT)


def topic(text: str) -> str:
    """A channel topic from already escaped text, within Slack's 250 characters."""
    return cut(text, TOPIC)
