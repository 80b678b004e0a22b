"""Bodies for the monitoring rows of tests/authz_rules.py. ``setup="monitoring"``
(test_authz_matrix.World.context) decides the cell's case and puts it under monitoring, its
re-reviews owned by the matrix's legal lead, before the request is sent."""

from __future__ import annotations

from typing import Any

from authz_bodies import Ctx

# change the schedule, record a re-review: the owner (the legal lead), admins and executives
# (the opener, who may also change it, is the admin)
MONITOR_KEEPERS = frozenset({"admin", "lead", "exec"})


def _start_json(c: Ctx) -> dict[str, Any]:
    return {"every_days": 90, "until": "2030-06-30"}


def _change_json(c: Ctx) -> dict[str, Any]:
    return {"every_days": 30}


def _review_json(c: Ctx) -> dict[str, Any]:
    return {"outcome": "continue", "note": "still phasing in"}


def _stop_json(c: Ctx) -> dict[str, Any]:
    return {"note": "settled"}
