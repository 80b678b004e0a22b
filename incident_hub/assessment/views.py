"""Web pages for assessment."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

bp = Blueprint("assessment", __name__)


def case_section(actor: Any, case: Any) -> dict[str, Any]:
    """What the case page's assessment section needs (see cases/sections.py)."""
    return {}
