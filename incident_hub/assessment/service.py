"""Saving the human-rights assessment of a case; one function per action."""

from __future__ import annotations

from typing import Any

from ..actor import Actor
from ..cases.models import Case


def save_from_analysis(actor: Actor, case: Case, function_key: str, data: Any) -> None:
    """Called by ``file_analysis`` (inside its transaction) when the filing carries an
    ``assessment``: the human-rights function's form fills the case's assessment."""
