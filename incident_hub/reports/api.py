"""JSON API routes for reports (registered on the /api/v1 blueprint)."""

from __future__ import annotations

from ..api import bp  # noqa: F401
