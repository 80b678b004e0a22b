"""Keeping a case's search document (``case_documents``) in step with the case."""

from __future__ import annotations

from ..cases.models import Case


def refresh(case: Case) -> None:
    """Rewrite the case's search document; called inside the transaction that changed it."""
