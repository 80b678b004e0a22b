"""``incident-hub scheduler`` as an operator runs it: the real console script, as a subprocess.

On every backend it runs each job of ``JOBS`` on short intervals, keeps running when a job fails,
and stops cleanly (exit 0) on SIGTERM. On PostgreSQL two copies share the database: one runs jobs,
the other waits as a standby and takes over within seconds when the active one is killed -9.

The subprocesses get an empty FEEDS_DIR, so no feed address is ever contacted.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from incident_hub.jobs import JOBS
from incident_hub.scheduler import LOCK_ID

SCRIPT = Path(sys.executable).parent / "incident-hub"
RUN = r"^\S+ (?P<job>\S+) (ok|FAILED) in "  # one job run: "<time> poll ok in 0.01s: ..."
FAST = [f"--job-interval={name}=1" for name in JOBS]
START_TIMEOUT_S = 20.0  # importing the app and connecting; generous for a loaded CI machine


class Scheduler:
    """One ``incident-hub scheduler`` subprocess; a thread collects its stdout line by line."""

    def __init__(self, env: dict[str, str], tmp_path: Path, label: str, *args: str) -> None:
        self.label = label
        self.stderr_path = tmp_path / f"scheduler-{label}.stderr"
        with self.stderr_path.open("wb") as stderr:  # a file, so a chatty stderr never blocks
            self.proc = subprocess.Popen(
                [str(SCRIPT), "scheduler", *args],
                env=env,
                stdout=subprocess.PIPE,
                stderr=stderr,
                text=True,
            )
        self.lines: list[str] = []
        self._cond = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            with self._cond:
                self.lines.append(line.rstrip("\n"))
                self._cond.notify_all()

    def output(self) -> str:
        """Everything said so far, for assertion messages."""
        with self._cond:
            out = "\n".join(self.lines)
        err = self.stderr_path.read_text(errors="replace")[-3000:]
        return f"--- {self.label} stdout:\n{out}\n--- {self.label} stderr (tail):\n{err}"

    def wait_for(self, pattern: str, timeout: float, start: int = 0) -> int:
        """Index of the first stdout line from ``start`` on matching ``pattern``; fail if none
        comes within ``timeout`` seconds or the process ends first."""
        deadline = time.monotonic() + timeout
        regex = re.compile(pattern)
        with self._cond:
            while True:
                for i in range(start, len(self.lines)):
                    if regex.search(self.lines[i]):
                        return i
                remaining = deadline - time.monotonic()
                if remaining <= 0 or (self.proc.poll() is not None and not self._reader.is_alive()):
                    break
                self._cond.wait(min(remaining, 0.2))
        pytest.fail(f"{self.label}: no line matching {pattern!r} in {timeout}s\n{self.output()}")

    def runs(self, start: int = 0) -> list[str]:
        """The job-run lines printed from line ``start`` on."""
        with self._cond:
            return [line for line in self.lines[start:] if re.search(RUN, line)]

    def terminate(self, timeout: float = 15.0) -> int:
        """SIGTERM, then the exit code (the process must stop by itself within ``timeout``)."""
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            pytest.fail(f"{self.label}: still running {timeout}s after SIGTERM\n{self.output()}")
        self._reader.join(5)
        return code

    def kill(self) -> None:
        """SIGKILL if still running (always safe to call)."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(10)
        self._reader.join(5)


@pytest.fixture
def scheduler_env(db_url: str, tmp_path: Path) -> dict[str, str]:
    """Environment for a scheduler subprocess on this test's database, with no feeds to poll."""
    feeds = tmp_path / "empty-feeds"
    feeds.mkdir()
    config = tmp_path / "scheduler.toml"
    config.write_text(
        f"SECRET_KEY = {json.dumps('test-secret-key-not-for-production')}\n"
        f"FEEDS_DIR = {json.dumps(str(feeds))}\n"
    )
    env = dict(os.environ)
    env.update(
        DATABASE_URL=db_url,
        INCIDENT_HUB_CONFIG=str(config),
        INCIDENT_HUB_INSTANCE_PATH=str(tmp_path / "instance"),
        PYTHONUNBUFFERED="1",
    )
    return env


def lock_holders(db_url: str) -> int:
    """How many sessions hold the scheduler's advisory lock in this database."""
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return conn.execute(
                text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
                    " AND classid::bigint = :hi AND objid::bigint = :lo AND objsubid = 1"
                    " AND database = (SELECT oid FROM pg_database"
                    "                 WHERE datname = current_database())"
                ),
                {"hi": LOCK_ID >> 32, "lo": LOCK_ID & 0xFFFFFFFF},
            ).scalar_one()
    finally:
        engine.dispose()


def test_scheduler_runs_every_job_survives_failures_and_stops_on_sigterm(
    backend, scheduler_env, tmp_path
):
    scheduler = Scheduler(scheduler_env, tmp_path, "only", *FAST, "--lock-poll", "0.5")
    try:
        first = scheduler.wait_for(r"^(active|note|standby):", START_TIMEOUT_S)
        if backend["name"] == "sqlite":
            assert "no standby protection" in scheduler.lines[first], scheduler.output()
        else:
            assert scheduler.lines[first].startswith("active:"), scheduler.output()
        for name in JOBS:  # every job runs at once, whether or not its code is in place yet
            scheduler.wait_for(rf"^\S+ {re.escape(name)} (ok|FAILED) in ", 10)
        # ... and runs again: a failing job never stops the scheduler.
        again = scheduler.wait_for(r"^\S+ poll ok in ", 10)
        scheduler.wait_for(r"^\S+ poll ok in ", 10, start=again + 1)
        assert scheduler.proc.poll() is None, scheduler.output()

        assert scheduler.terminate() == 0, scheduler.output()
        assert scheduler.lines[-1].startswith("scheduler stopped"), scheduler.output()
        assert "received SIGTERM; stopping" in scheduler.lines, scheduler.output()
        if backend["name"] == "postgresql":
            assert lock_holders(scheduler_env["DATABASE_URL"]) == 0
    finally:
        scheduler.kill()


def test_standby_takes_over_when_the_active_scheduler_is_killed(backend, scheduler_env, tmp_path):
    if backend["name"] != "postgresql":
        pytest.skip("standby needs PostgreSQL's advisory lock; SQLite has no lock manager")
    url = scheduler_env["DATABASE_URL"]
    args = [*FAST, "--lock-poll", "0.5"]
    pair = [Scheduler(scheduler_env, tmp_path, label, *args) for label in ("a", "b")]
    try:
        roles: dict[str, list[Scheduler]] = {}
        for scheduler in pair:
            i = scheduler.wait_for(r"^(active|standby):", START_TIMEOUT_S)
            roles.setdefault(scheduler.lines[i].split(":")[0], []).append(scheduler)
        assert sorted(roles) == ["active", "standby"], "\n".join(s.output() for s in pair)
        [active], [standby] = roles["active"], roles["standby"]
        assert "another scheduler holds the lock" in "\n".join(standby.lines), standby.output()

        # Exactly one runs jobs: the active one keeps running them, the standby runs none.
        seen = active.wait_for(RUN, 10)
        active.wait_for(RUN, 10, start=seen + 1)
        time.sleep(1.5)  # several 1 s intervals in which the standby must stay quiet
        assert standby.runs() == [], standby.output()
        assert lock_holders(url) == 1

        # The active one dies without any chance to clean up; PostgreSQL drops its session and
        # the lock with it, and the standby (retrying every 0.5 s) takes over.
        killed_at = time.monotonic()
        active.proc.send_signal(signal.SIGKILL)
        active.proc.wait(10)
        mark = len(standby.lines)
        took_over = standby.wait_for(r"^active:", 10, start=mark)
        standby.wait_for(r"^\S+ poll ok in ", 10, start=took_over)
        assert time.monotonic() - killed_at < 10
        assert lock_holders(url) == 1

        assert standby.terminate() == 0, standby.output()
        assert standby.lines[-1].startswith("scheduler stopped"), standby.output()
        assert lock_holders(url) == 0
    finally:
        for scheduler in pair:
            scheduler.kill()
