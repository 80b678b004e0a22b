"""The public JSON shape of an assessment, and the salience fields of the case JSON."""

from __future__ import annotations

from typing import Any

from ..cases.models import Case
from ..clock import iso
from ..extensions import db
from . import salience
from .models import Assessment
from .service import snapshot


def assessment_to_dict(case: Case, row: Assessment | None) -> dict[str, Any]:
    """Every field (empty ones too), the case's salience and band, and who changed it last;
    ``version`` 0 means nobody has assessed the case yet."""
    out: dict[str, Any] = {"case": case.ref}
    out.update(snapshot(row))
    out.update(
        salience=case.salience,
        band=salience.band(case.salience),
        version=row.version if row else 0,
        updated_by=row.updated_by.email if row else None,
        updated_at=iso(row.updated_at) if row else None,
    )
    return out


def salience_fields(case: Case) -> dict[str, Any]:
    """What a case summary adds: ``salience`` (0 = not assessed) and its ``salience_band``."""
    return {"salience": case.salience, "salience_band": salience.band(case.salience)}


def case_fields(case: Case) -> dict[str, Any]:
    """What the full case JSON adds: the salience fields and the ``assessment`` (or null)."""
    row = db.session.get(Assessment, case.id)
    return salience_fields(case) | {
        "assessment": assessment_to_dict(case, row) if row is not None else None
    }
