"""Prometheus metrics, read from the database at scrape time.

Every figure comes from tables every process writes (job_stats, alerts, notices, cases,
decisions), so any web worker answers for the whole deployment: no multiprocess directory and
no per-worker counters that reset on restart. Each scrape costs a handful of grouped queries.

Whoever reads the metrics is no member of any case: restricted cases are not counted in the
case figures (cases by status, time to decision), and an alert tied to one is counted as
"triaged", as the triage queue shows it to non-members. Notices and reminders are counted
whole: delivery failures must reach the operator whatever the case (a known limit: a notice
about a restricted case moves those counts).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from prometheus_client import CollectorRegistry, ProcessCollector, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from sqlalchemy import case, func, select

from ..cases.models import Case, Decision
from ..clock import now
from ..extensions import db
from ..notify.models import Notice
from ..vocabulary import (
    ACTION_REMINDER_KINDS,
    REMINDER_KINDS,
    REVIEW_REMINDER_KINDS,
    TIED_TO_CASE,
    AlertStatus,
    NoticeStatus,
)
from ..watch.models import Alert
from .models import JobStat

# Time to decision buckets, in seconds: 1 h, 6 h, 1, 2, 3, 7, 14, 30 days.
DECISION_BUCKETS = (3600, 6 * 3600, 86400, 2 * 86400, 3 * 86400, 7 * 86400, 14 * 86400, 30 * 86400)
# Reminders counted as sent: analyses and decisions (cases/reminders.py), follow-through actions
# and monitored cases' re-reviews.
SENT_REMINDER_KINDS = (*REMINDER_KINDS, *ACTION_REMINDER_KINDS, *REVIEW_REMINDER_KINDS)
# job_stats totals exported as counters: (job, summary field) -> (metric, help).
JOB_TOTALS = {
    ("poll", "sources"): ("incident_hub_polls", "Feed polls made (one per source per run)"),
    ("poll", "errors"): ("incident_hub_poll_errors", "Feed polls that failed"),
    ("poll", "new"): ("incident_hub_feed_items_new", "New feed items stored"),
    ("poll", "flagged"): ("incident_hub_alerts_flagged", "Alerts flagged by the classifier"),
    ("reminders", "overdue"): ("incident_hub_reminders_overdue", "Overdue-analysis reminders"),
    ("reminders", "decision"): ("incident_hub_reminders_decision", "Decision reminders written"),
    ("reminders", "escalations"): ("incident_hub_escalations", "Escalations written"),
}


def _seconds(value: datetime | None) -> float:
    return value.timestamp() if value else 0.0


class DatabaseCollector:
    def collect(self) -> Iterator[Metric]:
        yield from self._jobs()
        yield self._alerts()
        yield from self._grouped(
            "incident_hub_cases",
            "Unrestricted cases by status (restricted cases are not counted)",
            Case.status,
            Case.restricted.is_(False),
        )
        yield from self._grouped("incident_hub_notices", "Slack notices by status", Notice.status)
        sent = db.session.execute(
            select(func.count())
            .select_from(Notice)
            .where(Notice.kind.in_(SENT_REMINDER_KINDS), Notice.status == NoticeStatus.SENT)
        ).scalar_one()
        reminders = CounterMetricFamily(
            "incident_hub_reminders_sent",
            "Reminder and escalation notices delivered to Slack (analyses, decisions, actions)",
        )
        reminders.add_metric([], sent)
        yield reminders
        yield self._time_to_decision()

    def _jobs(self) -> Iterator[Metric]:
        stats = db.session.execute(select(JobStat)).scalars().all()
        runs = CounterMetricFamily("incident_hub_job_runs", "Periodic job runs", labels=["job"])
        fails = CounterMetricFamily(
            "incident_hub_job_failures", "Periodic job runs that failed", labels=["job"]
        )
        last_ok = GaugeMetricFamily(
            "incident_hub_job_last_success_timestamp_seconds",
            "When the job last succeeded (Unix time)",
            labels=["job"],
        )
        heartbeat = GaugeMetricFamily(
            "incident_hub_scheduler_heartbeat_age_seconds",
            "Seconds since any periodic job last succeeded (-1: never)",
        )
        totals = {key: CounterMetricFamily(name, text) for key, (name, text) in JOB_TOTALS.items()}
        for stat in stats:
            runs.add_metric([stat.name], stat.runs)
            fails.add_metric([stat.name], stat.failures)
            last_ok.add_metric([stat.name], _seconds(stat.last_ok_at))
            for (job, field), family in totals.items():
                if job == stat.name:
                    family.add_metric([], float((stat.totals or {}).get(field, 0)))
        latest = max((s.last_ok_at for s in stats if s.last_ok_at), default=None)
        heartbeat.add_metric([], (now() - latest).total_seconds() if latest else -1.0)
        yield from (runs, fails, last_ok, heartbeat)
        yield from (family for family in totals.values() if family.samples)

    @staticmethod
    def _grouped(name: str, text: str, column, *where) -> Iterator[Metric]:  # noqa: ANN001, ANN002
        family = GaugeMetricFamily(name, text, labels=["status"])
        rows = db.session.execute(select(column, func.count()).where(*where).group_by(column)).all()
        for status, count in sorted(rows):
            family.add_metric([status], count)
        yield family

    @staticmethod
    def _alerts() -> Metric:
        """Alerts by status, as a non-member sees them: one tied to a restricted case is
        "triaged" (the triage queue's word for it), never "linked" or "case-opened"."""
        hidden = Alert.case_id.in_(select(Case.id).where(Case.restricted.is_(True)))
        status = case(
            (Alert.status.in_(TIED_TO_CASE) & hidden, AlertStatus.TRIAGED.value), else_=Alert.status
        )
        family = GaugeMetricFamily("incident_hub_alerts", "Alerts by status", labels=["status"])
        rows = db.session.execute(select(status, func.count()).group_by(status)).all()
        for value, count in sorted(rows):
            family.add_metric([value], count)
        return family

    @staticmethod
    def _time_to_decision() -> Metric:
        pairs = db.session.execute(
            select(Case.opened_at, Decision.decided_at)
            .join(Decision, Decision.case_id == Case.id)
            .where(Case.restricted.is_(False))
        ).all()
        durations = [max(0.0, (decided - opened).total_seconds()) for opened, decided in pairs]
        buckets = [(str(float(b)), sum(d <= b for d in durations)) for b in DECISION_BUCKETS]
        family = HistogramMetricFamily(
            "incident_hub_time_to_decision_seconds",
            "From an unrestricted case's opening to each of its decisions",
            buckets=[*buckets, ("+Inf", len(durations))],
            sum_value=sum(durations),
        )
        return family


def render() -> bytes:
    """The exposition text: database figures plus this process's own memory and CPU."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(DatabaseCollector())
    ProcessCollector(registry=registry)
    try:
        return generate_latest(registry)
    finally:
        db.session.rollback()
