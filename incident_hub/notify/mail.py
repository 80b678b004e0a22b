"""Sending e-mail notices over SMTP (the standard library's smtplib and email.message), each
send sorted into one delivery outcome (``slack_calls.Outcome``, shared with Slack).

One connection per delivery pass, opened when the first message needs it ([EMAIL] SMTP_HOST,
SMTP_PORT, SSL or STARTTLS, USERNAME/PASSWORD, TIMEOUT_S) and opened again after a failure.
An SMTP 4xx answer, a dropped connection or a timeout is transient (the outbox retries with
backoff); a 5xx answer to the message is permanent. A failure before any message is handed
over (connecting, TLS, login) is transient for the pass. Each message carries a Message-ID
made from its notice's dedup key, so a retry after an ambiguous failure (the server took the
message but its answer never came) is the same message to the recipient's systems.
Nothing here touches the database.
"""

from __future__ import annotations

import contextlib
import hashlib
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Any

from ..clock import now
from ..config_email import smtp_password
from .slack_calls import Outcome


def message_id(dedup_key: str, sender: str) -> str:
    """``<notice.<hash of the key>@<the sender's domain>>``: the same for every attempt."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "incident-hub.invalid"
    return f"<notice.{hashlib.sha256(dedup_key.encode()).hexdigest()[:32]}@{domain}>"


def build(
    cfg: dict[str, Any], notice_id: int, dedup_key: str, payload: dict[str, Any]
) -> EmailMessage:
    """The message for one e-mail row (payload: to, subject, text, html)."""
    message = EmailMessage()
    message["From"] = cfg["FROM"]
    message["To"] = str(payload["to"])
    message["Subject"] = str(payload.get("subject") or "Incident Hub notice")
    message["Date"] = format_datetime(now())
    message["Message-ID"] = message_id(dedup_key, cfg["FROM"])
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies, please
    message["X-Incident-Hub-Notice"] = str(notice_id)
    message.set_content(str(payload.get("text") or ""))
    if payload.get("html"):
        message.add_alternative(str(payload["html"]), subtype="html")
    return message


class Mailer:
    """One pass's SMTP connection: ``send`` yields an outcome per message, never raises."""

    def __init__(self, cfg: dict[str, Any]):
        self.cfg = cfg
        self.smtp: smtplib.SMTP | None = None
        self.down: Outcome | None = None  # why the server cannot be reached this pass

    def _connect(self) -> smtplib.SMTP:
        cfg, context = self.cfg, ssl.create_default_context()
        host, port, timeout = cfg["SMTP_HOST"], int(cfg["SMTP_PORT"]), float(cfg["TIMEOUT_S"])
        if cfg["SSL"]:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
        else:
            smtp = smtplib.SMTP(host, port, timeout=timeout)
        try:
            smtp.ehlo()
            if cfg["STARTTLS"]:
                smtp.starttls(context=context)
                smtp.ehlo()
            if cfg["USERNAME"]:
                smtp.login(cfg["USERNAME"], smtp_password(cfg))
        except BaseException:
            _close(smtp)
            raise
        return smtp

    def send(self, notice_id: int, dedup_key: str, payload: dict[str, Any]) -> Outcome:
        if not payload.get("to"):
            return Outcome(notice_id, "permanent", "the e-mail notice has no recipient")
        try:
            message = build(self.cfg, notice_id, dedup_key, payload)
        except (ValueError, TypeError) as exc:  # a header the email package refuses
            return Outcome(notice_id, "permanent", f"cannot build the e-mail: {exc}"[:500])
        if self.smtp is None:
            try:
                self.smtp = self._connect()
            except Exception as exc:
                self.down = _sorted(notice_id, exc, "SMTP server unavailable: ", connecting=True)
                return self.down
        try:
            refused = self.smtp.send_message(message)
        except Exception as exc:
            outcome = _sorted(notice_id, exc, "")
            if not isinstance(exc, smtplib.SMTPRecipientsRefused):  # the session may be gone
                self.close()
            return outcome
        if refused:  # one recipient per message: a partial refusal cannot happen, but say so
            return Outcome(notice_id, "permanent", f"refused: {refused}"[:500])
        return Outcome(notice_id, "ok")

    def close(self) -> None:
        if self.smtp is not None:
            _close(self.smtp)
            self.smtp = None


def _close(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except Exception:  # the connection is going away either way
        with contextlib.suppress(Exception):
            smtp.close()


def _sorted(notice_id: int, exc: Exception, prefix: str, *, connecting: bool = False) -> Outcome:
    """A 5xx answer to a message is permanent; 4xx, network trouble and anything met while
    connecting (the next pass may find the server back, or its login fixed) are transient."""
    code: int | None = None
    detail = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, smtplib.SMTPRecipientsRefused) and exc.recipients:
        code, text = next(iter(exc.recipients.values()))
        detail = f"recipient refused: {code} {_text(text)}"
    elif isinstance(exc, smtplib.SMTPResponseException):
        code = exc.smtp_code
        detail = f"{type(exc).__name__}: {code} {_text(exc.smtp_error)}"
    refused = code is not None and 500 <= code < 600
    if isinstance(exc, smtplib.SMTPNotSupportedError):  # e.g. a non-ASCII address, no SMTPUTF8
        refused = True
    result = "permanent" if refused and not connecting else "transient"
    return Outcome(notice_id, result, f"{prefix}{detail}"[:500])


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
