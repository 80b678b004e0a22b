"""Deliver due notices to Slack (and e-mail): claim them, send them paced per channel, record
each outcome. E-mail rows (audience ``email:<address>``) are claimed, marked and recorded the
same way by ``mail_deliver``, in a pass of their own: Slack's pacing never holds them back.

The claim commits before any HTTP call (FOR UPDATE SKIP LOCKED on PostgreSQL, and everywhere a
compare-and-set UPDATE), so two deliverers never send one row and a dead one's rows come back
after the lease. One worker thread per channel: channels in parallel, each in order and paced
(module state, so back-to-back passes keep the pace). All SQL stays in the calling thread (the
session is not thread-safe), which commits outcomes as they come: a crash repeats at most the
calls in flight. Before each call, the worker has the calling thread commit that this notice's
own send started (``send_started_at``); when a dead deliverer's claim is taken back, only those
rows spend an attempt, so a crash loop never burns the attempts of notices it never tried,
while a notice that kills its deliverer every time still runs out of attempts. Retrying is
the outbox's job, not slack_sdk's: one place decides backoff, Retry-After and giving up, and no
call sleeps or repeats a POST on its own. The Slack calls themselves are in ``slack_calls``.
"""

from __future__ import annotations

import os
import queue
import socket
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from slack_sdk import WebClient
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy import case as sql_case

from ..clock import as_utc, now
from ..extensions import db
from ..vocabulary import NoticeStatus
from .case_rooms import rooms
from .models import Notice
from .slack_calls import Job, Outcome, call

LEASE_S = 60.0  # a 'sending' claim older than this: its deliverer died
CASE_CHANNEL_WAIT = timedelta(seconds=30)  # a case channel still being created
BACKOFF_BASE_S, BACKOFF_CAP_S = 10, 3600
PASS_BUDGET_S = 10.0  # longest one pass keeps pacing a channel; the rest waits for the next
MAX_THREADS = 32
_pace_lock = threading.Lock()
_next_slot: dict[str, float] = {}  # channel -> monotonic time its next call may start
_blocked_until: dict[str, datetime] = {}  # channel -> end of Slack's last Retry-After for it


def forget_pacing() -> None:
    """Forget every channel's pace and Retry-After (a test starts from a quiet process)."""
    with _pace_lock:
        _next_slot.clear()
        _blocked_until.clear()


@dataclass
class DeliveryReport:
    """What one pass did, by notice (``claimed`` is the sum of the outcome counts)."""

    claimed: int = 0
    sent: int = 0
    retried: int = 0
    rate_limited: int = 0
    failed: int = 0
    deferred: int = 0
    cancelled: int = 0
    skipped_no_token: int = 0
    skipped_email_off: int = 0  # e-mail rows kept pending while [EMAIL] ENABLED is false

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    def add(self, other: DeliveryReport) -> DeliveryReport:
        for name, value in asdict(other).items():
            setattr(self, name, getattr(self, name) + value)
        return self


@dataclass
class Start:
    """A worker's word that it is about to call Slack for a notice; it waits for ``ready``
    (set once the calling thread has committed the mark), and calls only if ``go``."""

    notice_id: int
    ready: threading.Event = field(default_factory=threading.Event)
    go: bool = False


LAPSED = "the deliverer stopped while sending it (its claim lapsed)"


@dataclass
class _Pass:
    """One pass's settings and tallies; workers read only the first four fields."""

    token: str
    base_url: str
    interval: float  # seconds between two calls to one channel
    deadline: float  # monotonic time after which no new call starts
    at: datetime
    claim: str
    max_attempts: int
    started: float = field(default_factory=time.monotonic)
    report: DeliveryReport = field(default_factory=DeliveryReport)
    attempts: dict[int, int] = field(default_factory=dict)


def deliver_due(
    at: datetime | None = None, *, limit: int = 500, worker: str = "", lease_s: float = LEASE_S
) -> DeliveryReport:
    """Send up to ``limit`` notices due as of ``at``; commits the session (claims, outcomes).

    Without SLACK.BOT_TOKEN no Slack row is touched (nor, without [EMAIL] ENABLED, any e-mail
    row): they stay pending for the notices page. ``lease_s`` is how long a claim is trusted;
    a pass starts no call after half of it (nor after PASS_BUDGET_S), so no live deliverer's
    rows are ever taken over. E-mail rows are sent after the Slack ones, each in its own pass.
    """
    at = as_utc(at or now())
    name = worker or f"{socket.gethostname()}:{os.getpid()}"
    report = _deliver_slack(at, limit, name, lease_s)
    if current_app.config["EMAIL"]["ENABLED"]:
        from .mail_deliver import deliver_email

        return report.add(deliver_email(at, limit=limit, worker=name, lease_s=lease_s))
    report.skipped_email_off = _pending(email=True)
    return report


def _pending(*, email: bool) -> int:
    query = select(func.count()).select_from(Notice).where(Notice.status == NoticeStatus.PENDING)
    return db.session.execute(query.where(by_email(email))).scalar_one()


def by_email(email: bool) -> Any:
    """Rows of one kind of delivery: e-mail (``email:<address>``) or Slack (the rest)."""
    mail = Notice.audience.like("email:%")
    return mail if email else ~mail


def _deliver_slack(at: datetime, limit: int, name: str, lease_s: float) -> DeliveryReport:
    cfg = current_app.config["SLACK"]
    if not cfg["BOT_TOKEN"]:
        return DeliveryReport(skipped_no_token=_pending(email=False))
    interval = 1.02 / float(cfg["MAX_PER_CHANNEL_PER_S"]) + 0.001  # 2% + 1 ms for jitter
    deadline = time.monotonic() + min(PASS_BUDGET_S, lease_s / 2)
    claim, attempts = f"{name[:50]}#{uuid.uuid4().hex[:8]}", int(cfg["MAX_ATTEMPTS"])
    p = _Pass(cfg["BOT_TOKEN"], cfg["API_BASE_URL"], interval, deadline, at, claim, attempts)
    rows = _claim(p, limit, timedelta(seconds=lease_s), email=False)
    p.report.claimed = len(rows)
    p.attempts = {row.id: row.attempts for row in rows}
    groups: dict[str, list[Job]] = {}
    settled: list[Outcome] = []
    coming: dict[int, bool] = {}
    for row in rows:
        planned = _plan(row, cfg, p, coming)
        if isinstance(planned, Outcome):
            settled.append(planned)
        else:
            key = f"new:{row.id}" if planned.action == "create_channel" else planned.channel
            groups.setdefault(key, []).append(planned)
    _record(settled, p)
    # One worker per channel; outcomes are recorded here, in the session's thread, as they come.
    out: queue.Queue[Outcome | Start | None] = queue.Queue()
    with ThreadPoolExecutor(max(1, min(MAX_THREADS, len(groups))), "slack-deliver") as pool:
        for key, jobs in groups.items():
            pool.submit(_run_group, key, jobs, p, out)
        running = len(groups)
        try:
            while running:
                batch = [out.get()]
                while not out.empty():  # this thread is the only reader: get() cannot block
                    batch.append(out.get())
                running -= sum(item is None for item in batch)
                starts = [item for item in batch if isinstance(item, Start)]
                _record([item for item in batch if isinstance(item, Outcome)], p, starts)
                for start in starts:
                    start.go = True
                    start.ready.set()
        except BaseException:  # outcomes can no longer be recorded: start no more calls
            p.deadline = 0.0
            raise
    return p.report


def _claim(p: _Pass, limit: int, lease: timedelta, *, email: bool) -> list[Notice]:
    """Mark due rows, and rows whose claim outlived the lease, as this pass's; commit. Only
    e-mail rows (``email``) or only Slack rows."""
    expired = and_(Notice.status == NoticeStatus.SENDING, Notice.claimed_at < p.at - lease)
    due = and_(Notice.status == NoticeStatus.PENDING, Notice.next_attempt_at <= p.at)
    due, expired = and_(due, by_email(email)), and_(expired, by_email(email))
    query = select(Notice.id).where(or_(due, expired)).order_by(Notice.id).limit(limit)
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ids = list(db.session.execute(query).scalars())
    # Compare-and-set (a row another deliverer took since the SELECT no longer matches). A
    # lapsed claim counts as an attempt only for a row whose own call had started (it may be
    # what killed its deliverer: such a notice cannot loop); the rest come back untouched.
    tried = and_(Notice.status == NoticeStatus.SENDING, Notice.send_started_at.is_not(None))
    take = update(Notice).where(Notice.id.in_(ids), or_(due, expired))
    state = {
        "status": NoticeStatus.SENDING,
        "claimed_at": p.at,
        "claimed_by": p.claim,
        "send_started_at": None,
        "attempts": sql_case((tried, Notice.attempts + 1), else_=Notice.attempts),
        "last_error": sql_case((tried, LAPSED), else_=Notice.last_error),
    }
    _write([take.values(**state)])
    mine = select(Notice).where(Notice.claimed_by == p.claim, Notice.status == NoticeStatus.SENDING)
    return list(db.session.execute(mine.order_by(Notice.id)).scalars())


def _plan(row: Notice, cfg: dict[str, Any], p: _Pass, coming: dict[int, bool]) -> Job | Outcome:
    """Resolve a claimed row into Slack work, or settle it here when no call is needed."""
    payload = row.payload or {}
    action = payload.get("action", "message")
    case = rooms().by_id(row.case_id) if row.case_id else None
    if case is None and row.audience.startswith("case:"):
        case = rooms().by_ref(row.audience[5:])
    waiting = Outcome(row.id, "deferred", "no case channel yet", retry_at=p.at + CASE_CHANNEL_WAIT)
    if row.attempts >= p.max_attempts:
        why = row.last_error or "no error was recorded"
        return Outcome(row.id, "permanent", f"gave up after {row.attempts} attempts: {why}")
    if action in ("create_channel", "archive_channel"):
        if case is None:
            return Outcome(row.id, "permanent", f"{action} needs a case")
        if action == "create_channel" or case.slack_channel_id:
            return Job(row.id, action, case.slack_channel_id, payload, case.id)
        if _channel_coming(case.id, coming):
            return waiting
        return Outcome(row.id, "cancelled", "the case has no Slack channel")
    if action != "message":
        return Outcome(row.id, "permanent", f"unknown action {action!r}")
    channel = row.audience
    if channel.startswith("case:"):
        if case is None:
            return Outcome(row.id, "permanent", f"no case {channel[5:]}")
        if case.slack_channel_id:
            channel = case.slack_channel_id
        elif cfg["CASE_CHANNELS"] and _channel_coming(case.id, coming):
            return waiting
        elif payload.get("secret"):  # a secret case is never posted to the announce channel
            return Outcome(row.id, "cancelled", "a restricted case has no channel of its own")
        else:  # no channel per case, or none on its way (its creation failed for good)
            channel = cfg["ANNOUNCE_CHANNEL"]
    elif channel.startswith("user:"):  # enqueue_unique rows skip enqueue's own check
        return Outcome(row.id, "permanent", f"{channel[5:]} has no Slack user id")
    blocked = _blocked_until.get(channel)  # one dict read: atomic, no lock needed
    if blocked and blocked > p.at:  # Slack asked us to leave this channel alone until then
        return Outcome(row.id, "rate_limited", "waiting for Retry-After", retry_at=blocked)
    return Job(row.id, "message", channel, payload, row.case_id)


def _channel_coming(case_id: int, cache: dict[int, bool]) -> bool:
    """Is a create_channel for the case still queued? Then its channel is on its way."""
    if case_id not in cache:
        queued = Notice.status.in_((NoticeStatus.PENDING, NoticeStatus.SENDING))
        query = select(Notice.payload).where(Notice.case_id == case_id, queued)
        payloads = db.session.execute(query).scalars()
        cache[case_id] = any((x or {}).get("action") == "create_channel" for x in payloads)
    return cache[case_id]


def _run_group(
    key: str, jobs: list[Job], p: _Pass, out: queue.Queue[Outcome | Start | None]
) -> None:
    """One channel's calls, in order and paced; every job yields exactly one outcome."""
    client = WebClient(token=p.token, base_url=p.base_url, timeout=10, retry_handlers=[])
    done, rest = 0, Outcome(0, "deferred", "the pass ran out of time")
    try:
        for job in jobs:
            wait = 0.0 if job.action == "create_channel" else _take_slot(key, p)
            if wait or time.monotonic() > p.deadline:
                rest = Outcome(0, "deferred", "paced to a later pass", delay_s=wait)
                break
            if not _started(job, p, out):
                rest = Outcome(0, "deferred", "the pass stopped")
                break
            if job.action != "create_channel":
                _calling(key, p)
            outcome = call(client, job)
            out.put(outcome)
            done += 1
            if outcome.result == "rate_limited":  # the channel waits, and so does its queue
                outcome.channel = key
                rest = replace(outcome, error="channel rate limited")
                break
    except Exception as exc:  # a bug here must not strand the rows: each says what happened
        rest = Outcome(0, "transient", f"delivery worker failed: {exc!r}"[:500])
    finally:
        for job in jobs[done:]:
            out.put(replace(rest, notice_id=job.notice_id))
        out.put(None)


def _started(job: Job, p: _Pass, out: queue.Queue[Outcome | Start | None]) -> bool:
    """Have the calling thread commit that this job's send starts; False if the pass stopped."""
    start = Start(job.notice_id)
    out.put(start)
    while not start.ready.wait(0.2):
        if p.deadline == 0.0:  # the calling thread failed: it will never answer
            return False
    return start.go


def _take_slot(key: str, p: _Pass) -> float:
    """Wait for the channel's next slot and return 0, or return how far past the deadline it is."""
    with _pace_lock:
        start = max(time.monotonic(), _next_slot.get(key, 0.0))
        if start > p.deadline:
            return max(start - time.monotonic(), 0.001)
        _next_slot[key] = start + p.interval
    time.sleep(max(0.0, start - time.monotonic()))
    return 0.0


def _calling(key: str, p: _Pass) -> None:
    """The call starts now: the next slot is an interval from now, not from the planned slot
    (a late wake-up or a slow start handshake would otherwise squeeze the next gap)."""
    with _pace_lock:
        _next_slot[key] = max(_next_slot.get(key, 0.0), time.monotonic() + p.interval)


def _record(outcomes: list[Outcome], p: _Pass, starts: list[Start] | None = None) -> None:
    """Write outcomes to the rows this pass still holds, mark the sends about to start, and
    commit (once, for the whole batch)."""
    if not outcomes and not starts:
        return
    # `tick` freezes the clock for a whole pass: Retry-After must count from the real answer.
    stamp = max(p.at + timedelta(seconds=time.monotonic() - p.started), now())
    statements: list[Any] = []
    for o in outcomes:
        if o.created:  # the case side's Core UPDATE: noting the channel id is no content edit
            statements.append(rooms().channel_created(*o.created))
        where = [Notice.id == o.notice_id]
        if o.result != "ok":  # a send is a fact, recorded even if this claim lapsed meanwhile
            where += [Notice.claimed_by == p.claim, Notice.status == NoticeStatus.SENDING]
        statements.append(update(Notice).where(*where).values(**_new_state(o, p, stamp)))
    if starts:
        held = [Notice.claimed_by == p.claim, Notice.status == NoticeStatus.SENDING]
        starting = update(Notice).where(Notice.id.in_([s.notice_id for s in starts]), *held)
        statements.append(starting.values(send_started_at=stamp))
    _write(statements)


def _new_state(o: Outcome, p: _Pass, stamp: datetime) -> dict[str, Any]:
    """The notice's columns after this outcome (and the report counts it)."""
    report = p.report
    if o.result == "ok":
        report.sent += 1
        return {
            "status": NoticeStatus.SENT,
            "sent_at": stamp,
            "slack_ts": o.ts,
            "slack_channel": o.channel,
        }
    if o.result in ("permanent", "cancelled"):
        final = NoticeStatus.FAILED if o.result == "permanent" else NoticeStatus.CANCELLED
        setattr(report, final, getattr(report, final) + 1)
        return {"status": final, "last_error": o.error}
    later = o.retry_at or stamp + timedelta(seconds=o.delay_s)
    state: dict[str, Any] = {
        "status": NoticeStatus.PENDING,
        "last_error": o.error,
        "next_attempt_at": later,
    }
    if o.result == "transient":
        attempts = p.attempts.get(o.notice_id, 0) + 1
        if attempts >= p.max_attempts:
            report.failed += 1
            gave_up = f"gave up after {attempts} attempts: {o.error}"
            return {"status": NoticeStatus.FAILED, "attempts": attempts, "last_error": gave_up}
        report.retried += 1
        backoff = timedelta(seconds=min(BACKOFF_BASE_S * 2 ** (attempts - 1), BACKOFF_CAP_S))
        return {**state, "attempts": attempts, "next_attempt_at": stamp + backoff}
    if o.result == "rate_limited":
        report.rate_limited += 1
        if o.retry_at is None:  # Slack's word: nothing more to this channel before then
            with _pace_lock:
                _blocked_until[o.channel] = max(_blocked_until.get(o.channel, later), later)
    else:
        report.deferred += 1
    return state


def _write(statements: list[Any]) -> None:
    """Execute and commit (SQLite waits for a busy writer: see the busy_timeout pragma)."""
    for statement in statements:
        db.session.execute(statement.execution_options(synchronize_session=False))
    db.session.commit()
