"""Is this request really from Slack, and have we already answered it?

Slack signs every request: ``v0=HMAC-SHA256(signing secret, "v0:{timestamp}:{raw body}")``,
sent in ``X-Slack-Signature`` with the timestamp in ``X-Slack-Request-Timestamp``. We check it
with slack-sdk's own :class:`SignatureVerifier` on the exact bytes received, before anything
parses the body, and refuse anything that is not a well-formed, fresh, correct signature with a
plain 401: a forged request must never reach a service function, nor crash into a 500.

A valid signature can still be replayed (Slack retries; anyone who captured a request can resend
it within the five-minute window), so :func:`run_once` records each signature in
``slack_requests`` (unique) in the same transaction as the action, and a second request with the
same signature gets the stored answer without the action being repeated.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl

from flask import Response, current_app, request
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from ..extensions import db
from ..notify.models import SlackRequest

STALE_AFTER_S = 5 * 60  # Slack's own advice; slack-sdk's verifier uses the same window
KEEP_SIGNATURES = timedelta(minutes=15)  # past the stale window a replay is refused anyway
MAX_FIELDS = 100  # Slack sends ~15 fields; more is not Slack
_TIMESTAMP_RE = re.compile(r"[0-9]{1,12}")
_SIGNATURE_RE = re.compile(r"v0=[0-9a-f]{64}")

# What a replay gets if the first request committed its action but not yet its answer.
ALREADY_HANDLED: dict[str, Any] = {
    "response_type": "ephemeral",
    "text": "This request was already handled.",
}


class SignatureRejected(Exception):
    """The request is not provably from Slack; ``reason`` says why (safe to show)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class MalformedRequest(ValueError):
    """Signed correctly, but not a body Slack would send (a 400, not a 401)."""


@dataclass(frozen=True)
class SignedRequest:
    """A request whose signature checked out: its signature and the form fields it carried."""

    signature: str
    fields: dict[str, str]


def verified_request() -> SignedRequest:
    """Check the current request's signature and parse its form body; raise
    :class:`SignatureRejected` (answer 401) or, once the signature holds,
    :class:`MalformedRequest` (answer 400).

    The raw body is read first (``request.get_data()``) and the form is parsed from those very
    bytes, so what we act on is exactly what Slack signed.
    """
    secret = (current_app.config.get("SLACK") or {}).get("SIGNING_SECRET") or ""
    if not secret.strip():
        raise SignatureRejected("Slack is not configured")
    body = request.get_data(cache=True)
    timestamp = request.headers.get("X-Slack-Request-Timestamp")
    signature = request.headers.get("X-Slack-Signature")
    if not timestamp or not signature:
        raise SignatureRejected("missing Slack signature headers")
    # slack-sdk would int() anything (" 1", "1_0", Arabic digits) and hand non-ASCII to
    # hmac.compare_digest, which raises TypeError: only Slack's exact formats get through.
    if not _TIMESTAMP_RE.fullmatch(timestamp):
        raise SignatureRejected("malformed Slack timestamp")
    if not _SIGNATURE_RE.fullmatch(signature):
        raise SignatureRejected("malformed Slack signature")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise SignatureRejected("request body is not UTF-8") from None
    # Freshness is judged by the wall clock, not the app's (movable) clock: Slack stamps real
    # time, and a simulated time (``tick --at``, a test) must neither refuse Slack nor revive
    # an old captured request.
    if abs(time.time() - int(timestamp)) > STALE_AFTER_S:
        raise SignatureRejected("stale Slack timestamp")
    if not SignatureVerifier(secret).is_valid(text, timestamp, signature):
        raise SignatureRejected("invalid Slack signature")
    try:
        pairs = parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FIELDS)
    except ValueError:
        raise MalformedRequest("too many form fields") from None
    fields: dict[str, str] = {}
    for key, value in pairs:
        fields.setdefault(key, value)
    return SignedRequest(signature=signature, fields=fields)


def unauthorized(exc: SignatureRejected) -> Response:
    """The 401 answer: plain text, nothing about the app behind it."""
    return Response(f"Unauthorized: {exc.reason}\n", status=401, mimetype="text/plain")


def bad_request(exc: ValueError) -> Response:
    """The 400 answer to a correctly signed but malformed request."""
    return Response(f"Bad request: {exc}\n", status=400, mimetype="text/plain")


def run_once(signature: str, handle: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run ``handle`` unless a request with this signature was already handled; return its
    answer (or the stored answer of the first request).

    The signature row is inserted and flushed before ``handle`` runs, so it is committed by the
    same transaction that commits the action (service functions commit their own work); a
    concurrent duplicate blocks on the unique index and then finds the row. The answer is stored
    once ``handle`` returns. If the action failed and rolled back, the row went with it and is
    written again together with the answer.
    """
    stored = _stored_answer(signature)
    if stored is not None:
        return stored
    db.session.add(_row(signature, dict(ALREADY_HANDLED)))
    try:
        db.session.flush()
    except IntegrityError:  # a duplicate committed between our look-up and our insert
        db.session.rollback()
        return _stored_answer(signature) or ALREADY_HANDLED
    try:
        answer = handle()
    except Exception:
        db.session.rollback()
        raise
    answer = _save_answer(signature, answer)
    _forget_old_signatures()
    return answer


def _wall_clock() -> datetime:
    """Replay bookkeeping runs on real time, like the freshness check it backs up."""
    return datetime.now(UTC)


def _row(signature: str, answer: dict[str, Any]) -> SlackRequest:
    return SlackRequest(signature=signature, response=answer, received_at=_wall_clock())


def _stored_answer(signature: str) -> dict[str, Any] | None:
    row = db.session.execute(
        select(SlackRequest).where(SlackRequest.signature == signature)
    ).scalar_one_or_none()
    if row is None:
        return None
    return dict(row.response) if row.response else dict(ALREADY_HANDLED)


def _save_answer(signature: str, answer: dict[str, Any]) -> dict[str, Any]:
    """Store the answer for replays and commit; a lost race returns the winner's answer."""
    row = db.session.execute(
        select(SlackRequest).where(SlackRequest.signature == signature)
    ).scalar_one_or_none()
    if row is None:
        db.session.add(_row(signature, answer))
    else:
        row.response = answer
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return _stored_answer(signature) or answer
    return answer


def _forget_old_signatures() -> None:
    """Drop signatures past any possible replay; best effort, in its own short transaction."""
    try:
        db.session.execute(
            delete(SlackRequest).where(SlackRequest.received_at < _wall_clock() - KEEP_SIGNATURES)
        )
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        current_app.logger.warning("could not prune old Slack request signatures", exc_info=True)
