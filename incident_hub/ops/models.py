"""One row per periodic job: how often it ran, failed, and when it last succeeded.

Written by every run, from the scheduler process or ``incident-hub tick`` alike, so the web
workers can tell (``/healthz``) whether periodic work is happening and export it (``/metrics``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model
from ..types import UTCDateTime


class JobStat(Model):
    __tablename__ = "job_stats"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    runs: Mapped[int] = mapped_column(BigInteger, default=0)
    failures: Mapped[int] = mapped_column(BigInteger, default=0)
    last_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_ok_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_seconds: Mapped[float] = mapped_column(default=0.0)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    host: Mapped[str] = mapped_column(String(200), default="")
    # Running sums of the numeric fields of the job's summaries (poll: sources, new, flagged…).
    totals: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
