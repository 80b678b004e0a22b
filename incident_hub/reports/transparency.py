"""The transparency export: counts of government demands and law changes in Ranking Digital
Rights terms (F6, P11, F10, G4), by year, country, legal authority, type and outcome.

One grouped query over the year's cases; the playbook → indicator and option → compliance
tables of :mod:`incident_hub.reports.rdr` classify each group. Restricted cases and cases under
a gag order are never counted: their existence may not be disclosed. The year is the year the
case was opened (when the demand or law change reached the company).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, func, select

from ..cases.models import Case, Decision
from ..clock import now
from ..extensions import db
from ..playbooks import registry
from . import rdr

FORMATS = ("json", "csv")
EXCLUDED = (
    "Restricted cases and cases under a gag order are excluded: they are not counted anywhere "
    "in this export."
)
NOT_STATED = "not stated"
COLUMNS = (
    "year",
    "country",
    "legal_authority",
    "indicator",
    "demand_type",
    "playbook",
    "outcome",
    "outcome_title",
    "compliance",
    "count",
)
MIN_YEAR, MAX_YEAR = 1900, 9998


def build(year: int) -> dict[str, Any]:
    """Every figure of the export for ``year`` (the JSON shape; CSV is drawn from it)."""
    start, end = datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)
    current = and_(Decision.case_id == Case.id, Decision.round == Case.round)
    rows = db.session.execute(
        select(
            Case.jurisdiction,
            Case.authority,
            Case.instrument,
            Case.playbook_key,
            Decision.option_key,
            func.count(Case.id),
        )
        .outerjoin(Decision, current)
        .where(
            Case.restricted.is_(False),
            Case.gag_order.is_(False),
            Case.opened_at >= start,
            Case.opened_at < end,
        )
        .group_by(
            Case.jurisdiction,
            Case.authority,
            Case.instrument,
            Case.playbook_key,
            Decision.option_key,
        )
    ).all()
    reg = registry()
    groups: dict[tuple[str, ...], int] = {}
    for country, authority, instrument, playbook_key, option_key, count in rows:
        legal = (authority or "").strip() or (instrument or "").strip() or NOT_STATED
        key = (country, legal, playbook_key, option_key or "")
        groups[key] = groups.get(key, 0) + count
    order = {ind.code: i for i, ind in enumerate(rdr.INDICATORS)}
    out: list[dict[str, Any]] = []
    for (country, legal, playbook_key, option_key), count in groups.items():
        indicator = rdr.indicator_for(playbook_key)
        playbook = reg.get(playbook_key)
        option = playbook.option(option_key) if playbook and option_key else None
        title = option.title if option else (option_key or "No decision yet")
        out.append(
            {
                "year": year,
                "country": country,
                "legal_authority": legal,
                "indicator": indicator.code,
                "demand_type": indicator.title,
                "playbook": playbook_key,
                "outcome": option_key,
                "outcome_title": title,
                "compliance": rdr.compliance_for(option_key),
                "count": count,
            }
        )
    out.sort(
        key=lambda r: (
            order[r["indicator"]],
            r["country"],
            r["legal_authority"].lower(),
            r["playbook"],
            r["outcome"],
        )
    )
    return {
        "report": "transparency",
        "standard": "Ranking Digital Rights indicators F6, P11, F10 and G4",
        "year": year,
        "generated_at": now().isoformat().replace("+00:00", "Z"),
        "excluded": EXCLUDED,
        "counted_by": "year the case was opened; outcome is the decision of the case's current "
        "round (no decision yet: pending)",
        "indicators": [{"code": i.code, "title": i.title} for i in rdr.INDICATORS],
        "demand_types": {key: ind.code for key, ind in sorted(rdr.DEMAND_TYPES.items())},
        "compliance_by_option": dict(sorted(rdr.COMPLIANCE.items())),
        "rows": out,
        "totals": _totals(out),
    }


def _totals(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per indicator: demands received and how many of each compliance class."""
    totals = []
    for indicator in rdr.INDICATORS:
        mine = [r for r in rows if r["indicator"] == indicator.code]
        entry: dict[str, Any] = {
            "indicator": indicator.code,
            "demand_type": indicator.title,
            "count": sum(r["count"] for r in mine),
        }
        for cls in rdr.COMPLIANCE_CLASSES:
            entry[cls.replace(" ", "_")] = sum(r["count"] for r in mine if r["compliance"] == cls)
        totals.append(entry)
    return totals


def _safe_cell(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula (=, +, -, @, tab, CR) is quoted."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_json(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def to_csv(data: dict[str, Any]) -> str:
    """Comment lines (``#``) with the metadata, then one row per group with a header row."""
    buffer = io.StringIO()
    lines = [
        f"Incident Hub transparency export, {data['standard']}, year {data['year']}",
        f"Generated {data['generated_at']}",
        data["excluded"],
        f"Counted by {data['counted_by']}",
        "Indicator by playbook: "
        + ", ".join(f"{k}={v}" for k, v in data["demand_types"].items())
        + "; any other playbook=G4",
    ]
    if not data["rows"]:  # a header and no rows, rather than rows of zeros
        lines.append(f"No case was opened in {data['year']}: nothing to count.")
    for line in lines:
        buffer.write(f"# {line}\n")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in data["rows"]:
        writer.writerow([_safe_cell(row[c]) for c in COLUMNS])
    return buffer.getvalue()
