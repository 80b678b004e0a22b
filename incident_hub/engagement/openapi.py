"""OpenAPI paths and schemas for engagement."""

from __future__ import annotations

from typing import Any

SCHEMAS: dict[str, Any] = {}


def paths(h: Any) -> dict[str, Any]:
    """Paths for engagement; ``h`` carries the shared helpers (json, list, body, errors,
    page_params, ref_param) of :mod:`incident_hub.api.openapi`."""
    return {}
