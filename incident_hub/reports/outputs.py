"""What the reports API answers: the dashboard's figures and the transparency export."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import ConfigDict, Field, create_model

from ..schemas import OneOf, Shape
from . import rdr


class JurisdictionCount(Shape):
    jurisdiction: str
    count: int = Field(ge=0)


class PlaybookCount(Shape):
    playbook: str
    title: str
    count: int = Field(ge=0)


class OpenCases(Shape):
    total: int = Field(ge=0)
    by_jurisdiction: list[JurisdictionCount]
    by_playbook: list[PlaybookCount]


class DecisionTimes(Shape):
    decided: int = Field(ge=0)
    median_days: float | None = Field(ge=0)
    p90_days: float | None = Field(ge=0)


class PlaybookDecisionTimes(DecisionTimes):
    playbook: str
    title: str


class TimeToDecision(Shape):
    overall: DecisionTimes
    by_playbook: list[PlaybookDecisionTimes]


class FunctionCount(Shape):
    function: str
    title: str
    count: int = Field(ge=0)


class OverdueAnalyses(Shape):
    total: int = Field(ge=0)
    by_function: list[FunctionCount]


class AlertWeek(Shape):
    week_start: date
    flagged: int = Field(ge=0)
    dismissed: int = Field(ge=0)


class SourceYield(Shape):
    source: str
    title: str
    items_seen: int = Field(ge=0)
    alerts: int = Field(ge=0)
    led_to_case: int = Field(ge=0)
    linked: int = Field(ge=0)
    yield_: float | None = Field(alias="yield", ge=0, le=1)

    model_config = ConfigDict(extra="allow", populate_by_name=True)


class ReportSummary(Shape):
    generated_at: datetime
    scope: str
    open_cases: OpenCases
    time_to_decision: TimeToDecision
    overdue_analyses: OverdueAnalyses
    alerts_by_week: list[AlertWeek]
    source_yield: list[SourceYield]


class IndicatorTitle(Shape):
    code: str
    title: str


class TransparencyRow(Shape):
    year: int
    country: str
    legal_authority: str
    indicator: OneOf(tuple(i.code for i in rdr.INDICATORS))  # type: ignore[valid-type]
    demand_type: str
    playbook: str
    outcome: str
    outcome_title: str
    compliance: OneOf(tuple(rdr.COMPLIANCE_CLASSES))  # type: ignore[valid-type]
    count: int = Field(ge=0)


# One count per compliance class ("partially complied" -> partially_complied).
TransparencyTotal = create_model(
    "TransparencyTotal",
    __base__=Shape,
    indicator=(str, ...),
    demand_type=(str, ...),
    count=(int, Field(ge=0)),
    **{c.replace(" ", "_"): (int, Field(ge=0)) for c in rdr.COMPLIANCE_CLASSES},  # type: ignore[call-overload]
)


class TransparencyReport(Shape):
    report: Literal["transparency"]
    standard: str
    year: int
    generated_at: datetime
    excluded: str
    counted_by: str
    indicators: list[IndicatorTitle]
    demand_types: dict[str, str]
    compliance_by_option: dict[str, str]
    rows: list[TransparencyRow]
    totals: list[TransparencyTotal]  # type: ignore[valid-type]
