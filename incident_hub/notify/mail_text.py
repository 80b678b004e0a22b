"""What an e-mail notice says: the same words as its Slack message, as plain text (and HTML).

A message builder (``messages.case_message``) puts the plain-text form of a notice beside its
Slack blocks, under ``"mail"`` (:func:`mail_part`), built in the same branch and from the same
values: a secret case's e-mail says what its Slack message says (its reference, a link) and no
more. The outbox strips ``"mail"`` from Slack rows; :func:`email_payload` turns it into an
e-mail row's payload (recipient, subject, text, HTML rendered with autoescape). A payload
without ``"mail"`` (a builder that has none) is read back from its Slack fallback text, which
says no more than the message itself.
"""

from __future__ import annotations

import html
import re
from typing import Any

from flask import current_app

from .slack_text import one_line

SUBJECT = 200  # characters of a subject (RFC 5322 asks for lines under 998; readers show ~80)
LINE = 2000  # characters of one body line
_LINK = re.compile(r"<([^<>|]+)\|([^<>]*)>|<([^<>|]+)>")


def mail_part(subject: str, lines: list[str], url: str) -> dict[str, Any]:
    """A notice's plain-text form: a subject, its lines (foreign text unescaped: plain text
    needs none, and the HTML is autoescaped) and the link to the case."""
    return {
        "subject": _cut(one_line(subject), SUBJECT),
        "lines": [_cut(line, LINE) for line in lines if line],
        "url": url,
    }


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def from_slack_text(text: str) -> dict[str, Any]:
    """The plain-text form of a Slack fallback text (our links ``<url|label>`` spelled out,
    entities decoded): for a payload whose builder gave no ``"mail"``."""

    def spelled(match: re.Match[str]) -> str:
        url, label, bare = match.groups()
        return f"{label} ({url})" if url else bare

    plain = html.unescape(_LINK.sub(spelled, text))
    first = plain.split(": ", 1)[0] if ": " in plain[:200] else plain
    return {"subject": _cut(one_line(first), SUBJECT), "lines": [plain], "url": ""}


def strip_mail(payload: dict[str, Any]) -> dict[str, Any]:
    """A Slack row's payload: without the e-mail form."""
    return {k: v for k, v in payload.items() if k != "mail"} if "mail" in payload else payload


def email_payload(payload: dict[str, Any], to: str, *, announce: bool = False) -> dict[str, Any]:
    """An e-mail row's payload for ``to``, from a message builder's payload (``announce``:
    to an [EMAIL] ANNOUNCE_TO address, not a person)."""
    mail = payload.get("mail") or from_slack_text(str(payload.get("text") or ""))
    base = current_app.config["BASE_URL"].rstrip("/")
    lines = list(mail["lines"])
    text = "\n".join(lines)
    if mail["url"]:
        text += f"\n\nOpen in Incident Hub: {mail['url']}"
    settings = f"{base}/account/notices"
    footer = (
        "This address gets what Incident Hub announces ([EMAIL] ANNOUNCE_TO)."
        if announce
        else f"You get this e-mail because of your Incident Hub notice settings: {settings}"
    )
    text += f"\n\n-- \n{footer}\n"
    page = current_app.jinja_env.get_template("email/notice.html").render(
        subject=mail["subject"], lines=lines, url=mail["url"], footer=footer
    )
    subject = mail["subject"] or "Incident Hub notice"
    return {"to": to, "subject": subject, "text": text, "html": page}
