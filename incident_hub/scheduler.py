"""The one long-running scheduler process behind ``incident-hub scheduler``.

Every job of :data:`jobs.JOBS` runs on an APScheduler ``BlockingScheduler`` (UTC, explicit ids,
``replace_existing=True``), each run in its own app context and error boundary. On PostgreSQL one
copy is active: it holds a session-level advisory lock (:data:`LOCK_ID`) on a dedicated connection
kept for the life of the process; other copies wait as standbys, retrying every ``lock_poll_s``,
and take over when the active process dies (PostgreSQL ends its session and the lock with it).
The active copy checks its lock connection as often; if it is lost it stops scheduling and goes
back to standby. SQLite has no lock manager: there the scheduler runs unguarded and says so.
SIGTERM/SIGINT stop it cleanly. The heartbeat lives in memory and the log only.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import FrameType
from typing import Any

from apscheduler.events import EVENT_SCHEDULER_STARTED
from apscheduler.schedulers import SchedulerNotRunningError
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import URL
from sqlalchemy.pool import NullPool

from .extensions import db

log = logging.getLogger(__name__)

Job = Callable[[datetime | None], dict[str, Any]]

# The advisory lock key: the bytes b"IncHubSc" as a signed 64-bit integer. In pg_locks it shows
# as classid 0x496E6348, objid 0x75625363, objsubid 1 (advisory locks are per database).
LOCK_ID = 0x496E_6348_7562_5363
# How long a stopping scheduler waits for running jobs before it lets go of the lock anyway.
DRAIN_TIMEOUT_S = 60.0
# How quickly the process notices a stop request (signal or stop_event).
_TICK_S = 0.1

_print_lock = threading.Lock()


def _say(message: str) -> None:
    """One line to stdout, flushed at once, so an operator (or a pipe) sees it immediately."""
    with _print_lock:
        print(message, flush=True)


@dataclass
class JobRun:
    """The outcome of one run of one job."""

    name: str
    started_at: datetime
    seconds: float
    ok: bool
    summary: dict[str, Any] | None = None
    error: str | None = None


@dataclass
class SchedulerState:
    """In-memory heartbeat: the role of this process and the last run of each job."""

    role: str = "starting"  # starting | standby | active | stopped
    runs: int = 0
    failures: int = 0
    last_runs: dict[str, JobRun] = field(default_factory=dict)
    lock_checked_at: datetime | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, run: JobRun) -> None:
        """Remember a finished run (called from the scheduler's worker threads)."""
        with self._lock:
            self.runs += 1
            self.failures += not run.ok
            self.last_runs[run.name] = run


class _Stop:
    """A stop request from the caller's event or a signal.

    The signal handler only sets an attribute (no locks, no I/O, which are unsafe in a handler);
    the threads that poll :meth:`requested` turn it into the event and announce it.
    """

    def __init__(self, event: threading.Event) -> None:
        self.event = event
        self.signal: int | None = None
        self._lock = threading.Lock()

    def requested(self) -> bool:
        if self.signal is not None and not self.event.is_set():
            with self._lock:
                if not self.event.is_set():
                    _say(f"received {signal.Signals(self.signal).name}; stopping")
                    self.event.set()
        return self.event.is_set()

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``, waking early on a stop request; True if one came."""
        deadline = time.monotonic() + seconds
        while not self.requested():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            self.event.wait(min(remaining, _TICK_S))
        return True


@contextmanager
def _signals_stop(stop: _Stop) -> Iterator[None]:
    """SIGTERM/SIGINT request a clean stop while inside (main thread only; else a no-op)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, _frame: FrameType | None) -> None:
        stop.signal = signum

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def resolve_intervals(
    jobs: Mapping[str, tuple[Job, int]], overrides: Mapping[str, int] | None = None
) -> dict[str, tuple[Job, int]]:
    """Each job with its interval (``overrides`` applied); ValueError for a bad name/interval."""
    overrides = dict(overrides or {})
    unknown = sorted(set(overrides) - set(jobs))
    if unknown:
        raise ValueError(f"unknown job {', '.join(unknown)} (jobs: {', '.join(jobs)})")
    out: dict[str, tuple[Job, int]] = {}
    for name, (fn, every) in jobs.items():
        seconds = overrides.get(name, every)
        if isinstance(seconds, bool) or not isinstance(seconds, int) or seconds < 1:
            raise ValueError(f"{name}: interval must be a whole number of seconds >= 1")
        out[name] = (fn, seconds)
    return out


class AdvisoryLock:
    """A session-level PostgreSQL advisory lock on a connection of its own.

    The connection comes from a private ``NullPool`` engine in autocommit mode, so it is never
    shared with, or handed back to, the app's session pool; closing it really ends the session
    (and with it the lock). TCP keepalives make a vanished server noticeable.
    """

    def __init__(self, url: URL, key: int = LOCK_ID) -> None:
        self.key = key
        self.held = False
        self.engine: Engine = create_engine(
            url, poolclass=NullPool, isolation_level="AUTOCOMMIT", connect_args=_connect_args(url)
        )
        self._conn: Connection | None = None

    def try_acquire(self) -> bool:
        """One ``pg_try_advisory_lock`` attempt; errors (database down) propagate."""
        if self.held:
            return True
        try:
            if self._conn is None:
                self._conn = self.engine.connect()
            sql = text("SELECT pg_try_advisory_lock(:key)")
            self.held = bool(self._conn.execute(sql, {"key": self.key}).scalar_one())
        except Exception:
            self._drop()
            raise
        return self.held

    def alive(self) -> bool:
        """A cheap round trip on the lock's connection: False if that session is gone."""
        if self._conn is None or not self.held:
            return False
        try:
            self._conn.execute(text("SELECT 1")).scalar_one()
        except Exception as exc:  # noqa: BLE001 — any failure means the session may be gone
            log.warning("scheduler lock connection lost: %s", exc)
            self._drop()
            return False
        return True

    def release(self) -> None:
        """Unlock and close the connection (closing alone would release it too)."""
        if self._conn is not None and self.held:
            with suppress(Exception):
                self._conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self.key})
        self._drop()

    def _drop(self) -> None:
        conn, self._conn, self.held = self._conn, None, False
        if conn is not None:
            with suppress(Exception):
                conn.invalidate()  # never reuse it; closes the DBAPI connection
            with suppress(Exception):
                conn.close()


def _connect_args(url: URL) -> dict[str, Any]:
    """libpq options for the lock connection (only for libpq drivers; URL options win)."""
    if url.get_driver_name() not in ("psycopg", "psycopg2"):
        return {}
    wanted: dict[str, Any] = {"application_name": "incident-hub-scheduler", "connect_timeout": 10}
    # Notice a vanished server or network within about half a minute, not hours.
    wanted |= {"keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 5}
    wanted |= {"keepalives_count": 3, "tcp_user_timeout": 30_000}
    return {k: v for k, v in wanted.items() if k not in url.query}


class _JobRunner:
    """Runs one job in an app context and an error boundary; counts runs still in flight."""

    def __init__(self, app: Flask, state: SchedulerState) -> None:
        self.app, self.state = app, state
        self._inflight = 0
        self._cond = threading.Condition()

    def run(self, name: str, fn: Job) -> None:
        """Called by APScheduler in a worker thread."""
        started, t0 = datetime.now(UTC), time.monotonic()
        stamp = f"{started:%Y-%m-%dT%H:%M:%SZ}"
        with self._cond:
            self._inflight += 1
        try:
            with self.app.app_context():
                summary = fn(None)  # at=None: the job works as of now()
        except Exception as exc:  # noqa: BLE001 — a failed run is logged; the next one still runs
            seconds = time.monotonic() - t0
            error = f"{type(exc).__name__}: {exc}"
            self.state.record(JobRun(name, started, seconds, ok=False, error=error))
            log.exception("job %s failed after %.2fs", name, seconds)
            _say(f"{stamp} {name} FAILED in {seconds:.2f}s: {error}")
        else:
            seconds = time.monotonic() - t0
            self.state.record(JobRun(name, started, seconds, ok=True, summary=summary))
            log.info("job %s ok in %.2fs: %r", name, seconds, summary)
            _say(f"{stamp} {name} ok in {seconds:.2f}s: {_compact(summary)}")
        finally:
            with self._cond:
                self._inflight -= 1
                self._cond.notify_all()

    def drain(self, timeout: float) -> bool:
        """Wait for running jobs to finish; False if some are still running after ``timeout``."""
        with self._cond:
            done = self._cond.wait_for(lambda: self._inflight == 0, timeout)
        if not done:
            log.warning("%d job run(s) still running after %.0fs", self._inflight, timeout)
        return done


def _compact(summary: Any) -> str:
    items = summary.items() if isinstance(summary, Mapping) else [("result", summary)]
    return ", ".join(f"{k}={v}" for k, v in items) or "-"


def run_scheduler(
    app: Flask,
    *,
    intervals: dict[str, int] | None = None,
    lock_poll_s: float = 5.0,
    stop_event: threading.Event | None = None,
) -> SchedulerState:
    """Run the jobs of :data:`jobs.JOBS` until stopped; return the final in-memory state.

    ``intervals`` overrides seconds between runs per job name. ``lock_poll_s`` is how often a
    standby retries the lock and the active process checks its lock connection. Setting
    ``stop_event`` (or SIGTERM/SIGINT when called from the main thread) stops it cleanly.
    """
    from .jobs import JOBS

    schedule = resolve_intervals(JOBS, intervals)
    if lock_poll_s <= 0:
        raise ValueError("lock_poll_s must be positive")
    stop = _Stop(stop_event or threading.Event())
    state = SchedulerState()
    with app.app_context():
        url = db.engine.url
    with _signals_stop(stop):
        if url.get_backend_name() != "postgresql":
            _say(
                f"note: {url.get_backend_name()} has no lock manager, so there is no standby "
                "protection: run exactly one scheduler against this database"
            )
            _run_active(app, schedule, state, stop, None, lock_poll_s)
        else:
            lock = AdvisoryLock(url)
            try:
                while _wait_for_lock(lock, state, stop, lock_poll_s):
                    lost = _run_active(app, schedule, state, stop, lock, lock_poll_s)
                    lock.release()
                    if lost and not stop.requested():
                        _say("lost the scheduler lock connection; back to standby")
            finally:
                lock.release()
                lock.engine.dispose()
    state.role = "stopped"
    _say(f"scheduler stopped ({state.runs} job runs, {state.failures} failed)")
    return state


def _wait_for_lock(lock: AdvisoryLock, state: SchedulerState, stop: _Stop, poll_s: float) -> bool:
    """Block until the lock is ours (True) or a stop is requested (False)."""
    state.role = "standby"
    said = ""
    while not stop.requested():
        try:
            if lock.try_acquire():
                _say(f"active: holding the scheduler lock {LOCK_ID}; running jobs")
                return True
            message = "standby: another scheduler holds the lock; waiting"
        except Exception as exc:  # noqa: BLE001 — database down: keep trying, never crash
            message = f"standby: cannot reach the database ({type(exc).__name__}); retrying"
            log.debug("scheduler lock attempt failed", exc_info=True)
        if message != said:  # say it once per change, not on every retry
            _say(message)
            log.info(message)
            said = message
        stop.wait(poll_s)
    return False


def _run_active(
    app: Flask,
    schedule: Mapping[str, tuple[Job, int]],
    state: SchedulerState,
    stop: _Stop,
    lock: AdvisoryLock | None,
    lock_poll_s: float,
) -> bool:
    """Schedule every job until stopped or the lock is lost (then return True)."""
    scheduler = BlockingScheduler(timezone=UTC)
    runner = _JobRunner(app, state)
    first = datetime.now(UTC)
    for name, (fn, seconds) in schedule.items():
        scheduler.add_job(
            runner.run,
            "interval",
            seconds=seconds,
            args=[name, fn],
            id=f"incident-hub-{name}",
            name=name,
            replace_existing=True,
            max_instances=1,
            coalesce=True,
            # A run late by up to one interval (at least 30 s) still happens; later than that
            # the next regular run is as good, and coalescing keeps it to one.
            misfire_grace_time=max(seconds, 30),
            next_run_time=first,
        )
    started, finished, lost = threading.Event(), threading.Event(), threading.Event()
    scheduler.add_listener(lambda _event: started.set(), EVENT_SCHEDULER_STARTED)

    def watch() -> None:
        """Shut the scheduler down on a stop request or when the lock connection is lost."""
        while not started.wait(_TICK_S):
            if finished.is_set():
                return
        next_check = time.monotonic() + lock_poll_s
        while not finished.is_set() and not stop.wait(min(_TICK_S, lock_poll_s)):
            if lock is None or time.monotonic() < next_check:
                continue
            if not lock.alive():
                lost.set()
                break
            state.lock_checked_at = datetime.now(UTC)
            next_check = time.monotonic() + lock_poll_s
        with suppress(SchedulerNotRunningError):
            scheduler.shutdown(wait=False)

    watcher = threading.Thread(target=watch, name="incident-hub-scheduler-watch", daemon=True)
    state.role = "active"
    every = ", ".join(f"{name} every {seconds}s" for name, (_fn, seconds) in schedule.items())
    _say(f"scheduler running: {every}")
    watcher.start()
    try:
        if not stop.requested():
            scheduler.start()
    finally:
        finished.set()
        watcher.join()
        with suppress(SchedulerNotRunningError):
            scheduler.shutdown(wait=False)
        runner.drain(DRAIN_TIMEOUT_S)  # the lock stays held until running jobs are done
    return lost.is_set()
