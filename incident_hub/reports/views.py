"""Web pages for reports: the dashboard, transparency downloads and case dossiers."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, render_template, request
from flask_login import login_required

from ..actor import Actor
from ..clock import now
from ..countries import country_name
from ..web import web_actor
from . import dashboard, service
from .charts import Chart, bar_chart

bp = Blueprint("reports", __name__)
YEARS_OFFERED = 5
SOURCES_CHARTED = 15


@bp.before_request
@login_required
def require_login() -> None:
    """Every report needs a signed-in user."""


def case_section(actor: Any, case: Any) -> dict[str, Any]:
    """What the case page's reports section needs (see cases/sections.py)."""
    return {"formats": [("md", "Markdown"), ("pdf", "PDF")]}


def download(export: service.Export) -> Response:
    response = Response(export.body, mimetype=export.media_type.split(";")[0])
    response.headers["Content-Type"] = export.media_type
    response.headers["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def charts(figures: dict[str, Any]) -> list[Chart]:
    """The dashboard's charts, from the same figures the API returns."""
    opened, ttd = figures["open_cases"], figures["time_to_decision"]
    overdue, weeks = figures["overdue_analyses"], figures["alerts_by_week"]
    sources = figures["source_yield"][:SOURCES_CHARTED]
    return [
        bar_chart(
            "by-jurisdiction",
            "Open cases by jurisdiction",
            "Bar chart: cases open or awaiting decision, per jurisdiction",
            [country_name(r["jurisdiction"]) for r in opened["by_jurisdiction"]],
            [[r["count"]] for r in opened["by_jurisdiction"]],
            ["Open cases"],
        ),
        bar_chart(
            "by-playbook",
            "Open cases by playbook",
            "Bar chart: cases open or awaiting decision, per playbook",
            [r["title"] for r in opened["by_playbook"]],
            [[r["count"]] for r in opened["by_playbook"]],
            ["Open cases"],
        ),
        bar_chart(
            "time-to-decision",
            "Time to decision",
            "Bar chart: days from opening to the first decision, median and 90th percentile, "
            "per playbook",
            [f"{r['title']} ({r['decided']} decided)" for r in ttd["by_playbook"]],
            [[r["median_days"], r["p90_days"]] for r in ttd["by_playbook"]],
            ["Median", "90th percentile"],
            unit="days",
            zero_is_data=True,
        ),
        bar_chart(
            "overdue",
            "Analyses overdue",
            "Bar chart: pending analyses past their due time on open cases, per function",
            [r["title"] for r in overdue["by_function"]],
            [[r["count"]] for r in overdue["by_function"]],
            ["Overdue analyses"],
        ),
        bar_chart(
            "alerts-by-week",
            "Alerts flagged and dismissed, last 12 weeks",
            "Bar chart: alerts flagged and alerts dismissed per week, last twelve weeks",
            [f"Week of {w['week_start']}" for w in weeks],
            [[w["flagged"], w["dismissed"]] for w in weeks],
            ["Flagged", "Dismissed"],
        ),
        bar_chart(
            "source-yield",
            "Per-source yield",
            "Bar chart: alerts per feed source, and how many led to a case or a link",
            [s["title"] for s in sources],
            [[s["alerts"], s["led_to_case"] + s["linked"]] for s in sources],
            ["Alerts", "Led to a case or link"],
        ),
    ]


def days(value: float | None) -> str:
    """A duration in days as the dashboard writes it: none measured is "—", and a value that
    rounds to 0.0 is "under 0.1 days" (never a bare 0.0)."""
    if value is None:
        return "—"
    return "under 0.1 days" if value == 0 else f"{value:g} days"


@bp.get("/reports")
def index() -> str:
    actor: Actor = web_actor()
    figures = dashboard.summary(actor)
    this_year = now().year
    return render_template(
        "reports/index.html",
        figures=figures,
        as_of=now().strftime("%d %b %Y %H:%M UTC"),
        charts=charts(figures),
        can_export=service.can_export_transparency(actor.user),
        years=[this_year - i for i in range(YEARS_OFFERED)],
        excluded=service.transparency.EXCLUDED,
        days=days,
    )


@bp.get("/reports/transparency.<any(json, csv):fmt>")
def transparency(fmt: str):  # noqa: ANN201
    wanted = {"year": request.args.get("year"), "format": fmt}
    return download(service.export_transparency(web_actor(), wanted))


@bp.get("/cases/<ref>/dossier.<any(md, pdf):fmt>")
def dossier(ref: str, fmt: str):  # noqa: ANN201
    return download(service.export_dossier(web_actor(), ref, {"format": fmt}))
